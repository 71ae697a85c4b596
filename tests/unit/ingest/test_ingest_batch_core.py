"""The pure batch core: envelope, per-item verdicts, duplicates, and the report."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from ct_ingest.core.batch import (
    BatchRejected,
    BatchTooLarge,
    judge_items,
    publishable,
    read_batch,
    report,
)
from ct_ingest.core.records import record_of

PHONE = "+447700900123"


def event(event_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "call.queued",
        "occurred_at": "2026-03-29T02:30:00+02:00",
        "contact_id": "c-1",
        "channel": "phone",
        "queue": "council_tax",
        "service_type": "council_tax",
        "source": "pbx-1",
    } | changes


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (b"", "json_invalid"),
        (b"{", "json_invalid"),
        (b"null", "missing"),
        (b"[]", "missing"),
        (b'{"evts": []}', "missing"),
        (b'{"events": null}', "list_type"),
        (b'{"events": {"0": {}}}', "list_type"),
        (b'{"events": [], "source": "x"}', "extra_forbidden"),
    ],
)
def test_a_body_that_is_not_a_batch_is_rejected_naming_events(raw: bytes, rule: str) -> None:
    with pytest.raises(BatchRejected) as caught:
        read_batch(raw, 10)

    assert [(e.field, e.rule) for e in caught.value.errors] == [("events", rule)]


@pytest.mark.parametrize(("size", "limit", "ok"), [(0, 1, True), (3, 3, True), (4, 3, False)])
def test_the_batch_size_limit_is_inclusive(size: int, limit: int, ok: bool) -> None:
    raw = orjson.dumps({"events": [{}] * size})
    if ok:
        assert len(read_batch(raw, limit)) == size
    else:
        with pytest.raises(BatchTooLarge) as caught:
            read_batch(raw, limit)
        assert caught.value.limit == limit


def test_items_are_judged_independently_and_duplicates_flagged() -> None:
    items = [
        event("a"),
        event("b", phone=PHONE),  # invalid: its id does not count as seen
        event("b"),
        event("a", queue="benefits"),  # same id as a valid earlier item
        "not an object",
        event("b"),
    ]

    verdicts = judge_items(items)

    assert [(v.index, v.event is not None, v.duplicate) for v in verdicts] == [
        (0, True, False),
        (1, False, False),
        (2, True, False),
        (3, True, True),
        (4, False, False),
        (5, True, True),
    ]
    assert [e.field for e in verdicts[1].errors] == ["phone"]
    assert PHONE not in repr(verdicts[1].errors)
    assert [e.event_id for e in publishable(verdicts)] == ["a", "b"]


def test_the_report_says_accepted_only_for_acknowledged_items() -> None:
    verdicts = judge_items([event("a"), event("x", queue=""), event("b"), event("a")])

    result = report(verdicts, [True, False])

    assert [(i.index, i.event_id, i.status) for i in result.items] == [
        (0, "a", "accepted"),
        (1, None, "invalid"),
        (2, "b", "unavailable"),
        (3, "a", "duplicate_in_batch"),
    ]
    assert [result.count(s) for s in ("accepted", "invalid", "duplicate_in_batch")] == [1, 1, 1]
    assert not result.fully_acknowledged
    assert report(verdicts, [True, True]).fully_acknowledged


@pytest.mark.parametrize("acks", [[], [True], [True, True, True]])
def test_the_report_needs_one_ack_per_publishable_item(acks: list[bool]) -> None:
    with pytest.raises(ValueError, match="one acknowledgement"):
        report(judge_items([event("a"), event("b")]), acks)


def test_a_record_is_keyed_by_contact_and_holds_canonical_utc_bytes() -> None:
    [verdict] = judge_items([event("a", contact_id="c-42")])
    assert verdict.event is not None

    key, value = record_of(verdict.event)

    assert key == b"c-42"
    assert orjson.loads(value)["occurred_at"] == "2026-03-29T00:30:00Z"

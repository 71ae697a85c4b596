"""The contract: the committed JSON Schema matches the models; validation names fields."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from contact_events import EVENT_TYPES, InvalidEvent, decode_event, encode_event, parse_event
from contact_events.export import SCHEMA_FILE, render

GOOD: dict[str, Any] = {
    "event_id": "e-1",
    "type": "call.answered",
    "occurred_at": "2026-03-29T02:30:00+02:00",
    "contact_id": "c-1",
    "channel": "phone",
    "queue": "council_tax",
    "service_type": "council_tax",
    "source": "pbx-1",
    "rings": 3,
}


def test_committed_schema_matches_models(repo_root: Path) -> None:
    committed = (repo_root / "schemas" / "json" / SCHEMA_FILE).read_bytes()
    assert committed == render(), "schema drifted: run `make schemas` and commit the result"


def test_schema_lists_every_event_type() -> None:
    schema = orjson.loads(render())
    tags = set(schema["discriminator"]["mapping"])
    assert tags == set(EVENT_TYPES)


def test_occurred_at_is_stored_as_utc() -> None:
    event = parse_event(GOOD)
    assert event.occurred_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert orjson.loads(encode_event(event))["occurred_at"] == "2026-03-29T00:30:00Z"


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "email.received", "channel": "email", "rings": None},
        {"type": "email.responded", "channel": "web", "rings": None},
        {"type": "webform.submitted", "channel": "web", "rings": None},
        {"type": "visit.called", "channel": "face_to_face", "rings": None},
        {"type": "case.resolved", "rings": None, "resolution": "first_contact", "contacts": 1},
        {"type": "complaint.escalated", "channel": "email", "rings": None, "stage": 3},
        {"type": "survey.answered", "channel": "web", "rings": None, "score": 0},
        {"query_reason": "clarification", "service_type": None},
    ],
)
def test_every_channel_has_its_types(changes: dict[str, Any]) -> None:
    event = parse_event(_with(**changes))
    assert event.type == changes.get("type", GOOD["type"])
    assert encode_event(decode_event(encode_event(event))) == encode_event(event)


def test_round_trip_is_canonical() -> None:
    raw = encode_event(parse_event(GOOD))
    assert encode_event(decode_event(raw)) == raw


def _with(**changes: Any) -> dict[str, Any]:
    body = {k: v for k, v in GOOD.items() if changes.get(k, ...) is not None}
    body.update({k: v for k, v in changes.items() if v is not None})
    return body


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (_with(surprise="x"), "surprise", "extra_forbidden"),
        (_with(event_id=None), "event_id", "missing"),
        (_with(event_id="x" * 129), "event_id", "string_too_long"),
        (_with(occurred_at="2026-11-23T10:00:00"), "occurred_at", "timezone_aware"),
        (_with(occurred_at="yesterday"), "occurred_at", "datetime_from_date_parsing"),
        (_with(channel="pigeon"), "channel", "literal_error"),
        (_with(type="call.teleported"), "type", "union_tag_invalid"),
        (_with(type=None), "type", "union_tag_not_found"),
        (_with(rings=0), "rings", "greater_than_equal"),
        (_with(queue="all"), "queue", "value_error"),
        (_with(customer_ref="07700900123"), "customer_ref", "string_pattern_mismatch"),
        (_with(customer_ref="someone@example.org"), "customer_ref", "string_pattern_mismatch"),
        (_with(channel="email"), "channel", "value_error"),
        (_with(type="email.received", rings=None, channel="phone"), "channel", "value_error"),
        (_with(type="visit.ticketed", rings=None), "channel", "value_error"),
        (_with(type="webform.submitted", rings=None, channel="email"), "channel", "value_error"),
        (_with(type="case.resolved", rings=None), "resolution", "missing"),
        (
            _with(type="case.resolved", rings=None, resolution="luck", contacts=1),
            "resolution",
            "literal_error",
        ),
        (
            _with(type="case.resolved", rings=None, resolution="follow_up", contacts=0),
            "contacts",
            "greater_than_equal",
        ),
        (_with(type="complaint.escalated", rings=None, stage=1), "stage", "greater_than_equal"),
        (_with(type="complaint.responded", rings=None, stage=4), "stage", "less_than_equal"),
        (_with(type="survey.answered", rings=None, score=11), "score", "less_than_equal"),
        (_with(type="survey.answered", rings=None), "score", "missing"),
        (_with(query_reason="gossip"), "query_reason", "literal_error"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_events_name_field_and_rule(body: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(body)
    found = [(e.field, e.rule) for e in caught.value.errors]
    assert (field, rule) in found


@pytest.mark.parametrize(
    "secret", ["call.teleported", "07700900123", "someone@example.org", "pigeon", "yesterday"]
)
def test_errors_never_echo_the_submitted_value(secret: str) -> None:
    body = (
        _with(type=secret)
        if secret.startswith("call.")
        else _with(customer_ref=secret, channel=secret, occurred_at=secret)
    )
    with pytest.raises(InvalidEvent) as caught:
        parse_event(body)
    text = orjson.dumps([e.to_dict() for e in caught.value.errors]).decode()
    assert secret not in text
    assert secret not in str(caught.value)


@pytest.mark.parametrize("raw", [b"", b"{", b"[1,2]", b"null", b'"text"'])
def test_non_objects_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidEvent):
        decode_event(raw)


def test_core_knows_every_call_type_of_the_contract() -> None:
    # the pure core cannot import the pydantic contract; the two lists must agree
    from ct_sla_monitor.core.call_lifecycle import CALL_EVENT_TYPES

    assert set(CALL_EVENT_TYPES) == {t for t in EVENT_TYPES if t.startswith("call.")}

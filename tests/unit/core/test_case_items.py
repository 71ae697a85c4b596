"""Stage 1 for cases: case events become one case item, whatever their arrival order."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.case_items import (
    MAX_EVENTS_PER_CASE,
    CaseEvent,
    CaseItem,
    CaseState,
    apply_case_event,
    derive_case,
    fix_time,
)
from ct_sla_monitor.core.standards import Standards

STD = Standards()
REF = "k1:" + "a" * 64
T0 = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)  # a Wednesday, GMT


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def ev(
    event_id: str, kind: str, hours: float, *, contact: str = "call-1", **extra: Any
) -> dict[str, Any]:
    """A canonical case event dict; ``extra`` overrides or adds fields (None removes one)."""
    event: dict[str, Any] = {
        "event_id": event_id,
        "type": f"case.{kind}",
        "occurred_at": at(hours).isoformat().replace("+00:00", "Z"),
        "contact_id": contact,
        "channel": "phone",
        "queue": "revenues",
        "service_type": "council_tax",
        "query_reason": "problem",
        "customer_segment": "citizen",
        "customer_ref": REF,
        "agent_id": "agent-7",
        "source": "crm",
    }
    if kind == "resolved":
        event |= {"resolution": "first_contact", "contacts": 1}
    event |= extra
    return {k: v for k, v in event.items() if v is not None}


def item(**overrides: Any) -> CaseItem:
    fields: dict[str, Any] = {
        "item_id": "call-1",
        "channel": "phone",
        "queue": "revenues",
        "service_type": "council_tax",
        "query_reason": "problem",
        "customer_segment": "citizen",
        "customer_ref": REF,
    }
    return CaseItem(**(fields | overrides))


def parsed(events: list[dict[str, Any]]) -> list[CaseEvent]:
    return [CaseEvent.from_dict(e) for e in events]


DERIVE_CASES: list[tuple[str, list[dict[str, Any]], CaseItem]] = [
    (
        "opened-only",
        [ev("o", "opened", 0)],
        item(opened_at=at(0), event_ids=("o",)),
    ),
    (
        "opened-resolved-closed",
        [ev("o", "opened", 0), ev("r", "resolved", 1.5), ev("c", "closed", 2)],
        item(
            opened_at=at(0),
            resolved_at=at(1.5),
            resolution="first_contact",
            contacts=1,
            closed_at=at(2),
            event_ids=("c", "o", "r"),
        ),
    ),
    (
        "last-resolution-wins",
        [
            ev("o", "opened", 0),
            ev("r2", "resolved", 3, resolution="first_contact", contacts=1),
            ev("r1", "resolved", 1, resolution="follow_up", contacts=2),
        ],
        item(
            opened_at=at(0),
            resolved_at=at(3),
            resolution="first_contact",
            contacts=1,
            event_ids=("o", "r1", "r2"),
        ),
    ),
    (
        "same-instant-resolutions-tie-on-event-id",
        [
            ev("o", "opened", 0),
            ev("rb", "resolved", 1, resolution="investigation", contacts=3),
            ev("ra", "resolved", 1, resolution="follow_up", contacts=2),
        ],
        item(
            opened_at=at(0),
            resolved_at=at(1),
            resolution="investigation",
            contacts=3,
            event_ids=("o", "ra", "rb"),
        ),
    ),
    (
        "first-opening-wins",
        [ev("o2", "opened", 1), ev("o1", "opened", 0.5)],
        item(opened_at=at(0.5), event_ids=("o1", "o2")),
    ),
    (
        "same-instant-opened-sorts-before-resolved",
        [ev("r", "resolved", 0, queue="later"), ev("o", "opened", 0)],
        item(
            opened_at=at(0),
            resolved_at=at(0),
            resolution="first_contact",
            contacts=1,
            event_ids=("o", "r"),
        ),
    ),
    (
        "optional-dims-first-non-null",
        [
            ev("o", "opened", 0, customer_ref=None, query_reason=None, customer_segment=None),
            ev("r", "resolved", 1, query_reason="query", customer_segment=None),
            ev("c", "closed", 2, query_reason="complaint", customer_segment="business"),
        ],
        item(
            query_reason="query",
            customer_segment="business",
            opened_at=at(0),
            resolved_at=at(1),
            resolution="first_contact",
            contacts=1,
            closed_at=at(2),
            event_ids=("c", "o", "r"),
        ),
    ),
    (
        "channel-and-queue-from-first-event",
        [ev("c", "closed", 2, queue="other"), ev("o", "opened", 0, channel="email")],
        item(channel="email", opened_at=at(0), closed_at=at(2), event_ids=("c", "o")),
    ),
    (
        "resolved-without-opening",
        [ev("r", "resolved", 1, service_type=None)],
        item(
            service_type=None,
            resolved_at=at(1),
            resolution="first_contact",
            contacts=1,
            event_ids=("r",),
        ),
    ),
    (
        "duplicate-event-id-counts-once",
        [ev("o", "opened", 0), ev("o", "opened", 0)],
        item(opened_at=at(0), event_ids=("o",)),
    ),
]


@pytest.mark.parametrize(
    ("events", "expected"),
    [case[1:] for case in DERIVE_CASES],
    ids=[case[0] for case in DERIVE_CASES],
)
def test_derive_case(events: list[dict[str, Any]], expected: CaseItem) -> None:
    assert derive_case(parsed(events)) == expected


@pytest.mark.parametrize(
    ("events", "expected"),
    [case[1:] for case in DERIVE_CASES],
    ids=[case[0] for case in DERIVE_CASES],
)
def test_any_arrival_order_gives_the_same_item(
    events: list[dict[str, Any]], expected: CaseItem
) -> None:
    for order in itertools.permutations(events):
        state = CaseState()
        for event in order:
            state = apply_case_event(state, event, STD).state
        assert state.item == expected


def test_apply_reports_upserts_and_duplicates() -> None:
    first = apply_case_event(CaseState(), ev("o", "opened", 0), STD)
    assert first.upserted == (item(opened_at=at(0), event_ids=("o",)),)
    assert (first.retracted, first.duplicate) == ((), False)
    again = apply_case_event(first.state, ev("o", "opened", 0), STD)
    assert (again.state, again.upserted, again.retracted, again.duplicate) == (
        first.state,
        (),
        (),
        True,
    )
    resolved = apply_case_event(first.state, ev("r", "resolved", 1), STD)
    assert resolved.upserted == (
        item(
            opened_at=at(0),
            resolved_at=at(1),
            resolution="first_contact",
            contacts=1,
            event_ids=("o", "r"),
        ),
    )
    assert resolved.retracted == ()


@pytest.mark.parametrize(
    ("late", "old_scope"),
    [
        (ev("o0", "opened", -1, queue="front-desk"), ("phone", "revenues", "council_tax")),
        (ev("o0", "opened", -1, channel="email"), ("phone", "revenues", "council_tax")),
        (ev("r", "resolved", 1, service_type="housing"), ("phone", "revenues", None)),
    ],
    ids=["queue-changed-by-late-earlier-event", "channel-changed", "service-type-filled-in"],
)
def test_scope_change_retracts_the_old_item(
    late: dict[str, Any], old_scope: tuple[str, str, str | None]
) -> None:
    opening = ev("o", "opened", 0)
    if old_scope[2] is None:
        opening = ev("o", "opened", 0, service_type=None)
    state = apply_case_event(CaseState(), opening, STD).state
    result = apply_case_event(state, late, STD)
    assert len(result.retracted) == 1
    old = result.retracted[0]
    assert (old.channel, old.queue, old.service_type) == old_scope
    assert result.upserted == (result.state.item,)
    assert result.retracted[0] == state.item


@pytest.mark.parametrize(
    "event",
    [
        ev("r", "resolved", 1, contacts=0),
        ev("r", "resolved", 1, contacts=True),
        ev("r", "resolved", 1, contacts="1"),
        ev("r", "resolved", 1, contacts=None),
        ev("r", "resolved", 1, resolution="fixed"),
        ev("r", "resolved", 1, resolution=None),
        ev("o", "opened", 0, occurred_at="2026-01-07T10:00:00"),
        ev("o", "opened", 0, queue=""),
        {**ev("o", "opened", 0), "type": "call.queued"},
        ev("o", "opened", 0, contact="call-2"),
    ],
    ids=[
        "zero-contacts",
        "bool-contacts",
        "string-contacts",
        "missing-contacts",
        "unknown-resolution",
        "missing-resolution",
        "naive-timestamp",
        "empty-queue",
        "not-a-case-type",
        "another-case",
    ],
)
def test_bad_events_are_value_errors(event: dict[str, Any]) -> None:
    state = apply_case_event(CaseState(), ev("c", "closed", 5), STD).state
    with pytest.raises(ValueError):
        apply_case_event(state, event, STD)


def test_a_full_case_ignores_further_events() -> None:
    events = tuple(
        CaseEvent.from_dict(ev(f"c{n:03d}", "closed", n / 60)) for n in range(MAX_EVENTS_PER_CASE)
    )
    state = CaseState(events)
    result = apply_case_event(state, ev("r", "resolved", 1), STD)
    assert (result.state, result.upserted, result.retracted, result.duplicate) == (
        state,
        (),
        (),
        False,
    )


def test_resolution_fields_on_other_types_are_ignored() -> None:
    result = apply_case_event(CaseState(), ev("o", "opened", 0, resolution="x", contacts=0), STD)
    assert result.upserted == (item(opened_at=at(0), event_ids=("o",)),)


def test_state_and_item_round_trip_through_json() -> None:
    state = CaseState()
    for event in (ev("o", "opened", 0), ev("r", "resolved", 1.25), ev("c", "closed", 3)):
        state = apply_case_event(state, event, STD).state
    restored = CaseState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert state.item is not None
    data = json.loads(json.dumps(state.item.to_dict()))
    assert data["kind"] == "case"
    assert data["resolved_at"] == "2026-01-07T11:15:00+00:00"
    assert CaseItem.from_dict({**data, "unknown": 1}) == state.item
    assert CaseItem.kind == "case"


WED = datetime(2026, 1, 7, tzinfo=UTC)
FRI = datetime(2026, 1, 9, tzinfo=UTC)
MON = datetime(2026, 1, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, tzinfo=UTC)  # a Wednesday, BST (UTC+1)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("opened", "resolved", "expected"),
    [
        (WED + 10 * H, WED + 11.5 * H, (5400.0, 5400.0)),
        (WED + 16 * H, WED + 34 * H, (64800.0, 7200.0)),
        (FRI + 16.5 * H, MON + 9.5 * H, (234000.0, 3600.0)),
        (SUMMER + 8 * H, SUMMER + 16 * H, (28800.0, 28800.0)),
        (SUMMER + 7 * H, SUMMER + 17 * H, (36000.0, 28800.0)),
        (WED + 11 * H, WED + 10 * H, (0.0, 0.0)),
        (None, WED + 10 * H, (None, None)),
        (WED + 10 * H, None, (None, None)),
    ],
    ids=[
        "inside-one-working-day",
        "overnight",
        "over-a-weekend",
        "bst-whole-working-day",
        "bst-hour-either-side-of-opening-hours",
        "resolved-before-opened-is-zero",
        "never-opened",
        "not-resolved",
    ],
)
def test_fix_time(
    opened: datetime | None,
    resolved: datetime | None,
    expected: tuple[float | None, float | None],
) -> None:
    case = item(opened_at=opened, resolved_at=resolved)
    assert fix_time(case, STD) == expected

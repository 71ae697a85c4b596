"""Face-to-face visits: queue time, walk-outs, the 3-minute deadline and reception figures."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.standards import Standards
from ct_sla_monitor.core.visit_items import (
    VisitItem,
    VisitState,
    apply_visit_event,
    visit_deadlines,
    visit_kpis,
)

T0 = datetime(2026, 1, 13, 10, 0, tzinfo=UTC)
STD = Standards()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ev(event_id: str, kind: str, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": f"visit.{kind}",
        "occurred_at": at(seconds).isoformat(),
        "contact_id": "v-1",
        "channel": "face_to_face",
        "queue": "town-hall",
        "service_type": "parking",
        "customer_segment": "citizen",
        "source": "qmatic",
        **extra,
    }


def visit(
    ticketed: float,
    called: float | None = None,
    served: float | None = None,
    left: float | None = None,
    contact: str = "v-1",
) -> VisitItem:
    return VisitItem(
        contact_id=contact,
        channel="face_to_face",
        queue="town-hall",
        service_type="parking",
        query_reason=None,
        customer_segment="citizen",
        customer_ref=None,
        ticketed_at=at(ticketed),
        called_at=None if called is None else at(called),
        served_at=None if served is None else at(served),
        left_at=None if left is None else at(left),
    )


def replay(events: list[dict[str, Any]]) -> VisitState:
    state = VisitState()
    for e in events:
        state = apply_visit_event(state, e, STD).state
    return state


LIFE = [ev("t", "ticketed", 0), ev("c", "called", 60), ev("s", "served", 65), ev("l", "left", 400)]

ITEM_CASES = [
    ("served", LIFE, "served", 60.0, 60.0),
    ("called-not-served", LIFE[:2], "called", 60.0, 60.0),
    ("waiting", LIFE[:1], "waiting", None, None),
    ("walked-out", [LIFE[0], ev("l", "left", 200)], "walked_out", 200.0, 200.0),
    ("called-and-left-same-instant", [LIFE[0], ev("l", "left", 60), LIFE[1]], "called", 60.0, 60),
]


@pytest.mark.parametrize(
    ("events", "outcome", "queue_time", "wait_end"),
    [c[1:] for c in ITEM_CASES],
    ids=[c[0] for c in ITEM_CASES],
)
def test_item_outcome_and_queue_time(
    events: list[dict[str, Any]], outcome: str, queue_time: float | None, wait_end: float | None
) -> None:
    item = replay(events).item
    assert item is not None
    assert (item.outcome, item.queue_time_s) == (outcome, queue_time)
    assert item.wait_ended_at == (None if wait_end is None else at(wait_end))


def test_any_arrival_order_and_duplicates_give_the_same_state() -> None:
    expected = replay(LIFE).to_dict()
    for order in itertools.permutations(LIFE):
        assert replay([*order, order[1]]).to_dict() == expected


def test_call_before_ticket_waits_for_it() -> None:
    first = apply_visit_event(VisitState(), LIFE[1], STD)
    assert (first.state.item, first.upserted) == (None, ())
    second = apply_visit_event(first.state, LIFE[0], STD)
    assert second.state.item is not None and second.state.item.queue_time_s == 60.0


def test_other_channel_event_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of"):
        apply_visit_event(VisitState(), {**LIFE[0], "type": "email.received"}, STD)


DEADLINE_CASES = [
    ("called-exactly-180s-within", visit(0, called=180), 500, "met"),
    ("called-180.001s-missed", visit(0, called=180.001), 500, "missed"),
    ("waiting-143.999s-pending", visit(0), 143.999, "pending"),
    ("waiting-144s-warning", visit(0), 144, "at_risk"),
    ("waiting-exactly-180s-not-breach", visit(0), 180, "at_risk"),
    ("waiting-180.001s-breach", visit(0), 180.001, "breached"),
    ("walked-out-in-time-ends-clock", visit(0, left=100), 500, "met"),
    ("walked-out-after-breach", visit(0, left=200), 500, "missed"),
]


@pytest.mark.parametrize(
    ("item", "now", "expected"), [c[1:] for c in DEADLINE_CASES], ids=[c[0] for c in DEADLINE_CASES]
)
def test_queue_time_deadline(item: VisitItem, now: float, expected: str) -> None:
    (deadline,) = visit_deadlines(item, STD)
    assert (deadline.standard, deadline.item_id) == ("visit.queue_time", "v-1")
    assert (deadline.due_at, deadline.at_risk_at) == (at(180), at(144))
    assert deadline.status(at(now)) == expected


KPI_ITEMS = [
    visit(0, called=120, served=130, left=600, contact="v1"),
    visit(10, called=190.001, served=200, contact="v2"),
    visit(20, called=200, contact="v3"),
    visit(100, left=250, contact="v4"),
    visit(420, contact="v5"),
    visit(419.999, contact="v6"),
    visit(500, contact="v7"),
    visit(550, called=700, contact="v8"),
]
EMPTY = {
    "ticketed": 0,
    "called": 0,
    "served_within": 0,
    "served_within_rate": None,
    "served": 0,
    "walked_out": 0,
    "waiting_now": 0,
    "longest_wait_seconds": 0.0,
    "breaches_now": 0,
}
KPI_CASES = [
    (
        "today",
        KPI_ITEMS,
        "today",
        {
            "ticketed": 8,
            "called": 3,
            "served_within": 2,
            "served_within_rate": 0.666667,
            "served": 2,
            "walked_out": 1,
            "waiting_now": 4,
            "longest_wait_seconds": 180.001,
            "breaches_now": 1,
        },
    ),
    (
        "exactly-180s-waiting-is-no-breach",
        [visit(420)],
        "today",
        {**EMPTY, "ticketed": 1, "waiting_now": 1, "longest_wait_seconds": 180.0},
    ),
    (
        "180.001s-waiting-is-a-breach",
        [visit(419.999)],
        "today",
        {
            **EMPTY,
            "ticketed": 1,
            "waiting_now": 1,
            "longest_wait_seconds": 180.001,
            "breaches_now": 1,
        },
    ),
    ("empty", [], "today", EMPTY),
]


@pytest.mark.parametrize(
    ("items", "window", "expected"), [c[1:] for c in KPI_CASES], ids=[c[0] for c in KPI_CASES]
)
def test_visit_kpis(items: list[VisitItem], window: str, expected: dict[str, Any]) -> None:
    figures = visit_kpis(items, window, at(600), STD)
    assert figures == expected
    assert json.loads(json.dumps(figures)) == figures


def test_rolling_window_counts_steps_inside_it() -> None:
    # (10:05, 10:20]: v1's call at 10:02 and ticket at 10:00 fall outside; v2 is inside.
    items = [visit(0, called=120, contact="v1"), visit(400, called=500, contact="v2")]
    figures = visit_kpis(items, "rolling_15m", at(1200), STD)
    assert (figures["ticketed"], figures["called"], figures["served_within"]) == (1, 1, 1)


def test_round_trips() -> None:
    state = replay([*LIFE, ev("x", "left", 700, customer_ref=None)])
    assert VisitState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert state.item is not None
    data = state.item.to_dict()
    assert (data["queue_time_s"], data["outcome"], data["left_at"]) == (
        60.0,
        "served",
        "2026-01-13T10:06:40+00:00",
    )
    assert VisitItem.from_dict(data) == state.item

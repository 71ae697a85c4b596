"""Emails and web forms: items from events in any order, their deadlines and figures.

January 2026: London is on GMT, so local time equals UTC. 13 Jan is a Tuesday.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.email_items import (
    EmailItem,
    EmailState,
    apply_email_event,
    derive_email_item,
    email_deadlines,
    email_kpis,
)
from ct_sla_monitor.core.items import MAX_EVENTS_PER_CONTACT, ItemEvent
from ct_sla_monitor.core.standards import EmailStandards, Standards

STD = Standards()
TWO_HOURS = Standards(email=EmailStandards(follow_up_working_hours=2.0))
US = timedelta(microseconds=1)


def at(h: int, m: int = 0, s: float = 0.0, day: int = 13) -> datetime:
    return datetime(2026, 1, day, h, m, tzinfo=UTC) + timedelta(seconds=s)


def ev(event_id: str, kind: str, t: datetime, contact: str = "m-1", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": event_id,
        "type": kind,
        "occurred_at": t.isoformat().replace("+00:00", "Z"),
        "contact_id": contact,
        "channel": "email",
        "queue": "benefits",
        "service_type": "housing",
        "source": "mailbox",
        "agent_id": "a-7",
    }
    return {**base, **extra}


def item(
    received: datetime,
    ack: datetime | None = None,
    responded: datetime | None = None,
    closed: datetime | None = None,
    contact: str = "m-1",
) -> EmailItem:
    return EmailItem(
        contact_id=contact,
        channel="email",
        queue="benefits",
        service_type="housing",
        query_reason=None,
        customer_segment=None,
        customer_ref=None,
        received_at=received,
        acknowledged_at=ack,
        responded_at=responded,
        closed_at=closed,
    )


def replay(events: list[dict[str, Any]]) -> EmailState:
    state = EmailState()
    for e in events:
        state = apply_email_event(state, e, STD).state
    return state


LIFE = [
    ev("r", "email.received", at(10)),
    ev("a", "email.acknowledged", at(10, 5)),
    ev("p", "email.responded", at(11)),
    ev("c", "email.closed", at(11, 30)),
]


def test_item_from_events() -> None:
    state = replay(LIFE)
    assert state.item is not None
    assert state.item.to_dict() == {
        "kind": "email",
        "item_id": "m-1",
        "contact_id": "m-1",
        "channel": "email",
        "queue": "benefits",
        "service_type": "housing",
        "query_reason": None,
        "customer_segment": None,
        "customer_ref": None,
        "received_at": "2026-01-13T10:00:00+00:00",
        "acknowledged_at": "2026-01-13T10:05:00+00:00",
        "responded_at": "2026-01-13T11:00:00+00:00",
        "closed_at": "2026-01-13T11:30:00+00:00",
        "event_ids": ["a", "c", "p", "r"],
    }


def test_any_arrival_order_and_duplicates_give_the_same_state() -> None:
    expected = replay(LIFE).to_dict()
    for order in itertools.permutations(LIFE):
        assert replay([*order, order[0], order[2]]).to_dict() == expected


def test_events_before_the_receipt_wait_for_it() -> None:
    first = apply_email_event(EmailState(), LIFE[1], STD)
    assert (first.state.item, first.upserted, first.retracted) == (None, (), ())
    second = apply_email_event(first.state, LIFE[0], STD)
    assert second.state.item is not None
    assert second.state.item.acknowledged_at == at(10, 5)
    assert second.upserted == (second.state.item,)


def test_duplicate_changes_nothing() -> None:
    state = replay(LIFE[:2])
    again = apply_email_event(state, LIFE[1], STD)
    assert again.duplicate and again.state is state and again.upserted == ()


def test_earlier_web_form_moves_the_item_and_retracts_the_old_scope() -> None:
    state = replay([LIFE[0]])
    web = ev("w", "webform.submitted", at(9, 59), channel="web", queue="online")
    result = apply_email_event(state, web, STD)
    assert result.retracted == (state.item,)
    assert result.state.item is not None
    assert (result.state.item.channel, result.state.item.queue) == ("web", "online")
    assert result.state.item.received_at == at(9, 59)
    assert result.upserted == (result.state.item,)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (ev("v", "visit.called", at(10)), "not one of"),
        (ev("x", "email.received", at(10), contact="m-2"), "for contact"),
        (ev("x", "email.received", at(10), occurred_at="2026-01-13T10:00:00"), "timezone"),
        (ev("x", "email.opened", at(10)), "not an email"),
    ],
    ids=["other-channel-type", "other-contact", "naive-time", "unknown-type"],
)
def test_bad_events_are_value_errors(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_email_event(replay([LIFE[0]]), event, STD)


def test_no_receipt_no_item() -> None:
    assert derive_email_item([ItemEvent.from_dict(LIFE[2])]) is None


ACK_CASES = [
    ("ack-exactly-15-min-met", at(10, 15), None, at(12), "met"),
    ("ack-1us-late-missed", at(10, 15) + US, None, at(12), "missed"),
    ("response-first-acknowledges", None, at(10, 3), at(12), "met"),
    ("no-ack-at-deadline-pending-no-warning", None, None, at(10, 15), "pending"),
    ("no-ack-1us-after-breached", None, None, at(10, 15) + US, "breached"),
]


@pytest.mark.parametrize(
    ("ack", "responded", "now", "expected"),
    [c[1:] for c in ACK_CASES],
    ids=[c[0] for c in ACK_CASES],
)
def test_acknowledge_deadline(
    ack: datetime | None, responded: datetime | None, now: datetime, expected: str
) -> None:
    acknowledge = email_deadlines(item(at(10), ack, responded), STD)[0]
    assert acknowledge.standard == "email.acknowledge"
    assert acknowledge.due_at == at(10, 15)
    assert acknowledge.at_risk_at is None
    assert acknowledge.status(now) == expected


FOLLOW_UP_CASES = [
    # received, standards, due, at risk from
    ("tue-10-2h-same-day", at(10), TWO_HOURS, at(12), at(11, 36)),
    ("fri-16-2h-to-monday", at(16, day=16), TWO_HOURS, at(10, day=19), at(9, 36, day=19)),
    ("tue-10-24h-default", at(10), STD, at(10, day=16), at(13, 12, day=15)),
    ("saturday-starts-monday", at(11, day=17), TWO_HOURS, at(11, day=19), at(10, 36, day=19)),
]


@pytest.mark.parametrize(
    ("received", "standards", "due", "risk"),
    [c[1:] for c in FOLLOW_UP_CASES],
    ids=[c[0] for c in FOLLOW_UP_CASES],
)
def test_follow_up_deadline_in_working_time(
    received: datetime, standards: Standards, due: datetime, risk: datetime
) -> None:
    follow_up = email_deadlines(item(received), standards)[1]
    assert follow_up.standard == "email.follow_up"
    assert (follow_up.started_at, follow_up.due_at, follow_up.at_risk_at) == (received, due, risk)


FOLLOW_UP_STATUS = [
    ("before-warning", None, None, at(11, 36) - US, "pending"),
    ("warning-boundary", None, None, at(11, 36), "at_risk"),
    ("at-deadline-still-at-risk", None, None, at(12), "at_risk"),
    ("1us-after-breached", None, None, at(12) + US, "breached"),
    ("responded-at-deadline-met", at(12), None, at(15), "met"),
    ("responded-late-missed", at(12) + US, None, at(15), "missed"),
    ("closed-unanswered-still-breaches", None, at(10, 30), at(12) + US, "breached"),
    ("closed-then-answered-in-time", at(11), at(10, 30), at(15), "met"),
]


@pytest.mark.parametrize(
    ("responded", "closed", "now", "expected"),
    [c[1:] for c in FOLLOW_UP_STATUS],
    ids=[c[0] for c in FOLLOW_UP_STATUS],
)
def test_follow_up_status(
    responded: datetime | None, closed: datetime | None, now: datetime, expected: str
) -> None:
    follow_up = email_deadlines(item(at(10), responded=responded, closed=closed), TWO_HOURS)[1]
    assert follow_up.status(now) == expected


KPI_ITEMS = [
    item(at(10), at(10, 5), at(11), contact="e1"),
    item(at(10), at(10, 30), contact="e2"),
    item(at(11, 30), contact="e3"),
    item(at(11), at(11, 1), contact="e4"),
    item(at(15, day=12), at(15, 5, day=12), at(9, 30), contact="e5"),
    item(at(12), closed=at(12, 10), contact="e6"),
    item(at(13, 30), contact="e7"),
]
PENDING = {
    "pending": 3,
    "at_risk": 1,
    "breached_pending": 1,
    "unacknowledged_breached": 1,
    "oldest_pending_seconds": 10800.0,
    "next_breach_in_seconds": 0.0,
}
EMPTY = {
    "received": 0,
    "acknowledged_in_time": 0,
    "acknowledge_decided": 0,
    "acknowledge_rate": None,
    "responded_in_time": 0,
    "follow_up_decided": 0,
    "follow_up_rate": None,
}
KPI_CASES = [
    (
        "today",
        KPI_ITEMS,
        "today",
        {
            "received": 5,
            "acknowledged_in_time": 2,
            "acknowledge_decided": 5,
            "acknowledge_rate": 0.4,
            "responded_in_time": 1,
            "follow_up_decided": 3,
            "follow_up_rate": 0.333333,
            **PENDING,
        },
    ),
    ("rolling-30m-nothing-decided", KPI_ITEMS, "rolling_30m", {**EMPTY, **PENDING}),
    (
        "empty",
        [],
        "today",
        {
            **EMPTY,
            "pending": 0,
            "at_risk": 0,
            "breached_pending": 0,
            "unacknowledged_breached": 0,
            "oldest_pending_seconds": None,
            "next_breach_in_seconds": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("items", "window", "expected"), [c[1:] for c in KPI_CASES], ids=[c[0] for c in KPI_CASES]
)
def test_email_kpis(items: list[EmailItem], window: str, expected: dict[str, Any]) -> None:
    figures = email_kpis(items, window, at(13), TWO_HOURS)
    assert figures == expected
    assert json.loads(json.dumps(figures)) == figures


def test_state_round_trip() -> None:
    state = replay([*LIFE, ev("w", "webform.submitted", at(10, 1), channel="web")])
    data = json.loads(json.dumps(state.to_dict()))
    assert EmailState.from_dict(data) == state
    assert state.item is not None
    assert EmailItem.from_dict({**state.item.to_dict(), "extra": 1}) == state.item
    assert EmailState.from_dict(EmailState().to_dict()) == EmailState()


def test_optional_dimension_falls_back_to_a_later_event() -> None:
    state = replay([LIFE[0], ev("a", "email.acknowledged", at(10, 5), customer_segment="student")])
    assert state.item is not None and state.item.customer_segment == "student"


def test_events_past_the_cap_change_nothing() -> None:
    state = replay(
        [LIFE[0]]
        + [
            ev(f"x{n}", "email.closed", at(12), agent_id=None)
            for n in range(MAX_EVENTS_PER_CONTACT - 1)
        ]
    )
    result = apply_email_event(state, LIFE[1], STD)
    assert (result.state, result.upserted, result.duplicate) == (state, (), False)

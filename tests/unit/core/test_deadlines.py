"""Per-contact deadlines: status edges, the pending view and the next breach."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ct_sla_monitor.core.deadlines import Deadline, next_due, pending_summary, pending_view

T0 = datetime(2026, 1, 13, 10, 0, tzinfo=UTC)
US = 0.000001


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def dl(
    item_id: str = "c-1",
    *,
    start: float = 0.0,
    due: float = 100.0,
    risk: float | None = 80.0,
    satisfied: float | None = None,
    standard: str = "email.follow_up",
) -> Deadline:
    return Deadline(
        standard=standard,
        item_id=item_id,
        contact_id=item_id.split(":")[0],
        channel="email",
        queue="benefits",
        service_type="housing",
        customer_segment=None,
        started_at=at(start),
        due_at=at(due),
        at_risk_at=None if risk is None else at(risk),
        satisfied_at=None if satisfied is None else at(satisfied),
        event_ids=("e1", "e2"),
    )


STATUS_CASES = [
    ("fresh", None, 80.0, 0.0, "pending"),
    ("just-before-risk", None, 80.0, 80.0 - US, "pending"),
    ("at-risk-boundary", None, 80.0, 80.0, "at_risk"),
    ("exactly-at-due-not-breached", None, 80.0, 100.0, "at_risk"),
    ("one-us-after-due-breached", None, 80.0, 100.0 + US, "breached"),
    ("no-warning-before-due", None, None, 100.0, "pending"),
    ("no-warning-breach", None, None, 100.0 + US, "breached"),
    ("satisfied-exactly-at-due-met", 100.0, 80.0, 500.0, "met"),
    ("satisfied-one-us-late-missed", 100.0 + US, 80.0, 500.0, "missed"),
    ("satisfied-early-met", 10.0, 80.0, 10.0, "met"),
    ("satisfaction-not-known-yet", 10.0, 80.0, 9.0, "pending"),
    ("late-satisfaction-not-known-yet", 150.0, 80.0, 120.0, "breached"),
    ("late-satisfaction-known", 150.0, 80.0, 150.0, "missed"),
]


@pytest.mark.parametrize(
    ("satisfied", "risk", "now", "expected"),
    [case[1:] for case in STATUS_CASES],
    ids=[case[0] for case in STATUS_CASES],
)
def test_status(satisfied: float | None, risk: float | None, now: float, expected: str) -> None:
    assert dl(satisfied=satisfied, risk=risk).status(at(now)) == expected


DECIDED_CASES = [
    ("open", None, 50.0, None),
    ("open-at-due", None, 100.0, None),
    ("breach-decided-at-due", None, 100.0 + US, 100.0),
    ("met-decided-at-satisfaction", 40.0, 60.0, 40.0),
    ("missed-decided-at-satisfaction", 120.0, 130.0, 120.0),
    ("satisfaction-after-now-open", 90.0, 60.0, None),
]


@pytest.mark.parametrize(
    ("satisfied", "now", "expected"),
    [case[1:] for case in DECIDED_CASES],
    ids=[case[0] for case in DECIDED_CASES],
)
def test_decided_at(satisfied: float | None, now: float, expected: float | None) -> None:
    decided = dl(satisfied=satisfied).decided_at(at(now))
    assert decided == (None if expected is None else at(expected))


def test_dict_round_trip_is_exact_and_json_safe() -> None:
    d = dl(satisfied=42.5)
    data = d.to_dict()
    assert data == {
        "standard": "email.follow_up",
        "item_id": "c-1",
        "contact_id": "c-1",
        "channel": "email",
        "queue": "benefits",
        "service_type": "housing",
        "customer_segment": None,
        "started_at": "2026-01-13T10:00:00+00:00",
        "due_at": "2026-01-13T10:01:40+00:00",
        "at_risk_at": "2026-01-13T10:01:20+00:00",
        "satisfied_at": "2026-01-13T10:00:42.500000+00:00",
        "event_ids": ["e1", "e2"],
    }
    restored = Deadline.from_dict({**json.loads(json.dumps(data)), "status": "met", "x": 1})
    assert restored == d


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Deadline(
            standard="s",
            item_id="c",
            contact_id="c",
            channel="email",
            queue="q",
            service_type=None,
            customer_segment=None,
            started_at=datetime(2026, 1, 13, 10, 0),
            due_at=T0,
            at_risk_at=None,
            satisfied_at=None,
        )


MIXED = [
    dl("x1", due=300.0, risk=250.0),
    dl("z", due=100.0),
    dl("a", due=100.0),
    dl("sat", due=300.0, satisfied=150.0),
    dl("late-sat", due=400.0, risk=None, satisfied=500.0),
    dl("future", start=1000.0, due=1100.0, risk=None),
]


def test_pending_view_orders_soonest_due_first_ties_by_item_id() -> None:
    view = pending_view(list(reversed(MIXED)), at(200.0))
    assert [(v["item_id"], v["status"], v["seconds_to_due"]) for v in view] == [
        ("a", "breached", -100.0),
        ("z", "breached", -100.0),
        ("x1", "pending", 100.0),
        ("late-sat", "pending", 200.0),
    ]
    assert view[0]["due_at"] == "2026-01-13T10:01:40+00:00"
    assert Deadline.from_dict(view[2]) == MIXED[0]


def test_pending_view_empty() -> None:
    assert pending_view([], T0) == []


NEXT_CASES = [
    ("soonest-not-breached", MIXED, 200.0, "x1"),
    ("due-exactly-now-is-next", MIXED, 300.0, "x1"),
    ("one-us-later-moves-on", MIXED, 300.0 + US, "late-sat"),
    ("future-start-counts", MIXED, 450.0, "future"),
    ("all-breached", [dl("a", due=100.0), dl("b", due=50.0)], 200.0, None),
    ("empty", [], 0.0, None),
    ("tie-by-item-id", [dl("b", due=100.0), dl("a", due=100.0)], 0.0, "a"),
]


@pytest.mark.parametrize(
    ("deadlines", "now", "expected"),
    [case[1:] for case in NEXT_CASES],
    ids=[case[0] for case in NEXT_CASES],
)
def test_next_due(deadlines: list[Deadline], now: float, expected: str | None) -> None:
    found = next_due(deadlines, at(now))
    assert (None if found is None else found.item_id) == expected


def test_pending_summary_counts_every_open_deadline() -> None:
    rows = pending_view(
        [*MIXED, dl("r", start=10.0, due=500.0, risk=150.0, standard="email.acknowledge")],
        at(200.0),
    )
    assert pending_summary(rows) == {
        "total": 5,
        "standards": {
            "email.acknowledge": {
                "count": 1,
                "pending": 0,
                "at_risk": 1,
                "breached": 0,
                "oldest_started_at": "2026-01-13T10:00:10+00:00",
            },
            "email.follow_up": {
                "count": 4,
                "pending": 2,
                "at_risk": 0,
                "breached": 2,
                "oldest_started_at": "2026-01-13T10:00:00+00:00",
            },
        },
        "breached_items": {"email": 2},
        "next_due_seconds": 100.0,
    }


def test_pending_summary_counts_an_item_breached_twice_once_per_kind() -> None:
    rows = pending_view(
        [
            dl("m", due=100.0, standard="email.acknowledge"),
            dl("m", due=150.0, standard="email.follow_up"),
            dl("k:stage1", due=100.0, standard="complaint.acknowledge"),
        ],
        at(200.0),
    )
    summary = pending_summary(rows)
    assert summary["breached_items"] == {"complaint": 1, "email": 1}
    assert summary["next_due_seconds"] is None


def test_pending_summary_empty() -> None:
    assert pending_summary([]) == {
        "total": 0,
        "standards": {},
        "breached_items": {},
        "next_due_seconds": None,
    }

"""Complaints: stages 1 -> 2 -> 3, each stage's working-time deadline and the figures.

January 2026: London is on GMT, so local time equals UTC. 13 Jan is a Tuesday. The stage
allowances are overridden to 2, 4 and 8 working hours so that the cases stay readable.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ct_sla_monitor.core.complaint_items import (
    ComplaintItem,
    ComplaintStage,
    ComplaintState,
    apply_complaint_event,
    complaint_deadlines,
    complaint_kpis,
)
from ct_sla_monitor.core.standards import ComplaintStandards, Standards

STD = Standards(complaint=ComplaintStandards(stage_response_working_hours=(2.0, 4.0, 8.0)))


def at(h: int, m: int = 0, day: int = 13) -> datetime:
    return datetime(2026, 1, day, h, m, tzinfo=UTC)


def ev(event_id: str, kind: str, t: datetime, stage: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "event_id": event_id,
        "type": f"complaint.{kind}",
        "occurred_at": t.isoformat(),
        "contact_id": "k-1",
        "channel": "email",
        "queue": "complaints",
        "service_type": "waste",
        "query_reason": "complaint",
        "source": "crm",
    }
    if stage is not None:
        out["stage"] = stage
    return out


def replay(events: list[dict[str, Any]]) -> ComplaintState:
    state = ComplaintState()
    for e in events:
        state = apply_complaint_event(state, e, STD).state
    return state


PATH = [
    ev("r", "raised", at(10)),
    ev("p1", "responded", at(11), stage=1),
    ev("e2", "escalated", at(13), stage=2),
    ev("p2", "responded", at(9, 30, day=14), stage=2),
    ev("e3", "escalated", at(10, day=14), stage=3),
]


def test_escalation_path_builds_three_stages() -> None:
    item = replay(PATH).item
    assert item is not None
    assert item.current_stage == 3
    assert item.stages == (
        ComplaintStage(1, at(10), at(11)),
        ComplaintStage(2, at(13), at(9, 30, day=14)),
        ComplaintStage(3, at(10, day=14), None),
    )


def test_stage_deadlines_in_working_time() -> None:
    item = replay(PATH).item
    assert item is not None
    got = [
        (d.item_id, d.started_at, d.due_at, d.at_risk_at, d.satisfied_at, d.status(at(12, day=14)))
        for d in complaint_deadlines(item, STD)
    ]
    assert got == [
        ("k-1:stage1", at(10), at(12), at(11, 36), at(11), "met"),
        ("k-1:stage2", at(13), at(17), at(16, 12), at(9, 30, day=14), "missed"),
        ("k-1:stage3", at(10, day=14), at(10, day=15), at(16, 24, day=14), None, "pending"),
    ]


def test_any_arrival_order_and_duplicates_give_the_same_state() -> None:
    expected = replay(PATH).to_dict()
    for order in itertools.permutations(PATH):
        assert replay([*order, order[0]]).to_dict() == expected


def test_response_before_its_escalation_waits_for_it() -> None:
    early = replay([PATH[0], PATH[3]])
    assert early.item is not None and early.item.stage(2) is None
    result = apply_complaint_event(early, PATH[2], STD)
    assert result.state.item is not None
    assert result.state.item.stage(2) == ComplaintStage(2, at(13), at(9, 30, day=14))
    assert result.upserted == (result.state.item,) and result.retracted == ()


def test_escalation_straight_to_stage_3() -> None:
    item = replay([PATH[0], PATH[4]]).item
    assert item is not None
    assert ([s.stage for s in item.stages], item.current_stage) == ([1, 3], 3)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (ev("x", "escalated", at(12), stage=1), "needs a stage"),
        (ev("x", "responded", at(12)), "needs a stage"),
        (ev("x", "responded", at(12), stage=4), "needs a stage"),
        ({**ev("x", "escalated", at(12)), "stage": "2"}, "stage must be an integer"),
        ({**ev("x", "raised", at(12)), "type": "visit.called"}, "not one of"),
    ],
    ids=["escalate-to-1", "response-without-stage", "stage-4", "stage-as-text", "other-type"],
)
def test_bad_events_are_value_errors(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_complaint_event(ComplaintState(), event, STD)


def complaint(contact: str, raised: datetime, *stages: ComplaintStage) -> ComplaintItem:
    return ComplaintItem(
        contact_id=contact,
        channel="email",
        queue="complaints",
        service_type="waste",
        query_reason="complaint",
        customer_segment=None,
        customer_ref=None,
        raised_at=raised,
        stages=stages,
    )


WED = 14
KPI_ITEMS = [
    complaint(
        "k1",
        at(10),
        ComplaintStage(1, at(10), at(11)),
        ComplaintStage(2, at(13), at(9, 30, day=WED)),
        ComplaintStage(3, at(10, day=WED)),
    ),
    complaint(
        "k2",
        at(9, day=WED),
        ComplaintStage(1, at(9, day=WED), at(10, 30, day=WED)),
        ComplaintStage(2, at(11, day=WED)),
    ),
    complaint("k3", at(9, 30, day=WED), ComplaintStage(1, at(9, 30, day=WED))),
    complaint("k4", at(11, 30, day=WED), ComplaintStage(1, at(11, 30, day=WED), at(13, day=WED))),
]


def stage_figures(
    responded: int, in_time: int, rate: float | None, hours: float | None, open_: int, overdue: int
) -> dict[str, Any]:
    return {
        "responded": responded,
        "responded_in_time": in_time,
        "responded_in_time_rate": rate,
        "mean_response_working_hours": hours,
        "open": open_,
        "overdue": overdue,
    }


KPI_CASES = [
    (
        "wednesday-noon-today",
        KPI_ITEMS,
        {
            "raised": 3,
            "escalated_to_stage_2": 1,
            "escalated_to_stage_3": 1,
            "escalated": 1,
            "escalation_rate": 0.333333,
            "stages": {
                "1": stage_figures(1, 1, 1.0, 1.5, 2, 1),
                "2": stage_figures(1, 0, 0.0, 4.5, 1, 0),
                "3": stage_figures(0, 0, None, None, 1, 0),
            },
        },
    ),
    (
        "empty",
        [],
        {
            "raised": 0,
            "escalated_to_stage_2": 0,
            "escalated_to_stage_3": 0,
            "escalated": 0,
            "escalation_rate": None,
            "stages": {str(n): stage_figures(0, 0, None, None, 0, 0) for n in (1, 2, 3)},
        },
    ),
]


@pytest.mark.parametrize(
    ("items", "expected"), [c[1:] for c in KPI_CASES], ids=[c[0] for c in KPI_CASES]
)
def test_complaint_kpis(items: list[ComplaintItem], expected: dict[str, Any]) -> None:
    figures = complaint_kpis(items, "today", at(12, day=WED), STD)
    assert figures == expected
    assert json.loads(json.dumps(figures)) == figures


def test_round_trips() -> None:
    state = replay(PATH)
    assert ComplaintState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert state.item is not None
    data = state.item.to_dict()
    assert data["current_stage"] == 3
    assert data["stages"][2] == {
        "stage": 3,
        "opened_at": "2026-01-14T10:00:00+00:00",
        "responded_at": None,
    }
    assert ComplaintItem.from_dict({**data, "unknown": True}) == state.item

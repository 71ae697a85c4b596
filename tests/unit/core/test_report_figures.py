"""The monthly report's own figures: fix-time distribution by query reason, top counts,
complaint figures pooled over scopes, and target verdicts (table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ct_sla_monitor.core.case_items import CaseItem
from ct_sla_monitor.core.report_figures import (
    fix_time_distribution,
    meets_target,
    pool_complaints,
    top_counts,
)
from ct_sla_monitor.core.standards import Standards

MONDAY_9 = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)  # 09:00 in London (BST)


def case(n: int, minutes: float | None, reason: str | None, opened: bool = True) -> CaseItem:
    return CaseItem(
        item_id=f"k{n}",
        channel="phone",
        queue="q",
        query_reason=reason,
        opened_at=MONDAY_9 if opened else None,
        resolved_at=None if minutes is None else MONDAY_9 + timedelta(minutes=minutes),
        resolution="first_contact",
        contacts=1,
    )


@pytest.mark.parametrize(
    ("cases", "wanted"),
    [
        ([], {}),
        # unresolved, or never opened: no fix time
        ([case(1, None, "query"), case(2, 30, "query", opened=False)], {}),
        # one case: every quantile is its fix time; 30 min = 0.5 h, all in working time
        (
            [case(1, 30, "query")],
            {"query": {"cases": 1, "p10": 0.5, "median": 0.5, "p90": 0.5, "mean": 0.5}},
        ),
        # ten cases of 1..10 hours from Monday 09:00: nearest rank p10 = 1, median = 5,
        # p90 = 9, mean 5.5; working time stops at 17:00 (8 h), then resumes Tuesday 09:00
        (
            [case(i, 60 * i, "problem") for i in range(1, 11)],
            {"problem": {"cases": 10, "p10": 1.0, "median": 5.0, "p90": 9.0, "mean": 5.5}},
        ),
        # no reason: "unknown"; reasons apart
        (
            [case(1, 6, None), case(2, 60, "problem")],
            {
                "problem": {"cases": 1, "p10": 1.0, "median": 1.0, "p90": 1.0, "mean": 1.0},
                "unknown": {"cases": 1, "p10": 0.1, "median": 0.1, "p90": 0.1, "mean": 0.1},
            },
        ),
    ],
)
def test_fix_time_distribution(cases: list[CaseItem], wanted: dict[str, Any]) -> None:
    found = fix_time_distribution(cases, Standards())
    assert list(found) == list(wanted)
    for reason, w in wanted.items():
        assert found[reason]["cases"] == w["cases"]
        calendar = found[reason]["calendar_hours"]
        assert (calendar["p10"], calendar["median"], calendar["p90"]) == (
            w["p10"],
            w["median"],
            w["p90"],
        )
        assert calendar["mean"] == w["mean"]


def test_fix_time_in_working_hours_stops_outside_opening_hours() -> None:
    # 10 h from Monday 09:00 (London) ends Monday 19:00: 8 working hours
    found = fix_time_distribution([case(1, 600, "query")], Standards())
    assert found["query"]["calendar_hours"]["max"] == 10.0
    assert found["query"]["working_hours"]["max"] == 8.0


@pytest.mark.parametrize(
    ("counts", "n", "wanted"),
    [
        ({}, 3, []),
        ({"a": 0}, 3, []),
        ({"a": 1, "b": 3}, 3, [("b", 3, 0.75), ("a", 1, 0.25)]),
        # ties by name; the share is of the whole table, not of the top n
        ({"b": 2, "a": 2, "c": 1, "d": 5}, 2, [("d", 5, 0.5), ("a", 2, 0.2)]),
    ],
)
def test_top_counts(counts: dict[str, int], n: int, wanted: list[tuple[str, int, float]]) -> None:
    assert [(t["name"], t["count"], t["share"]) for t in top_counts(counts, n)] == wanted


def stage(
    responded: int, in_time: int, hours: float | None, open_: int = 0, overdue: int = 0
) -> dict[str, Any]:
    return {
        "responded": responded,
        "responded_in_time": in_time,
        "mean_response_working_hours": hours,
        "open": open_,
        "overdue": overdue,
    }


def part(raised: int, escalated: int, stages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "raised": raised,
        "escalated": escalated,
        "escalated_to_stage_2": escalated,
        "escalated_to_stage_3": 0,
        "stages": stages,
    }


def test_pool_complaints_sums_counts_and_weights_means() -> None:
    pooled = pool_complaints(
        [
            part(3, 1, {"1": stage(2, 2, 10.0), "2": stage(0, 0, None, open_=1, overdue=1)}),
            part(1, 0, {"1": stage(1, 0, 40.0, open_=1)}),
        ]
    )
    assert (pooled["raised"], pooled["escalated"], pooled["escalation_rate"]) == (4, 1, 0.25)
    one = pooled["stages"]["1"]
    # (2 x 10 h + 1 x 40 h) / 3 responses = 20 h
    assert (one["responded"], one["responded_in_time"], one["mean_response_working_hours"]) == (
        3,
        2,
        20.0,
    )
    assert one["responded_in_time_rate"] == 0.666667
    two = pooled["stages"]["2"]
    assert (two["open"], two["overdue"], two["responded_in_time_rate"]) == (1, 1, None)
    assert pooled["stages"]["3"]["responded"] == 0


def test_pool_of_nothing_is_zero() -> None:
    pooled = pool_complaints([])
    assert pooled["raised"] == 0 and pooled["escalation_rate"] is None
    assert set(pooled["stages"]) == {"1", "2", "3"}


@pytest.mark.parametrize(
    ("value", "target", "direction", "wanted"),
    [
        (None, 0.8, "min", None),
        (0.8, 0.8, "min", True),
        (0.799999, 0.8, "min", False),
        (0.05, 0.05, "max", True),
        (0.050001, 0.05, "max", False),
        (0.0, 0.0, "min", True),
    ],
)
def test_meets_target(
    value: float | None, target: float, direction: str, wanted: bool | None
) -> None:
    assert meets_target(value, target, direction) is wanted


def test_meets_target_refuses_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="direction"):
        meets_target(1.0, 1.0, "exactly")

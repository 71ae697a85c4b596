"""Wait and ring-time histograms: cumulative buckets where "within" means <=."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ct_sla_monitor.core.call_histograms import call_histograms, histogram
from ct_sla_monitor.core.call_records import CallLeg
from ct_sla_monitor.core.standards import CallStandards

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "bounds", "buckets", "total"),
    [
        ([], (5.0, 20.0), [["5.0", 0], ["20.0", 0], ["+Inf", 0]], 0.0),
        ([5.0, 20.0], (5.0, 20.0), [["5.0", 1], ["20.0", 2], ["+Inf", 2]], 25.0),  # on bound
        ([5.001, 20.001], (5.0, 20.0), [["5.0", 0], ["20.0", 1], ["+Inf", 2]], 25.002),
        ([3.0, 12.0, 13.0, 25.0], (5.0, 20.0), [["5.0", 1], ["20.0", 3], ["+Inf", 4]], 53.0),
    ],
    ids=["empty", "exactly-on-bounds", "just-past-bounds", "mix"],
)
def test_histogram(
    values: list[float], bounds: tuple[float, ...], buckets: list[list[object]], total: float
) -> None:
    assert histogram(values, bounds) == {"buckets": buckets, "sum": total, "count": len(values)}


def _leg(n: int, outcome: str, finished: datetime | None, wait: float, ring: float) -> CallLeg:
    return CallLeg(
        leg_id=f"c{n}:1",
        contact_id=f"c{n}",
        channel="phone",
        queue="q",
        service_type="s",
        queued_at=NOW - timedelta(hours=1),
        outcome=outcome,
        finished_at=finished,
        wait_s=wait,
        ring_s=ring if outcome == "answered" else None,
        rings=1 if outcome == "answered" else None,
    )


def test_only_answered_calls_of_the_window_count() -> None:
    legs = [
        _leg(1, "answered", NOW - timedelta(minutes=5), 3.0, 3.0),
        _leg(2, "answered", NOW - timedelta(minutes=6), 25.0, 12.0),
        _leg(3, "abandoned", NOW - timedelta(minutes=7), 40.0, 0.0),  # not answered
        _leg(4, "answered", NOW - timedelta(days=1), 1.0, 1.0),  # yesterday
        _leg(5, "answered", NOW + timedelta(minutes=1), 1.0, 1.0),  # after now
    ]
    result = call_histograms(legs, "today", NOW, CallStandards())
    wait = result["wait_seconds"]
    assert (wait["count"], wait["sum"]) == (2, 28.0)
    assert wait["buckets"][:4] == [["5.0", 1], ["10.0", 1], ["20.0", 1], ["30.0", 2]]
    ring = result["ring_seconds"]
    assert ring["buckets"][:4] == [["3.0", 1], ["6.0", 1], ["9.0", 1], ["12.0", 2]]

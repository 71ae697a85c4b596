"""Distributions of call waits and ring times, as cumulative histogram buckets, so that
Prometheus can compute rates and quantiles itself (``contact_wait_seconds``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from .call_records import CallLeg
from .standards import CallStandards
from .windows import window_test

#: upper bounds (seconds, "within" = <=) of the wait buckets: around the 20 s standard
WAIT_BUCKETS: tuple[float, ...] = (5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
#: upper bounds of the ring-time buckets: whole rings of the 3 s UK cadence
RING_BUCKETS: tuple[float, ...] = (3.0, 6.0, 9.0, 12.0, 15.0, 30.0, 60.0)


def histogram(values: Sequence[float], bounds: Sequence[float]) -> dict[str, Any]:
    """Cumulative bucket counts (value <= bound), then ``+Inf``, with the sum and count."""
    ordered = sorted(values)
    buckets = [[str(bound), sum(1 for v in ordered if v <= bound)] for bound in bounds]
    buckets.append(["+Inf", len(ordered)])
    return {"buckets": buckets, "sum": round(sum(ordered), 3), "count": len(ordered)}


def call_histograms(
    legs: Iterable[CallLeg], window: str, now: datetime, standards: CallStandards
) -> dict[str, dict[str, Any]]:
    """The wait and ring-time histograms of the calls answered in ``window`` at ``now``."""
    inside = window_test(window, now, standards.tz)
    answered = sorted(
        (
            leg
            for leg in legs
            if leg.outcome == "answered" and leg.finished_at is not None and inside(leg.finished_at)
        ),
        key=lambda leg: leg.leg_id,
    )
    return {
        "wait_seconds": histogram([leg.wait_s or 0.0 for leg in answered], WAIT_BUCKETS),
        "ring_seconds": histogram([leg.ring_s or 0.0 for leg in answered], RING_BUCKETS),
    }

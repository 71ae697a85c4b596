"""The live worker's two wall-clock decisions, table-driven: the instant a tick lets a
scope's deadlines fall due at, and how long a scope's next snapshot waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ct_sla_monitor.agents import MAX_PUBLISH_WAIT_S, publish_wait_s, tick_instant

WALL = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
W = WALL.timestamp()


LATENESS_S = 300.0


@pytest.mark.parametrize(
    ("clock", "seen_ago_s", "expected", "why"),
    [
        (None, 0.0, WALL, "no event yet: the wall clock"),
        (WALL - timedelta(seconds=0.2), 0.2, WALL, "real time: the wall clock"),
        (WALL - timedelta(minutes=4), 0.1, WALL, "a late event, within the lateness"),
        (WALL - timedelta(minutes=5), 0.1, WALL, "exactly the allowed lateness behind"),
        (
            WALL - timedelta(minutes=10),
            60.0,
            WALL - timedelta(minutes=9),
            "catching up: the event clock moved on by the wall time since",
        ),
        (WALL - timedelta(minutes=10), 3600.0, WALL, "never past the wall clock"),
        (
            datetime(2026, 10, 2, 9, 0, tzinfo=UTC),
            0.05,
            datetime(2026, 10, 2, 9, 0, 0, 50000, tzinfo=UTC),
            "a backfill of October: moves with the events, not to November",
        ),
        (WALL + timedelta(seconds=30), 1.0, WALL, "an event ahead of the wall clock"),
    ],
)
def test_tick_instant(
    clock: datetime | None, seen_ago_s: float, expected: datetime, why: str
) -> None:
    assert tick_instant(W, clock, W - seen_ago_s, LATENESS_S) == expected, why


@pytest.mark.parametrize(
    ("interval", "cost", "scopes", "expected"),
    [
        (0.5, 0.001, 10, 0.5),  # cheap snapshots: the publish interval
        (0.5, 0.01, 40, 1.6),  # four times the cost for every scope
        (0.5, 0.2, 40, MAX_PUBLISH_WAIT_S),  # capped
        (2.0, 0.0, 0, 2.0),
    ],
)
def test_publish_wait(interval: float, cost: float, scopes: int, expected: float) -> None:
    assert publish_wait_s(interval, cost, scopes) == pytest.approx(expected)

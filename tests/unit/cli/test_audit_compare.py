"""ct audit's comparison: a live alert record repeated byte for byte (redelivered after a
worker's crash) counts once and is reported; every other mismatch is a difference."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ct_cli.audit import compare, print_report
from ct_sla_monitor.replay_engine import ReplayResult

UNTIL = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def alert(n: int, state: str = "raised") -> dict[str, Any]:
    return {
        "alert_id": f"a{n}",
        "at": f"2026-11-23T10:0{n}:00+00:00",
        "scope": "phone/housing",
        "standard": "answer_within_rings",
        "state": state,
    }


def snapshot(**figures: Any) -> dict[str, Any]:
    return {
        "scope": {"key": "phone/housing"},
        "as_of": "2026-11-23T11:00:00+00:00",
        "pending_as_of": "2026-11-23T11:59:00+00:00",
        "pending": [{"wall": "clock"}],
        **figures,
    }


def replay(alerts: list[dict[str, Any]], **figures: Any) -> ReplayResult:
    result = ReplayResult(window="rolling_15m", standards_version="v1", events=10)
    result.alerts = alerts
    result.snapshots = {"phone/housing": snapshot(**figures)}
    return result


@pytest.mark.parametrize(
    ("live", "replayed", "redelivered", "differences"),
    [
        ([alert(1), alert(2)], [alert(1), alert(2)], 0, 0),
        ([alert(1), alert(1), alert(2)], [alert(1), alert(2)], 1, 0),  # one repeat
        ([alert(1)] * 3, [alert(1)], 2, 0),
        ([alert(1)], [alert(1), alert(2)], 0, 1),  # a transition live never recorded
        ([alert(1), alert(2)], [alert(1)], 0, 1),  # one the replay never raised
        ([alert(1), alert(2, "cleared")], [alert(1), alert(2)], 0, 2),
        ([alert(1)], [alert(1), alert(1)], 0, 1),  # a replay raising one twice is a bug
    ],
)
def test_alerts(
    live: list[dict[str, Any]], replayed: list[dict[str, Any]], redelivered: int, differences: int
) -> None:
    report = compare(
        replay(replayed, offered=3), live, {"phone/housing": snapshot(offered=3)}, None, UNTIL
    )
    assert report.redelivered_alerts == redelivered
    assert len(report.differences) == differences
    assert ("redelivered" in print_report(report)) == bool(redelivered)


def test_figures_differ_by_path_and_wall_clock_keys_are_ignored() -> None:
    live = {"phone/housing": {**snapshot(offered=3, answered=2), "pending": []}}
    report = compare(replay([], offered=3, answered=1), [], live, None, UNTIL)
    assert report.differences == [
        {"kind": "figure", "scope": "phone/housing", "path": "answered", "live": 2, "replay": 1}
    ]

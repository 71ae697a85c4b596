"""Late events: on time, late (within the allowance) or too late, and their counters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ct_sla_monitor.core.lateness import LatenessCounters, classify_lateness

WATERMARK = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("event_time", "watermark", "allowed_s", "expected"),
    [
        pytest.param(WATERMARK - timedelta(days=1), None, 300, "on_time", id="no-watermark-yet"),
        pytest.param(WATERMARK, WATERMARK, 300, "on_time", id="exactly-at-watermark"),
        pytest.param(WATERMARK + US, WATERMARK, 300, "on_time", id="after-watermark"),
        pytest.param(WATERMARK - US, WATERMARK, 300, "late", id="one-microsecond-late"),
        pytest.param(
            WATERMARK - timedelta(seconds=300), WATERMARK, 300, "late", id="exactly-allowed-is-late"
        ),
        pytest.param(
            WATERMARK - timedelta(seconds=300) - US, WATERMARK, 300, "too_late", id="just-beyond"
        ),
        pytest.param(WATERMARK - timedelta(hours=1), WATERMARK, 300, "too_late", id="an-hour"),
        pytest.param(WATERMARK - US, WATERMARK, 0, "too_late", id="no-allowance"),
        pytest.param(
            datetime(2026, 1, 14, 10, 56, tzinfo=PLUS_ONE),
            WATERMARK,
            300,
            "late",
            id="other-offset-4-min-late",
        ),
    ],
)
def test_classify_lateness(
    event_time: datetime, watermark: datetime | None, allowed_s: float, expected: str
) -> None:
    assert classify_lateness(event_time, watermark, allowed_s) == expected


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        classify_lateness(datetime(2026, 1, 14, 9, 0), WATERMARK, 300)


@pytest.mark.parametrize(
    ("verdicts", "late", "too_late"),
    [
        pytest.param([], 0, 0, id="none"),
        pytest.param(["on_time", "on_time"], 0, 0, id="on-time-not-counted"),
        pytest.param(["late", "on_time", "late"], 2, 0, id="late-only"),
        pytest.param(["too_late", "late", "too_late", "on_time"], 1, 2, id="each-kind-its-own"),
    ],
)
def test_counters(verdicts: list[str], late: int, too_late: int) -> None:
    counters = LatenessCounters()
    for verdict in verdicts:
        counters = counters.add(verdict)
    assert counters == LatenessCounters(late_events_total=late, too_late_events_total=too_late)
    assert LatenessCounters.from_dict(json.loads(json.dumps(counters.to_dict()))) == counters


def test_unknown_verdict_and_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        LatenessCounters().add("early")
    with pytest.raises(ValueError):
        LatenessCounters.from_dict({"late_events_total": -1})

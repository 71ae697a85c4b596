"""The scripted twelve-call phone scenario and its hand-worked figures.

Every expected number is worked out by hand from METRICS.md (T = 20 s, short abandon
< 5 s, 3 s ring cycle, answered within 4 rings). Used by the handler unit test and the
end-to-end test, so both judge the same story.
"""

from __future__ import annotations

from typing import Any

DAY = "2026-11-23T"  # London is on UTC in November


def ev(n: int, kind: str, hhmmss: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"s{n}-{kind}",
        "type": f"call.{kind}",
        "occurred_at": f"{DAY}{hhmmss}Z",
        "contact_id": f"scenario-call-{n}",
        "channel": "phone",
        "queue": "council_tax",
        "service_type": "council_tax",
        "source": "e2e",
        **extra,
    }


# Posted in this order. Out of order: call 4's ringing after its answer; call 10's
# answer before its queued and ringing. Call 12's answer is posted twice.
POSTS = [
    ev(1, "queued", "09:30:00"),
    ev(1, "ringing", "09:30:00"),
    ev(1, "answered", "09:30:03"),
    ev(2, "queued", "09:45:00"),
    ev(2, "ringing", "09:45:00"),
    ev(2, "answered", "09:45:12"),
    ev(3, "queued", "10:02:00"),
    ev(3, "ringing", "10:02:00"),
    ev(3, "answered", "10:02:13"),
    ev(4, "queued", "10:03:00"),
    ev(4, "answered", "10:03:25"),
    ev(4, "ringing", "10:03:05"),
    ev(5, "queued", "10:04:00"),
    ev(5, "answered", "10:04:20"),
    ev(6, "queued", "10:05:00"),
    ev(6, "abandoned", "10:05:04"),
    ev(7, "queued", "10:06:00"),
    ev(7, "abandoned", "10:06:15"),
    ev(8, "queued", "10:07:00"),
    ev(8, "abandoned", "10:07:45"),
    ev(8, "ended", "10:07:45"),
    ev(9, "queued", "10:08:00"),
    ev(9, "ringing", "10:08:02"),
    ev(9, "answered", "10:08:10", rings=2),
    ev(10, "answered", "10:09:07"),
    ev(10, "queued", "10:09:00"),
    ev(10, "ringing", "10:09:01"),
    ev(11, "queued", "10:10:00"),
    ev(12, "queued", "10:10:30"),
    ev(12, "ringing", "10:10:40"),
    ev(12, "answered", "10:10:50"),
    ev(12, "answered", "10:10:50"),
    ev(12, "ended", "10:11:30"),
]

# Event time of the figures: the last event, 10:11:30. Call 11 has waited 90 s.
# today: all.  rolling_60m: (09:11:30, 10:11:30] holds every call, so it equals today.
# rolling_30m: (09:41:30, 10:11:30] drops call 1.  rolling_15m drops 1 and 2.
# interval_15m: [10:00:00, 10:11:30], the current quarter hour: also calls 3 to 12 (no
# call ends between 09:56:30 and 10:00), so it equals rolling_15m.
EXPECTED: dict[str, dict[str, Any]] = {
    "today": {
        "offered": 10,
        "answered": 8,
        "abandoned": 2,
        "short_abandoned": 1,
        "answered_within_rings": 5,
        "asa_seconds": 13.75,
        "wait_p90_seconds": 25.0,
        "service_level": {
            "answered": 0.875,
            "offered": 0.7,
            "ignore_abandons": 0.777778,
            "positive_abandons": 0.8,
        },
    },
    "rolling_60m": {
        "offered": 10,
        "answered": 8,
        "abandoned": 2,
        "short_abandoned": 1,
        "answered_within_rings": 5,
        "asa_seconds": 13.75,
        "wait_p90_seconds": 25.0,
        "service_level": {
            "answered": 0.875,
            "offered": 0.7,
            "ignore_abandons": 0.777778,
            "positive_abandons": 0.8,
        },
    },
    "rolling_30m": {
        "offered": 9,
        "answered": 7,
        "abandoned": 2,
        "short_abandoned": 1,
        "answered_within_rings": 4,
        "asa_seconds": 15.286,
        "wait_p90_seconds": 25.0,
        "service_level": {
            "answered": 0.857143,
            "offered": 0.666667,
            "ignore_abandons": 0.75,
            "positive_abandons": 0.777778,
        },
    },
    "rolling_15m": {
        "offered": 8,
        "answered": 6,
        "abandoned": 2,
        "short_abandoned": 1,
        "answered_within_rings": 3,
        "asa_seconds": 15.833,
        "wait_p90_seconds": 25.0,
        "service_level": {
            "answered": 0.833333,
            "offered": 0.625,
            "ignore_abandons": 0.714286,
            "positive_abandons": 0.75,
        },
    },
    "interval_15m": {
        "offered": 8,
        "answered": 6,
        "abandoned": 2,
        "short_abandoned": 1,
        "answered_within_rings": 3,
        "asa_seconds": 15.833,
        "wait_p90_seconds": 25.0,
        "service_level": {
            "answered": 0.833333,
            "offered": 0.625,
            "ignore_abandons": 0.714286,
            "positive_abandons": 0.75,
        },
    },
}
LIVE = {
    "waiting_now": 1,
    "longest_wait_seconds": 90.0,
    "standards_version": "charter-2026.1",
    "as_of": "2026-11-23T10:11:30+00:00",
}


def wanted() -> dict[str, dict[str, Any]]:
    """Per window: the expected figures plus the window-independent live ones."""
    return {window: {**figures, **LIVE} for window, figures in EXPECTED.items()}


def observed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The same keys picked out of KPI rows (one per window)."""
    keys = [*EXPECTED["today"], *LIVE]
    return {row["window"]: {k: row.get(k) for k in keys} for row in rows}

"""Windows: local midnight (DST days, other zones) and rolling-window boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ct_sla_monitor.core.windows import WINDOWS, in_window, window_start

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
SYDNEY = ZoneInfo("Australia/Sydney")
US = timedelta(microseconds=1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (utc(2026, 1, 14, 10, 0), LONDON, utc(2026, 1, 14, 0, 0)),
        (utc(2026, 7, 1, 10, 0), LONDON, utc(2026, 6, 30, 23, 0)),
        # 2026-03-29: 01:00 GMT -> 02:00 BST, a 23 h day from 00:00Z to 23:00Z.
        (utc(2026, 3, 29, 12, 0), LONDON, utc(2026, 3, 29, 0, 0)),
        (utc(2026, 3, 29, 22, 59, 59), LONDON, utc(2026, 3, 29, 0, 0)),
        (utc(2026, 3, 29, 23, 0), LONDON, utc(2026, 3, 29, 23, 0)),
        # 2026-10-25: 02:00 BST -> 01:00 GMT, a 25 h day from 24th 23:00Z to 26th 00:00Z.
        (utc(2026, 10, 25, 0, 30), LONDON, utc(2026, 10, 24, 23, 0)),
        (utc(2026, 10, 25, 1, 30), LONDON, utc(2026, 10, 24, 23, 0)),
        (utc(2026, 10, 25, 23, 59, 59), LONDON, utc(2026, 10, 24, 23, 0)),
        (utc(2026, 10, 26, 0, 0), LONDON, utc(2026, 10, 26, 0, 0)),
        (utc(2026, 1, 14, 3, 0), NEW_YORK, utc(2026, 1, 13, 5, 0)),
        # 2026-03-08 in New York: 02:00 EST -> 03:00 EDT; midnight is still EST.
        (utc(2026, 3, 8, 12, 0), NEW_YORK, utc(2026, 3, 8, 5, 0)),
        (utc(2026, 1, 14, 20, 0), KOLKATA, utc(2026, 1, 14, 18, 30)),
        (utc(2026, 1, 14, 12, 0), SYDNEY, utc(2026, 1, 13, 13, 0)),
    ],
    ids=[
        "london-winter",
        "london-summer",
        "spring-dst-midday",
        "spring-dst-last-second",
        "spring-dst-next-midnight",
        "autumn-dst-first-0130",
        "autumn-dst-second-0130",
        "autumn-dst-last-second",
        "autumn-dst-next-midnight",
        "new-york-evening",
        "new-york-dst-day",
        "kolkata-half-hour-offset",
        "sydney-ahead-of-utc",
    ],
)
def test_today_starts_at_local_midnight(now: datetime, tz: ZoneInfo, expected: datetime) -> None:
    start = window_start("today", now, tz)
    assert start == expected
    assert start.utcoffset() == timedelta(0)


def test_today_start_accepts_non_utc_now() -> None:
    now = datetime(2026, 3, 29, 14, 0, tzinfo=LONDON)  # 13:00Z
    assert window_start("today", now, LONDON) == utc(2026, 3, 29, 0, 0)


@pytest.mark.parametrize(
    ("window", "expected"),
    [("rolling_15m", utc(2026, 1, 14, 9, 45)), ("rolling_30m", utc(2026, 1, 14, 9, 30))],
    ids=["15m", "30m"],
)
def test_rolling_start(window: str, expected: datetime) -> None:
    assert window_start(window, utc(2026, 1, 14, 10, 0), LONDON) == expected


NOW = utc(2026, 1, 14, 10, 0)


@pytest.mark.parametrize(
    ("t", "window", "now", "tz", "expected"),
    [
        (utc(2026, 1, 13, 23, 59, 59), "today", NOW, LONDON, False),
        (utc(2026, 1, 14, 0, 0), "today", NOW, LONDON, True),
        (NOW, "today", NOW, LONDON, True),
        (NOW + US, "today", NOW, LONDON, False),
        (utc(2026, 1, 14, 0, 0), "today", utc(2026, 1, 14, 0, 0), LONDON, True),
        (utc(2026, 1, 14, 0, 0) - US, "today", utc(2026, 1, 14, 0, 0), LONDON, False),
        (utc(2026, 3, 28, 23, 59, 59), "today", utc(2026, 3, 29, 12), LONDON, False),
        (utc(2026, 3, 29, 0, 0), "today", utc(2026, 3, 29, 12), LONDON, True),
        (utc(2026, 10, 24, 22, 59, 59), "today", utc(2026, 10, 25, 12), LONDON, False),
        (utc(2026, 10, 24, 23, 0), "today", utc(2026, 10, 25, 12), LONDON, True),
        (utc(2026, 6, 30, 22, 59, 59), "today", utc(2026, 7, 1, 10), LONDON, False),
        (utc(2026, 6, 30, 23, 0), "today", utc(2026, 7, 1, 10), LONDON, True),
        (utc(2026, 1, 14, 4, 59, 59), "today", utc(2026, 1, 14, 12), NEW_YORK, False),
        (utc(2026, 1, 14, 5, 0), "today", utc(2026, 1, 14, 12), NEW_YORK, True),
        (utc(2026, 1, 14, 9, 45), "rolling_15m", NOW, LONDON, False),
        (utc(2026, 1, 14, 9, 45) + US, "rolling_15m", NOW, LONDON, True),
        (NOW, "rolling_15m", NOW, LONDON, True),
        (NOW + US, "rolling_15m", NOW, LONDON, False),
        (utc(2026, 1, 14, 9, 30), "rolling_30m", NOW, LONDON, False),
        (utc(2026, 1, 14, 9, 30, 0, 1000), "rolling_30m", NOW, LONDON, True),
        (NOW, "rolling_30m", NOW, LONDON, True),
        (NOW + timedelta(minutes=5), "rolling_30m", NOW, LONDON, False),
    ],
    ids=[
        "today-yesterday-235959",
        "today-midnight",
        "today-now",
        "today-future",
        "today-now-is-midnight",
        "today-just-before-midnight-now",
        "spring-dst-yesterday-235959",
        "spring-dst-midnight",
        "autumn-dst-yesterday-235959-bst",
        "autumn-dst-midnight-bst",
        "summer-yesterday-235959",
        "summer-midnight",
        "new-york-yesterday-235959",
        "new-york-midnight",
        "15m-start-excluded",
        "15m-just-after-start",
        "15m-now-included",
        "15m-future-excluded",
        "30m-start-excluded",
        "30m-just-after-start",
        "30m-now-included",
        "30m-future-excluded",
    ],
)
def test_in_window(t: datetime, window: str, now: datetime, tz: ZoneInfo, expected: bool) -> None:
    assert in_window(t, window, now, tz) is expected


def test_windows_are_the_published_four() -> None:
    assert WINDOWS == ("today", "rolling_15m", "rolling_30m", "rolling_60m")


@pytest.mark.parametrize(
    "window", ["rolling_45m", "rolling_120m", "week", ""], ids=["45m", "120m", "week", "empty"]
)
def test_unknown_window_is_value_error(window: str) -> None:
    with pytest.raises(ValueError, match="unknown window"):
        window_start(window, NOW, LONDON)
    with pytest.raises(ValueError, match="unknown window"):
        in_window(NOW, window, NOW, LONDON)


@pytest.mark.parametrize(
    ("t", "now"),
    [(datetime(2026, 1, 14, 9, 0), NOW), (NOW, datetime(2026, 1, 14, 10, 0))],
    ids=["naive-t", "naive-now"],
)
def test_naive_datetimes_are_rejected(t: datetime, now: datetime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_window(t, "today", now, LONDON)


# --- the current clock-aligned 15-minute interval ---------------------------------------
_LONDON = ZoneInfo("Europe/London")
_KATHMANDU = ZoneInfo("Asia/Kathmandu")  # UTC+05:45: quarter hours fall at :00/:15 UTC too


@pytest.mark.parametrize(
    ("now", "tz", "start"),
    [
        ("2026-11-23T10:11:30+00:00", _LONDON, "2026-11-23T10:00:00+00:00"),
        ("2026-11-23T10:15:00+00:00", _LONDON, "2026-11-23T10:15:00+00:00"),
        ("2026-11-23T10:14:59.999999+00:00", _LONDON, "2026-11-23T10:00:00+00:00"),
        # BST: 12:44 local is 11:44 UTC; the interval starts 12:30 local = 11:30 UTC
        ("2026-07-01T11:44:00+00:00", _LONDON, "2026-07-01T11:30:00+00:00"),
        # the night the clocks go back: 01:20 BST (00:20 UTC), then 01:20 GMT (01:20 UTC)
        ("2026-10-25T00:20:00+00:00", _LONDON, "2026-10-25T00:15:00+00:00"),
        ("2026-10-25T01:20:00+00:00", _LONDON, "2026-10-25T01:15:00+00:00"),
        # Kathmandu 10:07 local = 04:22 UTC; 10:00 local = 04:15 UTC
        ("2026-11-23T04:22:00+00:00", _KATHMANDU, "2026-11-23T04:15:00+00:00"),
    ],
    ids=["mid", "on-boundary", "just-before-boundary", "bst", "dst-bst", "dst-gmt", "kathmandu"],
)
def test_interval_15m_start(now: str, tz: ZoneInfo, start: str) -> None:
    assert window_start("interval_15m", datetime.fromisoformat(now), tz) == datetime.fromisoformat(
        start
    )


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        ("2026-11-23T10:00:00+00:00", True),  # the boundary itself is in
        ("2026-11-23T09:59:59.999999+00:00", False),
        ("2026-11-23T10:11:30+00:00", True),  # now is in
        ("2026-11-23T10:11:30.000001+00:00", False),  # the future is not
    ],
    ids=["start", "before-start", "now", "after-now"],
)
def test_interval_15m_membership(t: str, expected: bool) -> None:
    now = datetime.fromisoformat("2026-11-23T10:11:30+00:00")
    assert in_window(datetime.fromisoformat(t), "interval_15m", now, _LONDON) is expected

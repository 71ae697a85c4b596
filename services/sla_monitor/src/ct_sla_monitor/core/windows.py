"""Reporting windows: today in the site's time zone, rolling windows, and the current
clock-aligned 15-minute interval.

``today`` runs from local midnight (inclusive) to ``now`` (inclusive). A rolling window of
N minutes runs from ``now - N min`` (exclusive) to ``now`` (inclusive). ``interval_15m``
runs from the latest quarter hour of local wall-clock time at or before ``now``
(inclusive) to ``now`` (inclusive): the interval history and reports are made of these.
Nothing after ``now`` is in any window. ``all`` (everything up to ``now``) gives the totals of a
replayed period; live snapshots do not report it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .timestamps import require_aware

WINDOWS = ("today", "rolling_15m", "rolling_30m", "rolling_60m")

_ROLLING = {
    "rolling_15m": timedelta(minutes=15),
    "rolling_30m": timedelta(minutes=30),
    "rolling_60m": timedelta(minutes=60),
}


INTERVAL_15M = "interval_15m"
#: everything up to now: the totals of a replayed period (not in live snapshots)
ALL_TIME = "all"
_BEGINNING = datetime.min.replace(tzinfo=UTC)
_INCLUSIVE_START = frozenset({"today", INTERVAL_15M, ALL_TIME})
#: every window a scope's snapshot reports
REPORTED_WINDOWS = (*WINDOWS, INTERVAL_15M)


def interval_start(now: datetime, tz: ZoneInfo, minutes: int = 15) -> datetime:
    """The start of the clock-aligned interval holding ``now``, in local time, as UTC."""
    local = require_aware(now, "now").astimezone(tz)
    floored = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    return floored.astimezone(UTC)


def local_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of ``now``'s local calendar day in ``tz``, as a UTC datetime."""
    local = require_aware(now, "now").astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)


def window_start(window: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC start of ``window`` at ``now``: inclusive for today, exclusive for rolling."""
    return _window_start(window, now, tz)


@lru_cache(maxsize=256)
def _window_start(window: str, now: datetime, tz: ZoneInfo) -> datetime:
    # cached: figures ask the same (window, now) for every item they look at
    if window == "today":
        return local_midnight(now, tz)
    if window == INTERVAL_15M:
        return interval_start(now, tz)
    if window == ALL_TIME:
        return _BEGINNING
    span = _ROLLING.get(window)
    if span is None:
        raise ValueError(f"unknown window {window!r}; expected one of {REPORTED_WINDOWS}")
    return require_aware(now, "now") - span


def window_test(window: str, now: datetime, tz: ZoneInfo) -> Callable[[datetime], bool]:
    """A membership test for ``window`` at ``now``, for checking many instants at once."""
    start = _window_start(window, now, tz)
    if window in _INCLUSIVE_START:
        return lambda t: start <= t <= now
    return lambda t: start < t <= now


def in_window(t: datetime, window: str, now: datetime, tz: ZoneInfo) -> bool:
    """Whether an instant ``t`` belongs to ``window`` as seen at ``now``."""
    start = _window_start(window, now, tz)
    if t.utcoffset() is None:
        require_aware(t, "t")  # raises: naive instants are refused
    if t > now:
        return False
    if window in _INCLUSIVE_START:
        return start <= t
    return start < t

"""Reporting windows: today in the site's time zone, and rolling windows.

``today`` runs from local midnight (inclusive) to ``now`` (inclusive). A rolling window of
N minutes runs from ``now - N min`` (exclusive) to ``now`` (inclusive). Nothing after
``now`` is in any window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .timestamps import require_aware

WINDOWS = ("today", "rolling_15m", "rolling_30m", "rolling_60m")

_ROLLING = {
    "rolling_15m": timedelta(minutes=15),
    "rolling_30m": timedelta(minutes=30),
    "rolling_60m": timedelta(minutes=60),
}


def local_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of ``now``'s local calendar day in ``tz``, as a UTC datetime."""
    local = require_aware(now, "now").astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)


def window_start(window: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC start of ``window`` at ``now``: inclusive for today, exclusive for rolling."""
    if window == "today":
        return local_midnight(now, tz)
    span = _ROLLING.get(window)
    if span is None:
        raise ValueError(f"unknown window {window!r}; expected one of {WINDOWS}")
    return require_aware(now, "now") - span


def in_window(t: datetime, window: str, now: datetime, tz: ZoneInfo) -> bool:
    """Whether an instant ``t`` belongs to ``window`` as seen at ``now``."""
    start = window_start(window, now, tz)
    t_utc = require_aware(t, "t")
    if t_utc > require_aware(now, "now"):
        return False
    if window == "today":
        return start <= t_utc
    return start < t_utc

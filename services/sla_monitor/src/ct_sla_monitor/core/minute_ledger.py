"""Running sums of additive contributions over the judged windows, moved one closed minute
at a time: what the aggregate standards are judged on, without rescanning every fact.

A contribution is an instant, an optional tag and a vector of integers (counts). It sits
in the bucket of the minute boundary at or after its instant (bucket ``k`` holds the
instants in ``(k - 1 min, k]``), and contributions exactly on a boundary are also kept
apart, for the windows whose start is inclusive. At a minute boundary ``m``:

- ``rolling_15m`` / ``rolling_30m`` hold ``(m - span, m]``: the buckets after ``m - span``
  up to ``m``;
- ``today`` holds ``[local midnight, m]``: the buckets after midnight up to ``m``, plus
  what lies exactly on midnight;
- ``month_to_date`` holds the contributions tagged with the local start of ``m``'s month
  whose instant is at or before ``m`` (the tag says which month a contribution belongs to,
  e.g. the month a case was resolved in, while its instant is when its verdict is known).

The sums equal a scan of the contributions held at that moment, whatever order they came
and went in: a change is applied to its bucket and, when it falls inside a window the
ledger stands at, to that window's sum as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .timestamps import require_aware
from .windows import local_midnight

Vector = tuple[int, ...]
Tag = datetime | None

_MINUTE = timedelta(minutes=1)
_ROLLING = {"rolling_15m": timedelta(minutes=15), "rolling_30m": timedelta(minutes=30)}
LEDGER_WINDOWS = ("rolling_15m", "rolling_30m", "today", "month_to_date")
#: a longer jump than this rebuilds the sums from the buckets rather than walking to it
_MAX_WALK = timedelta(days=1)
#: untagged buckets older than this behind the ledger's minute are dropped
_KEEP_UNTAGGED = timedelta(days=2)


def ceil_minute(t: datetime) -> datetime:
    """The minute boundary at or after ``t``."""
    floor = t.replace(second=0, microsecond=0)
    return floor if floor == t else floor + _MINUTE


def month_start_of(t: datetime, tz: ZoneInfo) -> datetime:
    """The local first of ``t``'s month, 00:00 in ``tz``, as UTC (a month tag)."""
    local = require_aware(t, "t").astimezone(tz)
    return datetime(local.year, local.month, 1, tzinfo=tz).astimezone(UTC)


def _next_midnight(midnight: datetime, tz: ZoneInfo) -> datetime:
    local = midnight.astimezone(tz) + timedelta(days=1, hours=3)  # past any DST shift
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)


def _next_month(start: datetime, tz: ZoneInfo) -> datetime:
    return month_start_of(start + timedelta(days=32), tz)


def _add(target: list[int], vector: Vector | list[int], sign: int) -> None:
    for i, value in enumerate(vector):
        target[i] += sign * value


@dataclass(slots=True)
class Series:
    """One kind of contribution (e.g. call legs) and the windows it is judged over."""

    width: int
    windows: tuple[str, ...]
    tz: ZoneInfo
    _full: dict[Tag, dict[datetime, list[int]]] = field(default_factory=dict)
    _exact: dict[Tag, dict[datetime, list[int]]] = field(default_factory=dict)
    _at: datetime | None = None
    _sums: dict[str, list[int]] = field(default_factory=dict)
    _day: datetime | None = None
    _next_day: datetime | None = None
    _month: datetime | None = None
    _next_month: datetime | None = None

    def __post_init__(self) -> None:
        unknown = set(self.windows) - set(LEDGER_WINDOWS)
        if unknown:
            raise ValueError(f"windows {sorted(unknown)} are not kept by a ledger")

    def change(self, at: datetime, tag: Tag, vector: Vector, sign: int = 1) -> None:
        """Add (``sign`` 1) or take away (-1) one contribution."""
        if len(vector) != self.width:
            raise ValueError(f"a contribution of width {len(vector)} in a series of {self.width}")
        key = ceil_minute(at)
        _add(self._full.setdefault(tag, {}).setdefault(key, [0] * self.width), vector, sign)
        if key == at:
            _add(self._exact.setdefault(tag, {}).setdefault(key, [0] * self.width), vector, sign)
        if self._at is None:
            return
        for window in self.windows:
            if self._member(window, at, tag):
                _add(self._sums[window], vector, sign)

    def sums_at(self, minute: datetime) -> dict[str, Vector]:
        """The sums of every window at the minute boundary ``minute`` (not before the
        last one asked for, unless the ledger rebuilds)."""
        if minute.second or minute.microsecond:
            raise ValueError("sums are kept at minute boundaries only")
        if self._at is None or not self._at <= minute <= self._at + _MAX_WALK:
            self._rebuild(minute)
        else:
            step = self._at + _MINUTE
            while step <= minute:
                self._step(step)
                step += _MINUTE
        return {window: tuple(self._sums[window]) for window in self.windows}

    def _member(self, window: str, at: datetime, tag: Tag) -> bool:
        assert self._at is not None
        if window == "month_to_date":
            return tag == self._month and at <= self._at
        if tag is not None:
            return False
        if window == "today":
            assert self._day is not None
            return self._day <= at <= self._at
        return self._at - _ROLLING[window] < at <= self._at

    def _bucket(self, tag: Tag, key: datetime) -> list[int] | None:
        return self._full.get(tag, {}).get(key)

    def _rebuild(self, minute: datetime) -> None:
        self._at = minute
        self._set_day(minute)
        self._set_month(minute)
        for window in self.windows:
            total = [0] * self.width
            if window == "month_to_date":
                for key, bucket in self._full.get(self._month, {}).items():
                    if key <= minute:
                        _add(total, bucket, 1)
            else:
                start = self._day if window == "today" else minute - _ROLLING[window]
                assert start is not None
                for key, bucket in self._full.get(None, {}).items():
                    if start < key <= minute:
                        _add(total, bucket, 1)
                exact = self._exact.get(None, {}).get(start)
                if window == "today" and exact is not None:
                    _add(total, exact, 1)
            self._sums[window] = total
        self._forget_old(minute)

    def _step(self, minute: datetime) -> None:
        assert self._next_day is not None and self._next_month is not None
        if minute >= self._next_day or minute >= self._next_month:
            self._rebuild(minute)  # a new day or month starts its sums afresh
            return
        self._at = minute
        for window in self.windows:
            total = self._sums[window]
            if window == "month_to_date":
                bucket = self._bucket(self._month, minute)
            else:
                bucket = self._bucket(None, minute)
                span = _ROLLING.get(window)
                leaving = None if span is None else self._bucket(None, minute - span)
                if leaving is not None:
                    _add(total, leaving, -1)
            if bucket is not None:
                _add(total, bucket, 1)

    def _set_day(self, minute: datetime) -> None:
        self._day = local_midnight(minute, self.tz)
        self._next_day = _next_midnight(self._day, self.tz)

    def _set_month(self, minute: datetime) -> None:
        self._month = month_start_of(minute, self.tz)
        self._next_month = _next_month(self._month, self.tz)

    def _forget_old(self, minute: datetime) -> None:
        """Drop buckets no window at or after ``minute`` can reach."""
        horizon = minute - _KEEP_UNTAGGED
        for store in (self._full, self._exact):
            untagged = store.get(None, {})
            for key in [k for k in untagged if k < horizon]:
                del untagged[key]
            for tag in [t for t in store if t is not None and self._month and t < self._month]:
                del store[tag]

"""The business-hours calendar: working time added to and measured between instants.

Pure and event-time: instants are timezone-aware; the calendar's own time zone, opening
hours, working weekdays and holiday dates decide what counts as working time.

Each working day is the span from ``opens`` to ``closes`` in local wall time on that date,
converted to UTC on its own, so a day keeps its local hours across daylight-saving changes.
Results are UTC instants.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ZERO = timedelta(0)
# More consecutive days without a working day than this means the calendar never opens.
_MAX_CLOSED_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Working hours of one site: ``weekdays`` (Monday = 0) from ``opens`` to ``closes``
    local time, except on ``holidays``."""

    timezone: str = "Europe/London"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    holidays: frozenset[date] = field(default=frozenset(), repr=False)  # local dates

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays must be a non-empty set of 0 (Monday) .. 6 (Sunday)")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are local wall times without a time zone")
        if not self.opens < self.closes:
            raise ValueError("closes must be after opens")

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        """Whether the local date ``day`` has opening hours (a listed weekday, no holiday)."""
        return day.weekday() in self.weekdays and day not in self.holidays

    def day_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """Opening and closing instants (UTC) of local date ``day``; None when closed."""
        if not self.is_working_day(day):
            return None
        tz = self.tz
        opens = datetime.combine(day, self.opens, tzinfo=tz).astimezone(UTC)
        closes = datetime.combine(day, self.closes, tzinfo=tz).astimezone(UTC)
        return (opens, closes) if opens < closes else None

    def is_working(self, t: datetime) -> bool:
        """Whether instant ``t`` falls inside opening hours (opening inclusive, closing not)."""
        t = _utc(t)
        hours = self.day_hours(t.astimezone(self.tz).date())
        return hours is not None and hours[0] <= t < hours[1]

    def next_opening(self, t: datetime) -> datetime:
        """``t`` itself when it is working time, else the next opening instant after it."""
        t = _utc(t)
        for opens, closes in self._spans_from(t):
            if t < closes:
                return max(opens, t)
        raise AssertionError("unreachable")  # pragma: no cover - _spans_from never ends

    def add_working(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time has passed after ``start``.

        A start outside opening hours counts from the next opening. A zero duration
        returns ``start`` (as UTC). A deadline that uses up a day exactly is that day's
        closing time, not the next opening.
        """
        start = _utc(start)
        if duration < _ZERO:
            raise ValueError("duration must not be negative")
        if duration == _ZERO:
            return start
        remaining = duration
        for opens, closes in self._spans_from(start):
            begin = max(opens, start)
            if begin >= closes:
                continue
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover - _spans_from never ends

    def working_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (zero if end <= start)."""
        start, end = _utc(start), _utc(end)
        total = _ZERO
        if end <= start:
            return total
        for opens, closes in self._spans_from(start):
            if opens >= end:
                break
            overlap = min(closes, end) - max(opens, start)
            if overlap > _ZERO:
                total += overlap
        return total

    def _spans_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening spans (UTC) of the working days from the local date of ``t`` onwards."""
        day = t.astimezone(self.tz).date()
        closed_run = 0
        while True:
            hours = self.day_hours(day)
            if hours is None:
                closed_run += 1
                if closed_run > _MAX_CLOSED_DAYS:
                    raise ValueError(f"calendar has no working day after {day - timedelta(1)}")
            else:
                closed_run = 0
                yield hours
            day += timedelta(days=1)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("working-time instants must be timezone-aware")
    return t.astimezone(UTC)

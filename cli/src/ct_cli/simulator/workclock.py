"""Working time on the site's calendar, fast: each local day's opening hours are looked up
once (as seconds since the epoch) and kept, with the same rules as
:meth:`ct_sla_monitor.core.working_time.WorkingCalendar.add_working`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ct_sla_monitor.core.working_time import WorkingCalendar

_ONE_DAY = timedelta(days=1)
_MAX_DAYS = 3 * 366


class WorkingClock:
    """Adds working hours to instants given in seconds since the epoch."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self._tz = calendar.tz
        self._days: dict[date, tuple[float, float] | None] = {}

    def _hours(self, day: date) -> tuple[float, float] | None:
        if day not in self._days:
            hours = self.calendar.day_hours(day)
            self._days[day] = (
                None if hours is None else (hours[0].timestamp(), hours[1].timestamp())
            )
        return self._days[day]

    def after(self, t: float, hours: float) -> float:
        """The instant when ``hours`` of working time have passed after ``t`` (counting
        from the next opening when ``t`` is outside opening hours)."""
        remaining = hours * 3600.0
        if remaining <= 0.0:
            return t
        day = datetime.fromtimestamp(t, UTC).astimezone(self._tz).date()
        for _ in range(_MAX_DAYS):
            span = self._hours(day)
            if span is not None:
                begin = max(span[0], t)
                if begin < span[1]:
                    available = span[1] - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += _ONE_DAY
        raise ValueError("the calendar has no working day within three years")

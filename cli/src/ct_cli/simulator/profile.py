"""When contacts arrive: a daily profile per channel on the site's local clock, and
Poisson arrivals whose rate is constant within each hour.

Hours are counted from the UTC hour that holds the start; Europe/London's offsets are
whole hours, so each such hour is one local hour (its local hour of day and whether its
date is a working day are looked up once and cached).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from ct_sla_monitor.core.working_time import WorkingCalendar

# Relative contact rates by local hour (0..23) on a working day.
_PHONE: tuple[float, ...] = (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 1.6, 4.0, 5.0, 5.3)
_PHONE += (4.3, 3.9, 4.1, 3.7, 3.0, 1.5, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2)
_WEB: tuple[float, ...] = (0.6, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3.0, 3.2, 3.1)
_WEB += (2.8, 2.8, 2.9, 2.7, 2.4, 2.0, 1.8, 1.8, 1.7, 1.5, 1.2, 0.9)
_DESK: tuple[float, ...] = (0.0,) * 9 + (3.0, 4.5, 5.0, 4.0, 3.8, 4.0, 3.5, 2.5) + (0.0,) * 7
COUNCIL_WEIGHTS = {"phone": _PHONE, "web": _WEB, "face_to_face": _DESK}
#: Rate on a closed day (weekend, bank holiday) relative to a working day.
CLOSED_DAY_FACTOR = {"phone": 0.15, "web": 0.5, "face_to_face": 0.0}
HOUR_S = 3600.0


class HourTable:
    """Local hour of day and working-day flag of each hour since the start (cached)."""

    def __init__(self, start_s: float, calendar: WorkingCalendar) -> None:
        self.base = math.floor(start_s / HOUR_S) * HOUR_S
        self._calendar = calendar
        self._tz = calendar.tz
        self._hours: list[tuple[int, bool]] = []

    def slot(self, t: float) -> int:
        """The index of the hour holding instant ``t`` (seconds since the epoch)."""
        return int((t - self.base) // HOUR_S)

    def slot_start(self, slot: int) -> float:
        """When hour ``slot`` begins (seconds since the epoch)."""
        return self.base + slot * HOUR_S

    def local(self, slot: int) -> tuple[int, bool]:
        """(local hour of day, whether the local date is a working day) of ``slot``."""
        while len(self._hours) <= slot:
            at = datetime.fromtimestamp(self.slot_start(len(self._hours)), UTC)
            local = at.astimezone(self._tz)
            self._hours.append((local.hour, self._calendar.is_working_day(local.date())))
        return self._hours[slot]


class ChannelProfile:
    """Contacts per second of one mix channel in each hour: ``per_day`` on a working day,
    spread over the day by the profile's weights."""

    def __init__(self, channel: str, per_day: float, profile: str, hours: HourTable) -> None:
        self.hours = hours
        if profile == "flat":
            self._weights: tuple[float, ...] = (1.0,) * 24
            self._closed_factor = 1.0
        else:
            self._weights = COUNCIL_WEIGHTS[channel]
            self._closed_factor = CLOSED_DAY_FACTOR[channel]
        self._scale = per_day / sum(self._weights) / HOUR_S
        self._cache: dict[int, float] = {}

    def rate(self, slot: int) -> float:
        """Contacts per second during hour ``slot``."""
        found = self._cache.get(slot)
        if found is None:
            hour, working = self.hours.local(slot)
            found = self._weights[hour] * self._scale
            found *= 1.0 if working else self._closed_factor
            self._cache[slot] = found
        return found

    def is_open(self, t: float) -> bool:
        """Whether the channel takes contacts at ``t`` (its rate is above zero)."""
        return self.rate(self.hours.slot(t)) > 0.0

    def next_open(self, t: float) -> float:
        """``t`` when open, else the start of the next hour with a positive rate (at most
        two weeks ahead; ``inf`` if none)."""
        slot = self.hours.slot(t)
        for ahead in range(24 * 14):
            if self.rate(slot + ahead) > 0.0:
                return t if ahead == 0 else self.hours.slot_start(slot + ahead)
        return math.inf


def next_arrival(profile: ChannelProfile, share: float, t: float, unit_exp: float) -> float:
    """The next arrival after ``t`` of a Poisson stream with rate ``share`` x the profile's,
    given a unit-exponential draw ``unit_exp`` (inverse of the cumulative rate).
    ``inf`` when it needs more than a year."""
    hours = profile.hours
    slot = hours.slot(t)
    for _ in range(24 * 366):
        rate = profile.rate(slot) * share
        end = hours.slot_start(slot + 1)
        if rate > 0.0:
            mass = rate * (end - t)
            if unit_exp <= mass:
                return t + unit_exp / rate
            unit_exp -= mass
        t, slot = end, slot + 1
    return math.inf

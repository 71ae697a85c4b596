"""The period of a monthly report: the month in the site's time zone, its weeks, and which
recorded events belong to it.

A report covers the contacts that *started* in the month: a contact's events (all of them,
whenever they came, even after the month's end) belong to the month its first event falls
in, in the site's time zone. Its weeks are ISO weeks (Monday to Sunday) in the same time
zone, cut at the month's edges, so the first and last may be short; a contact belongs to the
week its first event falls in. Each contact is thus whole in exactly one week, and the
weeks' counts add up to the month's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month); anything else is a ValueError."""
    found = _MONTH.match(text)
    if found is None:
        raise ValueError(f"a month is YYYY-MM (e.g. 2026-10), got {text!r}")
    return int(found[1]), int(found[2])


@dataclass(frozen=True, slots=True)
class ReportWeek:
    """One week of the report: an ISO week cut at the month's edges, [start, end) in UTC."""

    key: str  # ISO week, e.g. 2026-W40
    start: datetime
    end: datetime
    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        """E.g. ``W40 (5-11 Oct)``."""
        first, last = self.first_day, self.last_day
        days = f"{first.day}" if first == last else f"{first.day}-{last.day}"
        return f"W{self.key.rsplit('W', 1)[1]} ({days} {last.strftime('%b')})"

    def to_dict(self) -> dict[str, str]:
        """The week as JSON-safe data."""
        return {
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
        }


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ReportMonth:
    """A calendar month in a time zone: [start, end) in UTC, and its weeks."""

    year: int
    month: int
    tz: ZoneInfo

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo) -> ReportMonth:
        """The month ``YYYY-MM`` in ``tz``; a bad month is a ValueError."""
        year, month = parse_month(text)
        return cls(year, month, tz)

    @property
    def key(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def start(self) -> datetime:
        """Local midnight of the 1st, in UTC."""
        return _local_midnight(self.first_day, self.tz)

    @property
    def end(self) -> datetime:
        """Local midnight of the next month's 1st, in UTC (exclusive)."""
        return _local_midnight(self.next_first_day, self.tz)

    def weeks(self) -> list[ReportWeek]:
        """The ISO weeks of the month, cut at its edges, in order."""
        out: list[ReportWeek] = []
        day = self.first_day
        while day < self.next_first_day:
            last = min(day + timedelta(days=6 - day.weekday()), self.next_first_day - timedelta(1))
            iso = day.isocalendar()
            out.append(
                ReportWeek(
                    key=f"{iso.year:04d}-W{iso.week:02d}",
                    start=_local_midnight(day, self.tz),
                    end=_local_midnight(last + timedelta(days=1), self.tz),
                    first_day=day,
                    last_day=last,
                )
            )
            day = last + timedelta(days=1)
        return out


@dataclass(slots=True)
class MonthRecords:
    """The recorded events of a month's contacts, in the order they were read, per week."""

    month: ReportMonth
    weeks: list[ReportWeek]
    records: list[bytes] = field(default_factory=list)
    by_week: dict[str, list[bytes]] = field(default_factory=dict)
    contacts: int = 0
    read: int = 0
    unreadable: int = 0  # not JSON, or without a contact id or a time: no month to go to
    latest: datetime | None = None  # the latest event time of the month's contacts


def _contact_and_time(raw: bytes) -> tuple[str, datetime] | None:
    try:
        body = orjson.loads(raw)
        contact, at = body["contact_id"], datetime.fromisoformat(body["occurred_at"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if not isinstance(contact, str) or at.tzinfo is None:
        return None
    return contact, at.astimezone(UTC)


def select_month(records: list[bytes], month: ReportMonth) -> MonthRecords:
    """The events of the contacts whose first event (among ``records``) is in ``month``,
    kept in ``records``' order, and split by the week that first event falls in."""
    weeks = month.weeks()
    out = MonthRecords(month, weeks, by_week={w.key: [] for w in weeks})
    parsed: list[tuple[bytes, str, datetime] | None] = []
    first: dict[str, datetime] = {}
    for raw in records:
        out.read += 1
        found = _contact_and_time(raw)
        if found is None:
            out.unreadable += 1
            parsed.append(None)
            continue
        contact, at = found
        parsed.append((raw, contact, at))
        if contact not in first or at < first[contact]:
            first[contact] = at
    week_of: dict[str, str] = {}
    for contact, at in first.items():
        if month.start <= at < month.end:
            week_of[contact] = next(w.key for w in weeks if w.start <= at < w.end)
    out.contacts = len(week_of)
    for item in parsed:
        if item is None or item[1] not in week_of:
            continue
        raw, contact, at = item
        out.records.append(raw)
        out.by_week[week_of[contact]].append(raw)
        out.latest = at if out.latest is None or at > out.latest else out.latest
    return out


#: how far before and after the month a source is read, so that a contact that began in the
#: previous month is recognised as such, and a month's contacts keep their later events
READ_BEFORE = timedelta(days=31)
READ_AFTER = timedelta(days=31)


def record_span(month: ReportMonth) -> tuple[datetime, datetime]:
    """The record times to read from a topic or the archive for ``month``."""
    return month.start - READ_BEFORE, month.end + READ_AFTER

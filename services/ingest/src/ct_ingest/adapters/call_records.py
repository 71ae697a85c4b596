"""Per-call CSV records to canonical call events, by a column-mapping format (pure).

A format (:class:`CallFormat`, loaded from TOML by :mod:`~ct_ingest.adapters.call_formats`)
says which columns hold the contact id, the queue, the outcome and the times of the call:
arrival, ``offered_at`` (when a call that did not queue reached an agent), queue start,
queue exit, queue seconds and end. :class:`RowMapper` turns one row into a
:class:`RowResult`, or raises :class:`RowInvalid` with a reason that quotes no value.

The rules, for every format:

- An outcome listed under ``ignored`` (``PHANTOM`` in the bank's data) gives no events.
- A call with a queue start was offered: ``call.queued``, then ``call.answered`` or
  ``call.abandoned`` at the queue exit. With a ``queue_seconds`` column the wait is that
  figure (the call joined at exit - queue seconds); without one it is exit - start.
- A call without a queue start that was answered was served without queueing: offered and
  answered at ``offered_at`` with 0 wait. One that was abandoned hung up before it reached
  a queue: it was never offered (``not_offered``) and gives no events.
- An answered call with an end time also gives ``call.ended`` (never before the answer).

Times are either ISO 8601 (``clock = "iso"``; without an offset they are local time in the
site's time zone) or ``H:MM:SS`` on the day of a date column (``clock = "hms"``); then a
time more than 12 hours before the arrival is on the next day (calls across midnight). An
``unset`` value (``0:00:00`` in the bank's data) in the queue start, queue exit or end
column means the call never reached that step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ct_ingest.adapters.naming import safe_id, safe_name, timestamp

_HMS = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d)$")
_HALF_DAY = timedelta(hours=12)
RowKind = Literal["answered", "abandoned", "not_offered", "ignored"]
Event = dict[str, Any]


class CallColumns(BaseModel):
    """Which column holds what (column names as in the file's header)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact_id: list[str] = Field(min_length=1, description="Joined with '-' after the prefix.")
    queue: str
    service_type: str | None = Field(default=None, description="Unset: the queue.")
    outcome: str
    date: str | None = Field(default=None, description="The call's day (clock 'hms' only).")
    arrival: str | None = Field(default=None, description="When the call arrived.")
    offered_at: str = Field(description="When a call that did not queue reached an agent.")
    queue_start: str
    queue_exit: str
    queue_seconds: str | None = Field(default=None, description="Unset: exit - start.")
    end: str | None = None


class CallOutcomes(BaseModel):
    """Values of the outcome column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answered: list[str] = Field(min_length=1)
    abandoned: list[str] = Field(min_length=1)
    ignored: list[str] = []


class CallFormat(BaseModel):
    """A column-mapping format of per-call records."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    timezone: str = Field(default="Europe/London", description="Default site time zone.")
    contact_prefix: str = Field(min_length=1, max_length=32)
    clock: Literal["iso", "hms"] = "iso"
    date_format: str = "%Y-%m-%d"
    unset: list[str] = Field(default=[""], description="Values meaning 'never reached'.")
    columns: CallColumns
    outcomes: CallOutcomes
    queues: dict[str, str] = Field(default={}, description="Queue column value -> queue name.")

    @model_validator(mode="after")
    def _clock_needs(self) -> Self:
        if self.clock == "hms" and (self.columns.date is None or self.columns.arrival is None):
            raise ValueError("clock 'hms' needs the columns date and arrival")
        return self

    def required_columns(self) -> list[str]:
        """Every column the format reads, in a stable order."""
        cols = self.columns
        named = [
            *cols.contact_id,
            cols.queue,
            cols.service_type,
            cols.outcome,
            cols.date,
            cols.arrival,
            cols.offered_at,
            cols.queue_start,
            cols.queue_exit,
            cols.queue_seconds,
            cols.end,
        ]
        return list(dict.fromkeys(c for c in named if c is not None))


class FormatMismatch(ValueError):
    """The file's header lacks columns the format needs (named, they are not data)."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__("the header lacks the column(s): " + ", ".join(missing))
        self.missing = list(missing)


class RowInvalid(ValueError):
    """A row that cannot be read; the message says why without quoting values."""


@dataclass(frozen=True, slots=True)
class RowResult:
    """What a row was, and its events. ``label`` is the outcome value of an ignored row."""

    kind: RowKind
    events: tuple[Event, ...] = ()
    label: str = ""


class RowMapper:
    """Maps the rows of one file, given its header."""

    def __init__(self, fmt: CallFormat, header: Sequence[str], tz: ZoneInfo, source: str):
        self.fmt, self.tz, self.source = fmt, tz, safe_name(source)
        names = [h.strip() for h in header]
        missing = [c for c in fmt.required_columns() if c not in names]
        if missing:
            raise FormatMismatch(missing)
        self.width = len(names)
        self._at = {name: names.index(name) for name in fmt.required_columns()}
        self._answered = frozenset(fmt.outcomes.answered)
        self._abandoned = frozenset(fmt.outcomes.abandoned)
        self._ignored = frozenset(fmt.outcomes.ignored)
        self._unset = frozenset(fmt.unset)

    def map(self, row: Sequence[str]) -> RowResult:
        """The events of one data row, or :class:`RowInvalid`."""
        if len(row) != self.width:
            raise RowInvalid(f"expected {self.width} fields, found {len(row)}")
        cols = self.fmt.columns
        outcome = self._value(row, cols.outcome)
        if outcome in self._ignored:
            return RowResult("ignored", label=outcome)
        if outcome not in self._answered and outcome not in self._abandoned:
            raise RowInvalid(f"{cols.outcome}: not one of the format's outcome values")
        answered = outcome in self._answered
        day = self._day(row)
        arrival = self._time(row, cols.arrival, day, None) if cols.arrival else None
        start = self._optional_time(row, cols.queue_start, day, arrival)
        if start is None:
            if not answered:
                return RowResult("not_offered")
            joined = finished = self._time(row, cols.offered_at, day, arrival)
        else:
            exit_at = self._optional_time(row, cols.queue_exit, day, arrival)
            if exit_at is None:
                raise RowInvalid(f"{cols.queue_exit}: missing for a call that queued")
            joined, finished = self._wait(row, start, exit_at), exit_at
        end = self._optional_time(row, cols.end, day, arrival) if cols.end else None
        return RowResult(
            "answered" if answered else "abandoned",
            self._events(row, joined, finished, end if answered else None, answered),
        )

    # -- pieces -------------------------------------------------------------------------

    def _events(
        self,
        row: Sequence[str],
        joined: datetime,
        finished: datetime,
        end: datetime | None,
        answered: bool,
    ) -> tuple[Event, ...]:
        cols = self.fmt.columns
        parts = [self._value(row, c) for c in cols.contact_id]
        if not all(parts):
            raise RowInvalid("a contact id column is empty")
        contact = safe_id("-".join([self.fmt.contact_prefix, *parts]))
        raw_queue = self._value(row, cols.queue)
        if not raw_queue:
            raise RowInvalid(f"{cols.queue}: empty")
        queue = safe_name(self.fmt.queues.get(raw_queue, raw_queue))
        service = safe_name(self._value(row, cols.service_type)) if cols.service_type else queue
        base = {
            "contact_id": contact,
            "channel": "phone",
            "queue": queue,
            "service_type": service,
            "source": self.source,
        }

        def event(kind: str, at: datetime) -> Event:
            step = kind.removeprefix("call.")
            return {
                "event_id": f"{contact}-{step}",
                "type": kind,
                "occurred_at": timestamp(at),
                **base,
            }

        events = [event("call.queued", joined)]
        events.append(event("call.answered" if answered else "call.abandoned", finished))
        if end is not None:
            events.append(event("call.ended", max(end, finished)))
        return tuple(events)

    def _wait(self, row: Sequence[str], start: datetime, exit_at: datetime) -> datetime:
        """When the call joined the queue: exit - queue seconds, or the start."""
        column = self.fmt.columns.queue_seconds
        if column is None:
            if exit_at < start:
                raise RowInvalid(f"{self.fmt.columns.queue_exit}: before the queue start")
            return start
        seconds = self._value(row, column)
        if not seconds.isdigit():
            raise RowInvalid(f"{column}: not a whole number of seconds")
        return exit_at - timedelta(seconds=int(seconds))

    def _value(self, row: Sequence[str], column: str) -> str:
        return row[self._at[column]].strip()

    def _day(self, row: Sequence[str]) -> date | None:
        column = self.fmt.columns.date
        if self.fmt.clock != "hms" or column is None:
            return None
        try:
            return datetime.strptime(self._value(row, column), self.fmt.date_format).date()
        except ValueError:
            raise RowInvalid(f"{column}: not a date in the format's date_format") from None

    def _optional_time(
        self, row: Sequence[str], column: str, day: date | None, arrival: datetime | None
    ) -> datetime | None:
        if self._value(row, column) in self._unset:
            return None
        return self._time(row, column, day, arrival)

    def _time(
        self, row: Sequence[str], column: str, day: date | None, arrival: datetime | None
    ) -> datetime:
        value = self._value(row, column)
        if not value:
            raise RowInvalid(f"{column}: empty")
        local = self._hms(value, column, day, arrival) if day else self._iso(value, column)
        aware = local if local.tzinfo is not None else local.replace(tzinfo=self.tz)
        return aware.astimezone(UTC)

    def _hms(self, value: str, column: str, day: date, arrival: datetime | None) -> datetime:
        match = _HMS.match(value)
        if match is None or int(match.group(1)) > 23:
            raise RowInvalid(f"{column}: not a time H:MM:SS")
        h, m, s = (int(g) for g in match.groups())
        moment = datetime(day.year, day.month, day.day, h, m, s)
        if arrival is not None:
            reference = arrival.astimezone(self.tz).replace(tzinfo=None)
            if moment < reference - _HALF_DAY:
                moment += timedelta(days=1)  # the call crossed midnight
        return moment

    def _iso(self, value: str, column: str) -> datetime:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise RowInvalid(f"{column}: not an ISO 8601 date-time") from None


def summarise_outcomes(counts: Mapping[RowKind, int]) -> dict[str, int]:
    """Offered, answered and abandoned from the row kinds counted."""
    answered, abandoned = counts.get("answered", 0), counts.get("abandoned", 0)
    return {"offered": answered + abandoned, "answered": answered, "abandoned": abandoned}

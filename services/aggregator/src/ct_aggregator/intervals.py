"""The 15-minute interval history behind ``GET /v1/intervals``.

Every snapshot carries an ``interval_15m`` window: the figures of the current clock-aligned
quarter hour up to the snapshot's ``as_of``. The interval it belongs to starts at ``as_of``
floored to the quarter hour of the site's time zone (the charter's; the same instant as
the UTC quarter hour for every zone whose offset is whole quarter hours, which is every
zone in use today). For each (scope, interval start) the store keeps the figures of the
snapshot with the latest ``as_of``: once the scope's clock has moved past the interval,
those are the interval's final figures. An event that arrives after that does not correct
the history (it corrects the live windows). The store is bounded: past ``max_entries``
the oldest intervals are dropped first.

Rows come in three families, chosen with ``group_by`` (comma-separated):

- ``channel``: one row per channel and interval, the channel's total over its queues
  (the ``<channel>/all`` scope);
- ``queue``: one row per channel, queue and interval;
- ``service_type``: one row per service type and interval (the ``service/<type>``
  scopes): resolution and demand, where ``demand.by_channel`` splits the contacts by
  channel.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ct_sla_monitor.core.windows import INTERVAL_15M, interval_start

GROUPS = ("channel", "queue", "service_type")
INTERVAL = timedelta(minutes=15)
_SERVICE, _ALL = "service", "all"


@dataclass(frozen=True, slots=True)
class IntervalEntry:
    """The latest figures of one scope in one interval."""

    scope_key: str
    channel: str
    queue: str
    start: datetime
    as_of: datetime
    standards_version: str
    figures: dict[str, Any]

    @property
    def group(self) -> str | None:
        """Which ``group_by`` family the entry's scope belongs to (None: none)."""
        if self.channel == _SERVICE:
            return None if self.queue == _ALL else "service_type"
        return "channel" if self.queue == _ALL else "queue"


def parse_group_by(value: str) -> tuple[str, ...]:
    """The families named in a comma-separated ``group_by``; ValueError naming the allowed
    ones for an unknown or empty one (the value itself is not repeated)."""
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",")))
    if not names or any(name not in GROUPS for name in names):
        raise ValueError(f"group_by takes a comma-separated subset of {', '.join(GROUPS)}")
    return names


@dataclass(slots=True)
class IntervalStore:
    """Per (scope, interval start), the figures of the latest snapshot in that interval."""

    max_entries: int = 20_000
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    _entries: dict[tuple[str, datetime], IntervalEntry] = field(default_factory=dict)
    _oldest: list[tuple[datetime, str]] = field(default_factory=list)  # a heap
    _clock: dict[str, datetime] = field(default_factory=dict)  # newest as_of per scope

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, snapshot: dict[str, Any]) -> bool:
        """Keep the snapshot's interval figures unless a later snapshot of the same scope
        and interval is held; True if kept."""
        figures = snapshot.get("windows", {}).get(INTERVAL_15M)
        if figures is None:
            return False
        scope = snapshot["scope"]
        as_of = datetime.fromisoformat(snapshot["as_of"])
        start = interval_start(as_of, self.tz)
        key = (scope["key"], start)
        self._clock[scope["key"]] = max(as_of, self._clock.get(scope["key"], as_of))
        held = self._entries.get(key)
        if held is not None and held.as_of > as_of:
            return False
        if held is None:
            if (
                self._oldest
                and len(self._entries) >= self.max_entries
                and start < self._oldest[0][0]
            ):
                return False  # older than everything kept, and no room
            heapq.heappush(self._oldest, (start, scope["key"]))
        self._entries[key] = IntervalEntry(
            scope_key=scope["key"],
            channel=scope["channel"],
            queue=scope["queue"],
            start=start,
            as_of=as_of,
            standards_version=str(snapshot.get("standards_version", "")),
            figures=figures,
        )
        while len(self._entries) > self.max_entries:
            oldest_start, oldest_key = heapq.heappop(self._oldest)
            del self._entries[(oldest_key, oldest_start)]
        return True

    def rows(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        groups: tuple[str, ...] = ("channel",),
    ) -> list[dict[str, Any]]:
        """Rows of the chosen families whose interval starts in [start, end), oldest
        interval first, then by family, channel, queue or service type."""
        chosen = [
            e
            for e in self._entries.values()
            if e.group in groups
            and (start is None or e.start >= start)
            and (end is None or e.start < end)
        ]
        chosen.sort(key=lambda e: (e.start, GROUPS.index(e.group or ""), e.channel, e.queue))
        return [self._row(e) for e in chosen]

    def _row(self, entry: IntervalEntry) -> dict[str, Any]:
        end = entry.start + INTERVAL
        keys: dict[str, str] = {}
        if entry.group == "service_type":
            keys["service_type"] = entry.queue
        else:
            keys["channel"] = entry.channel
            if entry.group == "queue":
                keys["queue"] = entry.queue
        return {
            "interval_start": entry.start.isoformat(),
            "interval_end": end.isoformat(),
            "group": entry.group,
            **keys,
            "as_of": entry.as_of.isoformat(),
            "closed": self._clock.get(entry.scope_key, entry.as_of) >= end,
            "standards_version": entry.standards_version,
            "figures": entry.figures,
        }

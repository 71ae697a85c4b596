"""The alerts read from ``sla.alerts.v1``: the latest state of each, and which are open.

A closed (cleared) alert is kept for a retention period after its last transition, then
forgotten: per-contact alerts (one per late email, one per long wait) would otherwise grow
the book with every contact ever seen. The period is measured in event time, against the
newest transition seen in the same scope, so a book rebuilt by reading the topic again
(after a restart) holds the same alerts. Open alerts are always kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

OPEN_STATES = frozenset({"warning", "raised", "escalated"})
#: closed alerts are kept this long (event time) after their last transition, by default
DEFAULT_RETENTION = timedelta(hours=24)
#: the book drops expired alerts after this many transitions (reads skip them meanwhile)
PRUNE_EVERY = 1000

_Key = tuple[str, str, str, str]


def _key(alert: dict[str, Any]) -> _Key:
    return (
        alert["scope"],
        alert["standard"],
        alert.get("window") or "",
        alert.get("subject") or "",
    )


def _at(alert: dict[str, Any]) -> datetime | None:
    """The transition's time (None if it has none: such an alert never expires)."""
    at = alert.get("at")
    try:
        return datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        return None


@dataclass(slots=True)
class AlertBook:
    """Latest transition per (scope, standard, window, subject); closed ones expire."""

    retention: timedelta = DEFAULT_RETENTION
    _latest: dict[_Key, dict[str, Any]] = field(default_factory=dict)
    #: the transitions already taken, per alert (a redelivered one changes nothing)
    _seen: dict[_Key, set[tuple[str, str, int]]] = field(default_factory=dict)
    #: each scope's newest transition time: its closed alerts expire against it
    _clock: dict[str, datetime] = field(default_factory=dict)
    _since_prune: int = 0

    def update(self, alert: dict[str, Any]) -> bool:
        """Record one transition (a re-delivered one changes nothing); True if new."""
        key = _key(alert)
        mark = (alert["alert_id"], alert["state"], int(alert.get("severity", 0)))
        marks = self._seen.get(key)
        if marks is not None and mark in marks:
            return False
        at, scope = _at(alert), alert["scope"]
        clock = self._clock.get(scope)
        if at is not None and (clock is None or at > clock):
            self._clock[scope] = clock = at
        if self._expired(alert["state"], at, clock):  # closed long ago: the alert is over
            self._latest.pop(key, None)
            self._seen.pop(key, None)
        else:
            self._latest[key] = alert
            self._seen.setdefault(key, set()).add(mark)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self.prune()
        return True

    def _expired(self, state: str, at: datetime | None, clock: datetime | None) -> bool:
        """Whether a transition to ``state`` at ``at`` is a closed alert past its
        retention, against its scope's ``clock``."""
        if state in OPEN_STATES or at is None or clock is None:
            return False
        return at < clock - self.retention

    def _stale(self, alert: dict[str, Any]) -> bool:
        """Whether a held alert is closed and past its retention (parses its time only
        when it is closed)."""
        state = alert["state"]
        return state not in OPEN_STATES and self._expired(
            state, _at(alert), self._clock.get(alert["scope"])
        )

    def prune(self) -> int:
        """Forget the closed alerts past their retention; returns how many."""
        self._since_prune = 0
        gone = [k for k, a in self._latest.items() if self._stale(a)]
        for key in gone:
            del self._latest[key]
            self._seen.pop(key, None)
        return len(gone)

    def __len__(self) -> int:
        """How many alerts the book holds (expired ones not yet pruned included)."""
        return len(self._latest)

    def alerts(self, state: str = "open", scope: str | None = None) -> Iterator[dict[str, Any]]:
        """Latest alert per subject; ``state="open"`` keeps warning/raised/escalated ones.
        Closed alerts past their retention are left out."""
        for key in sorted(self._latest):
            alert = self._latest[key]
            if scope is not None and alert["scope"] != scope:
                continue
            if state == "open" and alert["state"] not in OPEN_STATES:
                continue
            if self._stale(alert):
                continue
            yield alert

    def open_counts(self) -> dict[tuple[str, str, str], int]:
        """Open alerts per (scope, standard, state), for Prometheus."""
        counts: dict[tuple[str, str, str], int] = {}
        for alert in self.alerts("open"):
            key = (alert["scope"], alert["standard"], alert["state"])
            counts[key] = counts.get(key, 0) + 1
        return counts

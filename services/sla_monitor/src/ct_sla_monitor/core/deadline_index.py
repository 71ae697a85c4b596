"""A scope's per-contact deadlines, kept per item and checked only when something can
happen to them: the item changed, or ``now`` reached one of the instants its alert moves
at (warning, breach, escalation, clearing).

Computing a deadline walks the working-time calendar, and a scope holds thousands of
open emails and visits, so deadlines are derived once per version of an item and queued
by the next instant they may move at. Evaluating a deadline that has nothing due gives
back its alert unchanged, so checking one early is harmless, and one never checked
between its instants could not have changed: the alerts are those of evaluating every
deadline at every step.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .alert_rules import MAX_SEVERITY
from .complaint_items import complaint_deadlines
from .deadlines import Deadline
from .email_items import email_deadlines
from .standards import Standards
from .visit_items import visit_deadlines

ItemKey = tuple[str, str]  # (kind, id)
#: the kinds of fact that carry deadlines, and how to derive them
DEADLINE_KINDS: dict[str, Callable[[Any, Standards], Iterable[Deadline]]] = {
    "email": email_deadlines,
    "visit": visit_deadlines,
    "complaint": complaint_deadlines,
}


def deadline_key(deadline: Deadline) -> str:
    """The key a deadline's alert is kept under in the scope's meta."""
    return f"{deadline.standard}|{deadline.item_id}"


def deadline_order(deadline: Deadline) -> tuple[datetime, str, str]:
    """The order deadlines are evaluated and listed in."""
    return (deadline.due_at, deadline.item_id, deadline.standard)


def next_check(
    deadline: Deadline, now: datetime, policy_escalate_s: float
) -> tuple[datetime, bool] | None:
    """The first instant after ``now`` at which the deadline's alert may move: ``(t,
    False)`` means at ``t`` or later, ``(t, True)`` strictly after ``t`` (a breach is
    raised once ``now`` is past ``due_at``). None: nothing can happen until it changes."""
    candidates: list[tuple[datetime, bool]] = []
    for t in (deadline.at_risk_at, deadline.satisfied_at):
        if t is not None and t > now:
            candidates.append((t, False))
    if deadline.due_at >= now:
        candidates.append((deadline.due_at, True))
    if policy_escalate_s > 0:
        for severity in range(1, MAX_SEVERITY):
            t = deadline.due_at + timedelta(seconds=policy_escalate_s * severity)
            if t > now:
                candidates.append((t, False))
    return min(candidates, default=None)


@dataclass(slots=True)
class DeadlineIndex:
    """The deadlines of one scope's items, and a queue of when each may next move."""

    standards: Standards
    by_item: dict[ItemKey, tuple[Deadline, ...]] = field(default_factory=dict)
    dirty: set[ItemKey] = field(default_factory=set)  # changed since the last refresh
    changed: dict[str, Deadline] = field(default_factory=dict)  # to evaluate: item changed
    removed: set[str] = field(default_factory=set)  # deadline keys that no longer exist
    queue: list[tuple[datetime, bool, str, str, str]] = field(default_factory=list)
    fresh: bool = True  # built from the facts and not yet evaluated
    _current: dict[str, Deadline] = field(default_factory=dict)

    def touch(self, kind: str, key: str) -> None:
        """The item ``kind``/``key`` was added, replaced or dropped."""
        if kind in DEADLINE_KINDS:
            self.dirty.add((kind, key))

    def refresh(self, held: Mapping[str, Mapping[str, Any]]) -> None:
        """Derive again the deadlines of the items changed since the last refresh."""
        for kind, key in sorted(self.dirty):
            old = self.by_item.pop((kind, key), ())
            fact = held.get(kind, {}).get(key)
            new = () if fact is None else tuple(DEADLINE_KINDS[kind](fact, self.standards))
            if new:
                self.by_item[(kind, key)] = new
            new_keys = {deadline_key(d) for d in new}
            for gone in old:
                if deadline_key(gone) not in new_keys:
                    self._current.pop(deadline_key(gone), None)
                    self.changed.pop(deadline_key(gone), None)
                    self.removed.add(deadline_key(gone))
            for deadline in new:
                self._current[deadline_key(deadline)] = deadline
                self.changed[deadline_key(deadline)] = deadline
                self.removed.discard(deadline_key(deadline))
        self.dirty.clear()

    def holds(self, key: str) -> bool:
        """Whether a deadline with this key is held."""
        return key in self._current

    def all(self) -> list[Deadline]:
        """Every deadline held, in :func:`deadline_order`."""
        return sorted(self._current.values(), key=deadline_order)

    def take_due(self, now: datetime) -> list[Deadline]:
        """The deadlines to evaluate at ``now``: those of changed items and those whose
        next instant has come, each once, in :func:`deadline_order`. Clears both."""
        chosen = dict(self.changed)
        self.changed.clear()
        while self.queue and (
            self.queue[0][0] < now or (self.queue[0][0] == now and not self.queue[0][1])
        ):
            *_, key = heapq.heappop(self.queue)
            deadline = self._current.get(key)
            if deadline is not None:
                chosen.setdefault(key, deadline)
        return sorted(chosen.values(), key=deadline_order)

    def take_removed(self) -> set[str]:
        """The keys of deadlines gone since the last call (their alerts are dropped)."""
        removed, self.removed = self.removed, set()
        return removed

    def schedule(self, deadline: Deadline, now: datetime) -> None:
        """Queue the deadline's next check after evaluating it at ``now``."""
        found = next_check(deadline, now, self.standards.alerts.escalate_after_s)
        if found is not None:
            at, strict = found
            heapq.heappush(
                self.queue,
                (at, strict, deadline.item_id, deadline.standard, deadline_key(deadline)),
            )

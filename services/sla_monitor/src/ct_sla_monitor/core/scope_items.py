"""Stage 2's facts of one scope, by kind and id: call legs, emails, visits, complaints,
survey responses, cases, re-contact touches and demand records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .call_kpis import ScopeState
from .call_records import CallLeg
from .case_items import CaseItem
from .complaint_items import ComplaintItem
from .deadline_index import DEADLINE_KINDS, DeadlineIndex
from .demand import DemandRecord
from .email_items import EmailItem
from .judged_figures import JudgedLedger
from .resolution import ResolutionState, Touch
from .satisfaction import SurveyResponse
from .standards import Standards
from .visit_items import VisitItem
from .windows import local_midnight

#: kind -> how to read a fact of that kind back from its dict
FACT_READERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "call": CallLeg.from_dict,
    "email": EmailItem.from_dict,
    "visit": VisitItem.from_dict,
    "complaint": ComplaintItem.from_dict,
    "survey": SurveyResponse.from_dict,
    "case": CaseItem.from_dict,
    "touch": Touch.from_dict,
    "demand": DemandRecord.from_dict,
}
#: facts without a lifecycle kept for at least this long
_KEEP = timedelta(days=1)
_PRUNE_EVERY = timedelta(hours=1)


def fact_id(kind: str, fact: Mapping[str, Any]) -> str:
    """The id a fact is stored under within its scope and kind."""
    if kind == "call":
        return str(fact["leg_id"])
    if kind == "touch":
        return str(fact["touch_id"])
    if kind == "demand":
        return f"{fact['contact_id']}@{fact['started_at']}"
    return str(fact["item_id"])


@dataclass(slots=True)
class ScopeItems:
    """Every fact one scope holds (mutable)."""

    calls: ScopeState = field(default_factory=ScopeState)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # email/visit/...
    resolution: ResolutionState = field(default_factory=ResolutionState)
    #: the running sums of the judged figures, kept with the facts once judging starts
    judged: JudgedLedger | None = None
    #: every item's deadlines, queued by when they may next move, once alerts are decided
    deadlines: DeadlineIndex | None = None
    #: the horizon of the latest prune (pruning again before the next hour frees little)
    pruned_at: datetime | None = None

    def upsert(self, kind: str, fact: Mapping[str, Any]) -> str:
        """Add or replace a fact (its dict form); return its id."""
        key = fact_id(kind, fact)
        value = FACT_READERS[kind](fact)
        if kind == "call":
            self.calls.upsert(value)
        elif kind == "case":
            self.resolution.upsert_case(value)
        elif kind == "touch":
            self.resolution.add_touch(value)
        else:
            self.items.setdefault(kind, {})[key] = value
        if self.judged is not None:
            self.judged.replace(kind, key, value)
        if self.deadlines is not None:
            self.deadlines.touch(kind, key)
        return key

    def retract(self, kind: str, key: str) -> None:
        """Forget a fact; an unknown one is ignored."""
        if kind == "call":
            self.calls.retract(key)
        elif kind == "case":
            self.resolution.retract_case(key)
        elif kind != "touch":
            self.items.get(kind, {}).pop(key, None)
        if self.judged is not None and kind != "touch":
            self.judged.replace(kind, key, None)
        if self.deadlines is not None:
            self.deadlines.touch(kind, key)

    def judged_ledger(self, scope_key: str, standards: Standards) -> JudgedLedger:
        """The running sums of the judged figures, built from the facts held on first use."""
        if self.judged is None:
            ledger = JudgedLedger(scope_key, standards)
            for leg_id, leg in sorted(self.calls.legs.items()):
                ledger.replace("call", leg_id, leg)
            for kind, held in sorted(self.items.items()):
                for key in sorted(held):
                    ledger.replace(kind, key, held[key])
            for touch_id, touch in sorted(self.resolution.touches.items()):
                ledger.replace("touch", touch_id, touch)
            for case_id, case in sorted(self.resolution.cases.items()):
                ledger.replace("case", case_id, case)
            self.judged = ledger
        return self.judged

    def deadline_index(self, standards: Standards) -> DeadlineIndex:
        """The deadlines of the items held, refreshed for the items changed since."""
        if self.deadlines is None:
            self.deadlines = DeadlineIndex(standards)
            for kind in DEADLINE_KINDS:
                for key in self.items.get(kind, {}):
                    self.deadlines.touch(kind, key)
        self.deadlines.refresh(self.items)
        return self.deadlines

    def of_kind(self, kind: str) -> list[Any]:
        """The facts of one kind, in id order."""
        held = self.items.get(kind, {})
        return [held[key] for key in sorted(held)]

    def prune(self, now: datetime, standards: Standards) -> list[tuple[str, str]]:
        """Drop facts no window, deadline or verdict can need; return (kind, id) dropped.

        Figures never depend on when facts are pruned, only memory does: a prune within
        the hour of the previous one does nothing."""
        if self.pruned_at is not None and self.pruned_at <= now < self.pruned_at + _PRUNE_EVERY:
            return []
        self.pruned_at = now
        dropped = [("call", leg_id) for leg_id in self.calls.prune(now, standards.calls.tz)]
        cases, touches = self.resolution.prune(now, standards)
        dropped += [("case", c) for c in cases] + [("touch", t) for t in touches]
        horizon = min(local_midnight(now, standards.calls.tz), now - _KEEP)
        for kind, held in self.items.items():
            for key in sorted(held):
                if _finished_before(kind, held[key], horizon):
                    del held[key]
                    dropped.append((kind, key))
        for kind, key in dropped:
            if self.judged is not None:
                self.judged.replace(kind, key, None)
            if self.deadlines is not None:
                self.deadlines.touch(kind, key)
        return dropped


def _finished_before(kind: str, fact: Any, horizon: datetime) -> bool:
    if kind == "survey":
        return bool(fact.answered_at < horizon)
    if kind == "demand":
        return bool(fact.started_at < horizon - timedelta(days=31))
    if kind == "email":
        done = fact.closed_at or fact.responded_at
        return done is not None and done < horizon
    if kind == "visit":
        done = fact.served_at or fact.left_at
        return done is not None and done < horizon
    if kind == "complaint":
        last = fact.stages[-1] if fact.stages else None
        return last is not None and last.responded_at is not None and last.responded_at < horizon
    return False

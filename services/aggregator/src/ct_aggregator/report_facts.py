"""The case, touch and survey facts a monthly report reads beyond the replayed figures (the
fix-time distribution by query reason, each week's first-contact resolution as known at the
month's end, and the NPS over every channel), built from the raw events with the same core
functions stage 1 uses.

(The replay engine keeps these facts too; until it hands them out, they are derived here
again from the same events, validated by the same contract.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import orjson

from contact_events import InvalidEvent, decode_event
from ct_sla_monitor.core.case_items import CASE_EVENT_TYPES, CaseItem, CaseState, apply_case_event
from ct_sla_monitor.core.demand import DEMAND_EVENT_TYPES
from ct_sla_monitor.core.resolution import (
    CONTACT_START_TYPES,
    ResolutionState,
    Touch,
    touch_from_event,
)
from ct_sla_monitor.core.satisfaction import SURVEY_EVENT_TYPE, SurveyResponse, survey_from_event
from ct_sla_monitor.standards_file import StandardsBook

_STARTS = frozenset((*CONTACT_START_TYPES, *DEMAND_EVENT_TYPES))
_WANTED = frozenset((*CASE_EVENT_TYPES, SURVEY_EVENT_TYPE, *_STARTS))


@dataclass(slots=True)
class ReportFacts:
    """The cases (by contact) and survey responses (by event id) of a set of events."""

    cases: dict[str, CaseState] = field(default_factory=dict)
    surveys: dict[str, SurveyResponse] = field(default_factory=dict)
    touches: dict[str, Touch] = field(default_factory=dict)
    #: the service scopes' clock: the latest case event or contact start
    service_clock: datetime | None = None

    def resolution_state(self, touches: dict[str, Touch] | None = None) -> ResolutionState:
        """The cases with these touches (or others: a week's cases with the month's)."""
        cases = {case.item_id: case for case in self.case_items()}
        return ResolutionState(
            cases=cases, touches=dict(self.touches if touches is None else touches)
        )

    def case_items(self) -> list[CaseItem]:
        """Every case item, in contact order."""
        items = (self.cases[key].item for key in sorted(self.cases))
        return [item for item in items if item is not None]

    def survey_list(self) -> list[SurveyResponse]:
        """Every survey response, in event-id order."""
        return [self.surveys[key] for key in sorted(self.surveys)]


def _type_of(raw: bytes) -> object:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return body.get("type") if isinstance(body, dict) else None


def collect_facts(records: Iterable[bytes], book: StandardsBook) -> ReportFacts:
    """The case, touch and survey facts of ``records`` and the service scopes' clock
    (invalid events are skipped, as stage 1 rejects them; a repeated event id changes
    nothing)."""
    facts = ReportFacts()
    for raw in records:
        if _type_of(raw) not in _WANTED:
            continue
        try:
            event = decode_event(raw)
        except InvalidEvent:
            continue
        body = event.model_dump(mode="json")
        if event.type == SURVEY_EVENT_TYPE:
            facts.surveys.setdefault(event.event_id, survey_from_event(body))
            continue
        touch = touch_from_event(body)
        if touch is not None:
            facts.touches[touch.touch_id] = touch
        if event.type in CASE_EVENT_TYPES or touch is not None or event.type in DEMAND_EVENT_TYPES:
            at = event.occurred_at
            facts.service_clock = (
                at if facts.service_clock is None else max(at, facts.service_clock)
            )
        if event.type not in CASE_EVENT_TYPES:
            continue
        standards = book.for_scope(event.queue, event.customer_segment)
        state = facts.cases.get(event.contact_id, CaseState())
        facts.cases[event.contact_id] = apply_case_event(state, body, standards).state
    return facts

"""Stage 1 for every channel: one event, the contact's stored state, and the standards in;
the new state and the facts to route to each scope out.

Scopes (the keys of stage 2):
- calls, emails and web forms, visits, complaints and surveys: ``<channel>/<queue>`` and
  ``<channel>/all``;
- cases, re-contact touches and demand records: ``service/<service type>`` and
  ``service/all``, where every channel meets (first-contact resolution, repeat contacts,
  demand and channel mix).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .call_kpis import ALL_QUEUES
from .call_lifecycle import CallEvent, ContactState, apply_call_event
from .case_items import CaseState, apply_case_event
from .complaint_items import ComplaintState, apply_complaint_event
from .demand import demand_record_from_event
from .email_items import EmailState, apply_email_event
from .resolution import touch_from_event
from .satisfaction import survey_from_event
from .standards import Standards
from .visit_items import VisitState, apply_visit_event

SERVICE_SCOPE = "service"
UNSPECIFIED_SERVICE = "unspecified"

#: event type prefix -> kind of contact state kept in stage 1
KIND_BY_PREFIX = {
    "call": "call",
    "email": "email",
    "webform": "email",
    "visit": "visit",
    "complaint": "complaint",
    "case": "case",
    "survey": "survey",
}


def kind_of(event_type: str) -> str:
    """The kind of contact an event type belongs to; ValueError if unknown."""
    kind = KIND_BY_PREFIX.get(event_type.partition(".")[0])
    if kind is None:
        raise ValueError(f"unknown event type {event_type!r}")
    return kind


def channel_scopes(channel: str, queue: str) -> tuple[str, ...]:
    """``<channel>/<queue>`` and ``<channel>/all``."""
    return (f"{channel}/{queue}", f"{channel}/{ALL_QUEUES}")


def service_scopes(service_type: str | None) -> tuple[str, ...]:
    """``service/<service type>`` and ``service/all``."""
    return (
        f"{SERVICE_SCOPE}/{service_type or UNSPECIFIED_SERVICE}",
        f"{SERVICE_SCOPE}/{ALL_QUEUES}",
    )


@dataclass(slots=True)
class ScopeMessage:
    """What one scope receives for one event: the event time (for the scope's clock, when
    the event is the scope's own) and the facts to retract, then to upsert."""

    at: str | None = None
    retracts: list[dict[str, str]] = field(default_factory=list)
    upserts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "retracts": self.retracts, "upserts": self.upserts}


@dataclass(frozen=True, slots=True)
class RouterResult:
    """The new stored state (None: unchanged) and the message per scope key."""

    state: dict[str, Any] | None
    messages: dict[str, ScopeMessage]
    duplicate: bool


_Apply = Callable[[Any, Mapping[str, Any], Standards], Any]
_STATEFUL: dict[str, tuple[Callable[[Mapping[str, Any]], Any], Callable[[], Any], _Apply]] = {
    "email": (EmailState.from_dict, EmailState, apply_email_event),
    "visit": (VisitState.from_dict, VisitState, apply_visit_event),
    "complaint": (ComplaintState.from_dict, ComplaintState, apply_complaint_event),
    "case": (CaseState.from_dict, CaseState, apply_case_event),
}


def _item_scopes(kind: str, item: Any) -> tuple[str, ...]:
    if kind == "case":
        return service_scopes(item.service_type)
    return channel_scopes(item.channel, item.queue)


def _fact(kind: str, item: Any) -> dict[str, Any]:
    return {"kind": kind, **item.to_dict()}


def _fact_id(kind: str, item: Any) -> str:
    return str(item.leg_id if kind == "call" else item.item_id)


def route_event(
    stored: Mapping[str, Any] | None, event: Mapping[str, Any], standards: Standards
) -> RouterResult:
    """Apply one canonical event (JSON dict) to its contact's stored state."""
    kind = kind_of(str(event["type"]))
    at = str(event["occurred_at"])
    messages: dict[str, ScopeMessage] = {}

    def message(scope: str) -> ScopeMessage:
        return messages.setdefault(scope, ScopeMessage())

    own = channel_scopes(str(event["channel"]), str(event["queue"]))
    if kind == "case":
        own = service_scopes(event.get("service_type"))
    for scope in own:
        message(scope).at = at

    new_state: dict[str, Any] | None
    retracted: tuple[Any, ...]
    upserted: tuple[Any, ...]
    if kind == "survey":
        response = survey_from_event(event)
        for scope in own:
            message(scope).upserts.append(_fact("survey", response))
        new_state, retracted, upserted, duplicate = None, (), (), False
    elif kind == "call":
        call = CallEvent.from_dict(
            {**event, "service_type": event.get("service_type") or UNSPECIFIED_SERVICE}
        )
        state = ContactState.from_dict(stored) if stored is not None else ContactState()
        result = apply_call_event(state, call, standards.calls)
        new_state, duplicate = result.state.to_dict(), result.duplicate
        retracted, upserted = result.retracted, result.upserted
    else:
        from_dict, empty, apply = _STATEFUL[kind]
        state = from_dict(stored) if stored is not None else empty()
        result = apply(state, event, standards)
        new_state, duplicate = result.state.to_dict(), result.duplicate
        retracted, upserted = result.retracted, result.upserted
    if duplicate:
        return RouterResult(None, {}, True)

    scopes_of = _call_scopes if kind == "call" else (lambda item: _item_scopes(kind, item))
    for item in retracted:
        for scope in scopes_of(item):
            message(scope).retracts.append({"kind": kind, "id": _fact_id(kind, item)})
    for item in upserted:
        for scope in scopes_of(item):
            message(scope).upserts.append(_fact(kind, item))

    touch = touch_from_event(event)
    demand = demand_record_from_event(event)
    for scope in service_scopes(event.get("service_type")):
        if touch is not None or demand is not None:
            message(scope).at = at  # these scopes' clocks move with contact starts
        if touch is not None:
            message(scope).upserts.append({"kind": "touch", **touch.to_dict()})
        if demand is not None:
            record = {"kind": "demand", **demand.to_dict()}
            message(scope).upserts.append(record)
    return RouterResult(new_state, messages, False)


def _call_scopes(leg: Any) -> tuple[str, ...]:
    return channel_scopes(leg.channel, leg.queue)

"""The two stages as plain handlers over key-value state (faust tables in production,
dicts in tests). They decode, call the core, and say what to publish."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contact_events import InvalidEvent, decode_event
from ct_sla_monitor.core.call_kpis import Scope, ScopeState, build_snapshot, scopes_for
from ct_sla_monitor.core.call_lifecycle import CallEvent, CallLeg, ContactState, apply_call_event
from ct_sla_monitor.core.standards import CallStandards
from ct_sla_monitor.encoding import dumps

#: The service type of a contact that did not say what it was about.
UNSPECIFIED_SERVICE = "unspecified"

#: Separates the scope key from the leg id in the stage-2 table's keys.
_SEP = "|"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that is not a valid event: it goes to the dead-letter topic."""

    reason: str
    errors: list[dict[str, str]]


@dataclass(slots=True)
class ContactStage:
    """Stage 1, keyed by contact: events become call legs, routed to their scopes."""

    contacts: MutableMapping[str, Any]
    standards: CallStandards

    def handle(self, raw: bytes) -> Rejected | dict[str, dict[str, Any]]:
        """Apply one raw event. Returns the outcome message per scope key, or Rejected."""
        try:
            event = decode_event(raw)
        except InvalidEvent as exc:
            return Rejected("invalid_event", [e.to_dict() for e in exc.errors])
        if not event.type.startswith("call."):
            return {}  # other channels: not monitored by this stage yet
        body = event.model_dump(mode="json")
        body["service_type"] = body.get("service_type") or UNSPECIFIED_SERVICE
        call = CallEvent.from_dict(body)
        stored = self.contacts.get(call.contact_id)
        state = ContactState.from_dict(stored) if stored is not None else ContactState()
        result = apply_call_event(state, call, self.standards)
        if result.duplicate:
            return {}
        self.contacts[call.contact_id] = result.state.to_dict()
        at = call.occurred_at.isoformat()
        out: dict[str, dict[str, Any]] = {
            Scope(call.channel, q).key: _message(at) for q in (call.queue, "all")
        }
        for leg in result.upserted:
            for scope in scopes_for(leg):
                out.setdefault(scope.key, _message(None))["upserts"].append(leg.to_dict())
        for leg in result.retracted:
            for scope in scopes_for(leg):
                out.setdefault(scope.key, _message(None))["retracts"].append(leg.leg_id)
        return out


def _message(at: str | None) -> dict[str, Any]:
    return {"at": at, "upserts": [], "retracts": []}


@dataclass(slots=True)
class ScopeStage:
    """Stage 2, keyed by scope: keeps the scope's legs and its event-time clock, and
    returns a new metrics snapshot whenever the figures change."""

    legs: MutableMapping[str, Any]
    clocks: MutableMapping[str, str]
    standards: CallStandards
    _states: dict[str, ScopeState] = field(default_factory=dict)
    _last: dict[str, bytes] = field(default_factory=dict)

    def forget(self) -> None:
        """Drop the in-memory caches (after a rebalance); they rebuild from the tables."""
        self._states.clear()
        self._last.clear()

    def _state(self, scope_key: str) -> ScopeState:
        state = self._states.get(scope_key)
        if state is None:
            state = ScopeState()
            prefix = scope_key + _SEP
            for key, value in list(self.legs.items()):
                if key.startswith(prefix):
                    state.upsert(CallLeg.from_dict(value))
            self._states[scope_key] = state
        return state

    def handle(self, scope_key: str, message: dict[str, Any]) -> bytes | None:
        """Apply one outcome message; return the snapshot bytes if they changed."""
        state = self._state(scope_key)
        for leg_id in message["retracts"]:
            state.retract(leg_id)
            self.legs.pop(scope_key + _SEP + leg_id, None)
        for value in message["upserts"]:
            state.upsert(CallLeg.from_dict(value))
            self.legs[scope_key + _SEP + value["leg_id"]] = value
        clock = self.clocks.get(scope_key)
        at = message["at"]
        if at is not None and (clock is None or datetime.fromisoformat(at) > _ts(clock)):
            clock = at
            self.clocks[scope_key] = at
        if clock is None:
            return None
        now = _ts(clock)
        for leg_id in state.prune(now, self.standards.tz):
            self.legs.pop(scope_key + _SEP + leg_id, None)
        snapshot = build_snapshot(state, Scope.from_key(scope_key), now, self.standards)
        raw = dumps(snapshot.to_dict())
        if self._last.get(scope_key) == raw:
            return None
        self._last[scope_key] = raw
        return raw


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)

"""Stage 1, keyed by contact: a contact's call events become its call legs.

Legs are always derived again from the contact's whole event set, in the order of
:func:`event_sort_key`, so late and out-of-order events correct earlier results and any
arrival order of the same events gives the same legs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .call_records import (
    CALL_EVENT_TYPES,
    LEG_OUTCOMES,
    CallEvent,
    CallLeg,
    event_sort_key,
    sort_events,
)
from .standards import CallStandards
from .timestamps import microseconds_between, seconds_between

__all__ = [
    "CALL_EVENT_TYPES",
    "LEG_OUTCOMES",
    "MAX_EVENTS_PER_CONTACT",
    "CallEvent",
    "CallLeg",
    "ContactState",
    "LifecycleResult",
    "apply_call_event",
    "derive_legs",
    "event_sort_key",
    "sort_events",
]

MAX_EVENTS_PER_CONTACT = 500


@dataclass(frozen=True, slots=True)
class ContactState:
    """What stage 1 keeps per contact: its distinct events (sorted) and its current legs."""

    events: tuple[CallEvent, ...] = ()
    legs: tuple[CallLeg, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe data."""
        return {
            "events": [event.to_dict() for event in self.events],
            "legs": [leg.to_dict() for leg in self.legs],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ContactState:
        """The state from :meth:`to_dict` output."""
        events = sort_events(CallEvent.from_dict(e) for e in d.get("events", ()))
        legs = tuple(CallLeg.from_dict(leg) for leg in d.get("legs", ()))
        return cls(events=events, legs=legs)


@dataclass(frozen=True, slots=True)
class LifecycleResult:
    """The outcome of applying one event to a contact.

    ``upserted`` holds the new version of every leg that is new or changed. ``retracted``
    holds the previous version of every leg that no longer exists, and of every leg whose
    scope (channel or queue) changed, so that stage 2 can remove it from the scopes it
    left. Apply ``retracted`` before ``upserted``.
    """

    state: ContactState
    upserted: tuple[CallLeg, ...]
    retracted: tuple[CallLeg, ...]
    duplicate: bool


@dataclass(slots=True)
class _Draft:
    """A leg while the events are being replayed."""

    contact_id: str
    channel: str
    queue: str
    service_type: str
    queued_at: datetime
    outcome: str = "waiting"
    ring_started_at: datetime | None = None
    finished_at: datetime | None = None
    reported_rings: int | None = None
    event_ids: set[str] = field(default_factory=set)

    def close(self, outcome: str, event: CallEvent) -> None:
        self.outcome = outcome
        self.finished_at = event.occurred_at
        self.event_ids.add(event.event_id)
        if outcome == "answered":
            self.reported_rings = event.rings

    def freeze(self, n: int, standards: CallStandards) -> CallLeg:
        wait_s: float | None = None
        ring_s: float | None = None
        rings: int | None = None
        if self.finished_at is not None:
            wait_s = seconds_between(self.queued_at, self.finished_at)
        if self.outcome == "answered" and self.finished_at is not None:
            ring_from = self.queued_at if self.ring_started_at is None else self.ring_started_at
            ring_us = microseconds_between(ring_from, self.finished_at)
            ring_s = ring_us / 1_000_000
            rings = self.reported_rings
            if rings is None:
                rings = max(1, -(-ring_us // standards.ring_cycle_us))
        return CallLeg(
            leg_id=f"{self.contact_id}:{n}",
            contact_id=self.contact_id,
            channel=self.channel,
            queue=self.queue,
            service_type=self.service_type,
            queued_at=self.queued_at,
            outcome=self.outcome,
            ring_started_at=self.ring_started_at,
            finished_at=self.finished_at,
            wait_s=wait_s,
            ring_s=ring_s,
            rings=rings,
            event_ids=tuple(sorted(self.event_ids)),
        )


def _open(event: CallEvent, queue: str) -> _Draft:
    return _Draft(
        contact_id=event.contact_id,
        channel=event.channel,
        queue=queue,
        service_type=event.service_type,
        queued_at=event.occurred_at,
        event_ids={event.event_id},
    )


def _replay(event: CallEvent, drafts: list[_Draft]) -> None:
    """Apply one event, in order, to the contact's drafts (the rules of METRICS.md)."""
    waiting = drafts[-1] if drafts and drafts[-1].outcome == "waiting" else None
    kind = event.type
    if kind == "call.queued":
        if waiting is not None and waiting.queue == event.queue:
            return
        if waiting is not None:
            waiting.close("transferred", event)
        drafts.append(_open(event, event.queue))
    elif kind == "call.ringing":
        if waiting is not None:
            if waiting.ring_started_at is None:
                waiting.ring_started_at = event.occurred_at
            waiting.event_ids.add(event.event_id)
        elif not drafts:
            draft = _open(event, event.queue)
            draft.ring_started_at = event.occurred_at
            drafts.append(draft)
    elif kind in ("call.answered", "call.abandoned"):
        outcome = "answered" if kind == "call.answered" else "abandoned"
        if waiting is None and not drafts:
            waiting = _open(event, event.queue)
            drafts.append(waiting)
        if waiting is not None:
            waiting.close(outcome, event)
    elif kind == "call.transferred":
        if waiting is not None and event.to_queue and waiting.queue == event.to_queue:
            # The join of the target queue was seen first: the leg there is this transfer's.
            waiting.event_ids.add(event.event_id)
            return
        if waiting is not None:
            waiting.close("transferred", event)
        if event.to_queue:
            drafts.append(_open(event, event.to_queue))
    elif kind == "call.ended" and waiting is not None:
        waiting.close("abandoned", event)


def derive_legs(events: Sequence[CallEvent], standards: CallStandards) -> tuple[CallLeg, ...]:
    """The legs a contact's events describe, numbered in order of opening.

    Events are put in processing order (duplicates by event_id dropped) first, so the
    result does not depend on the order of ``events``.
    """
    drafts: list[_Draft] = []
    for event in sort_events(events):
        _replay(event, drafts)
    return tuple(draft.freeze(n, standards) for n, draft in enumerate(drafts, start=1))


def apply_call_event(
    state: ContactState, event: CallEvent, standards: CallStandards
) -> LifecycleResult:
    """Add one event to a contact's state and report which legs changed or went away.

    A repeated event_id changes nothing (``duplicate=True``). Once a contact holds
    ``MAX_EVENTS_PER_CONTACT`` events, further events change nothing either
    (``duplicate=False``, no upserts or retractions). An event of another contact is a
    ValueError.
    """
    if any(e.event_id == event.event_id for e in state.events):
        return LifecycleResult(state=state, upserted=(), retracted=(), duplicate=True)
    if state.events and state.events[0].contact_id != event.contact_id:
        raise ValueError(
            f"event {event.event_id} is for contact {event.contact_id!r}, "
            f"not {state.events[0].contact_id!r}"
        )
    if len(state.events) >= MAX_EVENTS_PER_CONTACT:
        return LifecycleResult(state=state, upserted=(), retracted=(), duplicate=False)
    events = sort_events((*state.events, event))
    legs = derive_legs(events, standards)
    before = {leg.leg_id: leg for leg in state.legs}
    after = {leg.leg_id: leg for leg in legs}
    upserted = tuple(leg for leg in legs if before.get(leg.leg_id) != leg)
    retracted = tuple(
        old
        for old in state.legs
        if old.leg_id not in after
        or (after[old.leg_id].channel, after[old.leg_id].queue) != (old.channel, old.queue)
    )
    return LifecycleResult(
        state=ContactState(events=events, legs=legs),
        upserted=upserted,
        retracted=retracted,
        duplicate=False,
    )

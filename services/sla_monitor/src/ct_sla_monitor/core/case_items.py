"""Stage 1 for cases: a case's events become one case item, whatever their arrival order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar

from .events import OPTIONAL_DIMS, Envelope, sort_unique
from .fields import id_tuple, optional_int, optional_text, required_text
from .standards import Standards
from .timestamps import (
    format_optional_timestamp,
    parse_optional_timestamp,
    require_aware,
    seconds_between,
)

CASE_EVENT_TYPES = ("case.opened", "case.resolved", "case.closed")
RESOLUTIONS = ("first_contact", "follow_up", "investigation")
MAX_EVENTS_PER_CASE = 100

_TYPE_RANK = {"case.opened": 0, "case.resolved": 1, "case.closed": 2}
_CASE_TIMES = ("opened_at", "resolved_at", "closed_at")


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One case event: its envelope, and on ``case.resolved`` how and after how many contacts."""

    envelope: Envelope
    resolution: str | None = None
    contacts: int | None = None

    def __post_init__(self) -> None:
        kind = self.envelope.type
        if kind not in _TYPE_RANK:
            raise ValueError(f"not a case event type: {kind!r}")
        if kind == "case.resolved":
            if self.resolution not in RESOLUTIONS:
                raise ValueError(
                    f"resolution must be one of {RESOLUTIONS}, got {self.resolution!r}"
                )
            if self.contacts is None or self.contacts < 1:
                raise ValueError(f"contacts must be an integer >= 1, got {self.contacts!r}")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CaseEvent:
        """The event from its canonical JSON form (extra keys ignored); bad data is a ValueError."""
        envelope = Envelope.from_dict(d)
        if envelope.type != "case.resolved":
            return cls(envelope=envelope)
        return cls(envelope, optional_text(d, "resolution"), optional_int(d, "contacts"))

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-safe data; :meth:`from_dict` restores it exactly."""
        return {**self.envelope.to_dict(), "resolution": self.resolution, "contacts": self.contacts}


def _sort_key(event: CaseEvent) -> tuple[datetime, int, str]:
    e = event.envelope
    return (e.occurred_at, _TYPE_RANK[e.type], e.event_id)


def sort_case_events(events: Iterable[CaseEvent]) -> tuple[CaseEvent, ...]:
    """Events in processing order, keeping the first of each event_id in that order."""
    return sort_unique(events, _sort_key)


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One case as its events describe it; ``item_id`` is the case's contact_id.

    The first ``case.opened`` gives ``opened_at``; the last ``case.resolved`` (in processing
    order) gives ``resolved_at``, ``resolution`` and ``contacts``; the last ``case.closed``
    gives ``closed_at``. Channel and queue come from the first event; each optional dimension
    is the first non-null value in processing order.
    """

    kind: ClassVar[str] = "case"

    item_id: str
    channel: str
    queue: str
    service_type: str | None = None
    query_reason: str | None = None
    customer_segment: str | None = None
    customer_ref: str | None = None
    opened_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    contacts: int | None = None
    closed_at: datetime | None = None
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for key in _CASE_TIMES:
            if (value := getattr(self, key)) is not None:
                object.__setattr__(self, key, require_aware(value, key))

    def to_dict(self) -> dict[str, Any]:
        """The case as JSON-safe data; :meth:`from_dict` restores it exactly."""
        out = {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}
        times = {key: format_optional_timestamp(getattr(self, key)) for key in _CASE_TIMES}
        return {**out, **times, "event_ids": list(self.event_ids)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CaseItem:
        """The case from :meth:`to_dict` output (extra keys ignored); bad data is a ValueError."""
        return cls(
            item_id=required_text(d, "item_id"),
            channel=required_text(d, "channel"),
            queue=required_text(d, "queue"),
            **{key: optional_text(d, key) for key in OPTIONAL_DIMS},
            opened_at=parse_optional_timestamp(d.get("opened_at"), "opened_at"),
            resolved_at=parse_optional_timestamp(d.get("resolved_at"), "resolved_at"),
            closed_at=parse_optional_timestamp(d.get("closed_at"), "closed_at"),
            resolution=optional_text(d, "resolution"),
            contacts=optional_int(d, "contacts"),
            event_ids=id_tuple(d),
        )


def derive_case(events: Iterable[CaseEvent]) -> CaseItem:
    """The case item that a (non-empty) set of one case's events describes."""
    ordered = sort_case_events(events)
    if not ordered:
        raise ValueError("a case needs at least one event")
    first = ordered[0].envelope
    dims = {
        key: next((v for e in ordered if (v := getattr(e.envelope, key)) is not None), None)
        for key in OPTIONAL_DIMS
    }
    opened = [e for e in ordered if e.envelope.type == "case.opened"]
    resolved = [e for e in ordered if e.envelope.type == "case.resolved"]
    closed = [e for e in ordered if e.envelope.type == "case.closed"]
    return CaseItem(
        item_id=first.contact_id,
        channel=first.channel,
        queue=first.queue,
        **dims,
        opened_at=opened[0].envelope.occurred_at if opened else None,
        resolved_at=resolved[-1].envelope.occurred_at if resolved else None,
        resolution=resolved[-1].resolution if resolved else None,
        contacts=resolved[-1].contacts if resolved else None,
        closed_at=closed[-1].envelope.occurred_at if closed else None,
        event_ids=tuple(sorted(e.envelope.event_id for e in ordered)),
    )


@dataclass(frozen=True, slots=True)
class CaseState:
    """What stage 1 keeps per case: its distinct events, in processing order."""

    events: tuple[CaseEvent, ...] = ()

    @property
    def item(self) -> CaseItem | None:
        """The case item the events describe; None before the first event."""
        return derive_case(self.events) if self.events else None

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe data."""
        return {"events": [e.to_dict() for e in self.events]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CaseState:
        """The state from :meth:`to_dict` output."""
        return cls(sort_case_events(CaseEvent.from_dict(e) for e in d.get("events", ())))


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of applying one event to a case.

    ``upserted`` holds the new item when it is new or changed. ``retracted`` holds the
    previous item when its scope (channel, queue or service type) changed, so stage 2 can
    remove it from the scope it left. Apply ``retracted`` before ``upserted``.
    """

    state: CaseState
    upserted: tuple[CaseItem, ...]
    retracted: tuple[CaseItem, ...]
    duplicate: bool


def _scope(item: CaseItem) -> tuple[str, str, str | None]:
    return (item.channel, item.queue, item.service_type)


def apply_case_event(
    state: CaseState, event: Mapping[str, Any], standards: Standards
) -> CaseResult:
    """Add one canonical case event (a dict) to a case's state and report what changed.

    A repeated event_id changes nothing (``duplicate=True``); so does any event once the
    case holds ``MAX_EVENTS_PER_CASE`` (``duplicate=False``). A non-case event, bad data or
    an event of another case is a ValueError. ``standards`` is taken for symmetry with the
    other channels; no case field depends on it.
    """
    parsed = CaseEvent.from_dict(event)
    env = parsed.envelope
    if any(e.envelope.event_id == env.event_id for e in state.events):
        return CaseResult(state=state, upserted=(), retracted=(), duplicate=True)
    if state.events and state.events[0].envelope.contact_id != env.contact_id:
        raise ValueError(
            f"event {env.event_id} is for case {env.contact_id!r}, "
            f"not {state.events[0].envelope.contact_id!r}"
        )
    if len(state.events) >= MAX_EVENTS_PER_CASE:
        return CaseResult(state=state, upserted=(), retracted=(), duplicate=False)
    new_state = CaseState(sort_case_events((*state.events, parsed)))
    item, old = derive_case(new_state.events), state.item
    upserted = () if item == old else (item,)
    retracted = (old,) if old is not None and _scope(old) != _scope(item) else ()
    return CaseResult(new_state, upserted, retracted, duplicate=False)


def fix_time(item: CaseItem, standards: Standards) -> tuple[float | None, float | None]:
    """Opened -> resolved in (calendar seconds, working seconds on the standards' calendar).

    Both are None until the case has been opened and resolved. A resolution stamped before
    the opening (clock skew between systems) counts as zero.
    """
    if item.opened_at is None or item.resolved_at is None:
        return (None, None)
    calendar_s = max(0.0, seconds_between(item.opened_at, item.resolved_at))
    working = standards.calendar.working_between(item.opened_at, item.resolved_at)
    return (calendar_s, max(0.0, working.total_seconds()))

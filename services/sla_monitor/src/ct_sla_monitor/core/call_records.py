"""Call events in, call legs out: the records of stage 1 and their JSON forms.

``call_lifecycle`` re-exports everything here; import from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .events import event_head, sort_unique
from .fields import id_tuple, optional_float, optional_int, optional_text, required_text
from .timestamps import (
    format_optional_timestamp,
    format_timestamp,
    parse_optional_timestamp,
    parse_timestamp,
    require_aware,
)

CALL_EVENT_TYPES = (
    "call.queued",
    "call.ringing",
    "call.answered",
    "call.abandoned",
    "call.transferred",
    "call.ended",
)
LEG_OUTCOMES = ("waiting", "answered", "abandoned", "transferred")

_TYPE_RANK = {
    "call.queued": 0,
    "call.ringing": 1,
    "call.answered": 2,
    "call.abandoned": 2,
    "call.transferred": 3,
    "call.ended": 4,
}


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One canonical phone event of a contact, as stage 1 needs it."""

    event_id: str
    type: str
    occurred_at: datetime
    contact_id: str
    channel: str
    queue: str
    service_type: str
    rings: int | None = None
    to_queue: str | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPE_RANK:
            raise ValueError(f"not a call event type: {self.type!r}")
        if not self.event_id or not self.contact_id:
            raise ValueError("event_id and contact_id must not be empty")
        if self.rings is not None and (isinstance(self.rings, bool) or self.rings < 1):
            raise ValueError(f"rings must be a positive integer, got {self.rings!r}")
        object.__setattr__(self, "occurred_at", require_aware(self.occurred_at, "occurred_at"))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CallEvent:
        """The event from its canonical JSON form (extra keys ignored); bad data is a ValueError."""
        return cls(
            **event_head(d),
            service_type=required_text(d, "service_type"),
            rings=optional_int(d, "rings"),
            to_queue=optional_text(d, "to_queue"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-safe data (UTC timestamp; absent optional fields omitted)."""
        out: dict[str, Any] = {
            "event_id": self.event_id,
            "type": self.type,
            "occurred_at": format_timestamp(self.occurred_at),
            "contact_id": self.contact_id,
            "channel": self.channel,
            "queue": self.queue,
            "service_type": self.service_type,
        }
        if self.rings is not None:
            out["rings"] = self.rings
        if self.to_queue is not None:
            out["to_queue"] = self.to_queue
        return out


def event_sort_key(event: CallEvent) -> tuple[datetime, int, str]:
    """The processing order of events: (occurred_at, type rank, event_id)."""
    return (event.occurred_at, _TYPE_RANK[event.type], event.event_id)


def sort_events(events: Iterable[CallEvent]) -> tuple[CallEvent, ...]:
    """Events in processing order, keeping the first of each event_id in that order."""
    return sort_unique(events, event_sort_key)


@dataclass(frozen=True, slots=True)
class CallLeg:
    """One stay of a call in one queue, from joining it to its answer, abandon or transfer.

    ``outcome`` is "waiting", "answered", "abandoned" or "transferred". Waits and ring times
    are in seconds; ``event_ids`` are the sorted ids of the events that shaped the leg.
    """

    leg_id: str
    contact_id: str
    channel: str
    queue: str
    service_type: str
    queued_at: datetime
    outcome: str
    ring_started_at: datetime | None = None
    finished_at: datetime | None = None
    wait_s: float | None = None
    ring_s: float | None = None
    rings: int | None = None
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.outcome not in LEG_OUTCOMES:
            raise ValueError(f"unknown leg outcome {self.outcome!r}")
        object.__setattr__(self, "queued_at", require_aware(self.queued_at, "queued_at"))
        for name in ("ring_started_at", "finished_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_aware(value, name))

    def to_dict(self) -> dict[str, Any]:
        """The leg as JSON-safe data; :meth:`from_dict` restores it exactly."""
        return {
            "leg_id": self.leg_id,
            "contact_id": self.contact_id,
            "channel": self.channel,
            "queue": self.queue,
            "service_type": self.service_type,
            "queued_at": format_timestamp(self.queued_at),
            "outcome": self.outcome,
            "ring_started_at": format_optional_timestamp(self.ring_started_at),
            "finished_at": format_optional_timestamp(self.finished_at),
            "wait_s": self.wait_s,
            "ring_s": self.ring_s,
            "rings": self.rings,
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CallLeg:
        """The leg from :meth:`to_dict` output; bad data raises ValueError."""
        return cls(
            leg_id=required_text(d, "leg_id"),
            contact_id=required_text(d, "contact_id"),
            channel=required_text(d, "channel"),
            queue=required_text(d, "queue"),
            service_type=required_text(d, "service_type"),
            queued_at=parse_timestamp(d.get("queued_at"), "queued_at"),
            outcome=required_text(d, "outcome"),
            ring_started_at=parse_optional_timestamp(d.get("ring_started_at"), "ring_started_at"),
            finished_at=parse_optional_timestamp(d.get("finished_at"), "finished_at"),
            wait_s=optional_float(d, "wait_s"),
            ring_s=optional_float(d, "ring_s"),
            rings=optional_int(d, "rings"),
            event_ids=id_tuple(d),
        )

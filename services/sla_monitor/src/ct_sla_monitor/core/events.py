"""What every canonical contact event carries, and the processing order of a contact's events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from .fields import optional_text, required_text
from .timestamps import format_timestamp, parse_timestamp, require_aware

OPTIONAL_DIMS = ("service_type", "query_reason", "customer_segment", "customer_ref")

EventT = TypeVar("EventT")


class EventHead(TypedDict):
    """The fields every canonical event starts with, as :func:`event_head` reads them."""

    event_id: str
    type: str
    occurred_at: datetime
    contact_id: str
    channel: str
    queue: str


class EnvelopeFields(EventHead):
    """The fields of an :class:`Envelope`, as :func:`envelope_fields` reads them."""

    service_type: str | None
    query_reason: str | None
    customer_segment: str | None
    customer_ref: str | None


def event_head(d: Mapping[str, Any]) -> EventHead:
    """The head fields of a canonical event dict, checked; bad data is a ValueError."""
    return EventHead(
        event_id=required_text(d, "event_id"),
        type=required_text(d, "type"),
        occurred_at=parse_timestamp(d.get("occurred_at"), "occurred_at"),
        contact_id=required_text(d, "contact_id"),
        channel=required_text(d, "channel"),
        queue=required_text(d, "queue"),
    )


def envelope_fields(d: Mapping[str, Any]) -> EnvelopeFields:
    """The head fields and optional dimensions of a canonical event dict, checked."""
    return EnvelopeFields(
        **event_head(d),
        service_type=optional_text(d, "service_type"),
        query_reason=optional_text(d, "query_reason"),
        customer_segment=optional_text(d, "customer_segment"),
        customer_ref=optional_text(d, "customer_ref"),
    )


@dataclass(frozen=True, slots=True)
class Envelope:
    """The fields every canonical contact event carries (``agent_id``/``source`` left out)."""

    event_id: str
    type: str
    occurred_at: datetime
    contact_id: str
    channel: str
    queue: str
    service_type: str | None = None
    query_reason: str | None = None
    customer_segment: str | None = None
    customer_ref: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "occurred_at", require_aware(self.occurred_at, "occurred_at"))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Envelope:
        """The envelope of a canonical event dict (extra keys ignored); bad data is a ValueError."""
        return cls(**envelope_fields(d))

    def to_dict(self) -> dict[str, Any]:
        """The envelope as JSON-safe data (UTC timestamp, absent dimensions as null)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**out, "occurred_at": format_timestamp(self.occurred_at)}


def sort_unique(
    events: Iterable[EventT], key: Callable[[EventT], tuple[datetime, int, str]]
) -> tuple[EventT, ...]:
    """``events`` in processing order, ``key`` giving (occurred_at, type rank, event_id),
    keeping the first of each event_id in that order."""
    seen: set[str] = set()
    out: list[EventT] = []
    for event in sorted(events, key=key):
        event_id = key(event)[2]
        if event_id not in seen:
            seen.add(event_id)
            out.append(event)
    return tuple(out)

"""The Kafka record of a contact event."""

from __future__ import annotations

from contact_events import ContactEvent, encode_event


def record_of(event: ContactEvent) -> tuple[bytes, bytes]:
    """``(key, value)``: keyed by ``contact_id`` (UTF-8), so a contact's events stay in order on
    one partition; valued by the event's canonical bytes."""
    return event.contact_id.encode(), encode_event(event)

"""The canonical contact-event contract, version 1.

Every event that reaches ``contact.events.v1`` is one of the models in
:mod:`contact_events.models`. :mod:`contact_events.codec` turns bytes into events and
events into bytes, and reports what was wrong without ever echoing a submitted value.
"""

from contact_events.codec import (
    EventError,
    InvalidEvent,
    decode_event,
    encode_event,
    parse_event,
)
from contact_events.models import (
    CHANNELS,
    EVENT_TYPES,
    SCHEMA_VERSION,
    ContactEvent,
    EventEnvelope,
)

__all__ = [
    "CHANNELS",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "ContactEvent",
    "EventEnvelope",
    "EventError",
    "InvalidEvent",
    "decode_event",
    "encode_event",
    "parse_event",
]

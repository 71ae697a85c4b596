"""Bytes to events and back, with errors that name the field and the rule, never the value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from contact_events.models import EVENT_TYPES, ContactEvent, EventEnvelope

_ADAPTER: TypeAdapter[ContactEvent] = TypeAdapter(ContactEvent)

#: Messages for pydantic error types whose own text would quote the submitted value.
_SAFE_MESSAGES = {
    "union_tag_invalid": "unknown event type; expected one of: " + ", ".join(EVENT_TYPES),
    "union_tag_not_found": "missing 'type'",
    "json_invalid": "body is not valid JSON",
}


@dataclass(frozen=True, slots=True)
class EventError:
    """One reason an event was refused: where, which rule, and a value-free message."""

    field: str
    rule: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class InvalidEvent(ValueError):
    """The input is not a valid contact event. ``errors`` says why, without values."""

    def __init__(self, errors: list[EventError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.rule}" for e in errors))
        self.errors = errors


def _errors(exc: ValidationError, tagged: bool) -> list[EventError]:
    out = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = list(err["loc"])
        if tagged and loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]  # the discriminator's tag is not a field
        field = ".".join(str(part) for part in loc) or "type"
        rule = err["type"]
        message = _SAFE_MESSAGES.get(rule, err["msg"])
        out.append(EventError(field=field, rule=rule, message=message))
    return out


def parse_event(data: Any) -> ContactEvent:
    """Validate a decoded JSON value as a contact event, or raise :class:`InvalidEvent`."""
    if not isinstance(data, dict):
        raise InvalidEvent([EventError("(body)", "object_type", "an event is a JSON object")])
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidEvent(_errors(exc, tagged=True)) from None


def decode_event(raw: bytes) -> ContactEvent:
    """Decode and validate one event from JSON bytes, or raise :class:`InvalidEvent`."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidEvent([EventError("(body)", "json_invalid", "not valid JSON")]) from None
    return parse_event(data)


def encode_event(event: EventEnvelope) -> bytes:
    """The canonical bytes of an event: JSON, UTC timestamps, no null fields."""
    return orjson.dumps(event.model_dump(mode="json", exclude_none=True))

"""From what a sender posted to a canonical event: pseudonymise, stamp the source, validate."""

from __future__ import annotations

from typing import Any

import orjson

from contact_events import ContactEvent, EventError, InvalidEvent, parse_event
from ct_ingest.core.pseudonyms import Pseudonymiser


def prepare_event(data: Any, pseudonymiser: Pseudonymiser, source: str | None) -> ContactEvent:
    """The canonical event of one decoded input, or :class:`InvalidEvent` naming every problem.

    Raw identifiers become ``customer_ref`` first; an authenticated ``source`` replaces
    whatever the input claims (``None``: keep the input's own, for unauthenticated ingest).
    """
    errors: list[EventError] = []
    if isinstance(data, dict):
        data, errors = pseudonymiser.apply(data)
        if source is not None:
            data = data | {"source": source}
    try:
        event = parse_event(data)
    except InvalidEvent as exc:
        raise InvalidEvent(errors + exc.errors) from None
    if errors:
        raise InvalidEvent(errors)
    return event


def decode_input(raw: bytes, pseudonymiser: Pseudonymiser, source: str | None) -> ContactEvent:
    """:func:`prepare_event` of a JSON body."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidEvent([EventError("(body)", "json_invalid", "not valid JSON")]) from None
    return prepare_event(data, pseudonymiser, source)

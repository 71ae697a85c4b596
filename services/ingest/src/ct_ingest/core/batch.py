"""A batch of events, judged item by item, and the report the sender gets back.

The three steps, each pure:

1. :func:`read_batch` takes the body ``{"events": [...]}`` apart, or refuses it whole
   (:class:`BatchRejected` for the wrong shape, :class:`BatchTooLarge` for too many items).
2. :func:`judge_items` validates every item on its own against the contract (after
   pseudonymisation and source stamping, when given ``core.intake.prepare_event``). An item whose
   ``event_id`` a valid earlier item already used is a ``duplicate_in_batch``.
   :func:`publishable` lists the events to write.
3. :func:`report` joins the verdicts with the broker's acknowledgements. An item is
   ``accepted`` only if its write was acknowledged; otherwise it is ``unavailable``.

Errors never quote a submitted value, and an invalid item's ``event_id`` is not echoed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from contact_events import ContactEvent, EventError, InvalidEvent, parse_event

Status = Literal["accepted", "invalid", "duplicate_in_batch", "unavailable"]
STATUSES: tuple[Status, ...] = ("accepted", "invalid", "duplicate_in_batch", "unavailable")
ENVELOPE_FIELD = "events"


class BatchRejected(ValueError):
    """The body is not ``{"events": [...]}``. ``errors`` names the field and the rule."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{ENVELOPE_FIELD}: {rule}")
        self.errors = [EventError(ENVELOPE_FIELD, rule, message)]


class BatchTooLarge(ValueError):
    """The batch holds more than ``limit`` events."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} events in one batch")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the contract said about one item: an event, or the reasons it is not one."""

    index: int
    event: ContactEvent | None
    errors: tuple[EventError, ...] = ()
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The answer for one item of the batch."""

    index: int
    event_id: str | None
    status: Status
    errors: tuple[EventError, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchReport:
    """The answer for the whole batch, in submission order."""

    items: tuple[ItemResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def fully_acknowledged(self) -> bool:
        """No valid item is left without an acknowledgement from the broker."""
        return self.count("unavailable") == 0


def read_batch(raw: bytes, max_events: int) -> list[Any]:
    """The items of a ``{"events": [...]}`` body, at most ``max_events`` of them."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BatchRejected("json_invalid", "body is not valid JSON") from None
    if not isinstance(data, dict) or ENVELOPE_FIELD not in data:
        raise BatchRejected("missing", 'expected an object {"events": [...]}')
    if len(data) != 1:
        raise BatchRejected("extra_forbidden", "'events' is the only field of a batch")
    events = data[ENVELOPE_FIELD]
    if not isinstance(events, list):
        raise BatchRejected("list_type", "'events' must be a list of events")
    if len(events) > max_events:
        raise BatchTooLarge(max_events)
    return events


def judge_items(
    items: Sequence[Any], parse: Callable[[Any], ContactEvent] = parse_event
) -> list[Verdict]:
    """Validate each item independently with ``parse`` (the contract by default); flag reuse
    of an earlier valid item's event_id."""
    seen: set[str] = set()
    verdicts = []
    for index, item in enumerate(items):
        try:
            event = parse(item)
        except InvalidEvent as exc:
            verdicts.append(Verdict(index, None, tuple(exc.errors)))
            continue
        verdicts.append(Verdict(index, event, duplicate=event.event_id in seen))
        seen.add(event.event_id)
    return verdicts


def publishable(verdicts: Sequence[Verdict]) -> list[ContactEvent]:
    """The events to write, in batch order: valid and not duplicated."""
    return [v.event for v in verdicts if v.event is not None and not v.duplicate]


def report(verdicts: Sequence[Verdict], acknowledged: Sequence[bool]) -> BatchReport:
    """Join verdicts with acknowledgements, given in order for the publishable verdicts only."""
    if len(acknowledged) != len(publishable(verdicts)):
        raise ValueError("one acknowledgement per publishable item is needed")
    acks = iter(acknowledged)
    items = []
    for verdict in verdicts:
        if verdict.event is None:
            items.append(ItemResult(verdict.index, None, "invalid", verdict.errors))
            continue
        event_id = verdict.event.event_id
        if verdict.duplicate:
            status: Status = "duplicate_in_batch"
        else:
            status = "accepted" if next(acks) else "unavailable"
        items.append(ItemResult(verdict.index, event_id, status))
    return BatchReport(tuple(items))

"""What email, visit and complaint items share: their events, ordering and change sets.

A contact's item is always derived again from the contact's whole event set, sorted by
(occurred_at, type rank, event_id) with duplicate event ids dropped, so any arrival order
of the same events gives the same item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from .events import OPTIONAL_DIMS, Envelope, envelope_fields, sort_unique
from .fields import optional_int, optional_text, required_text

MAX_EVENTS_PER_CONTACT = 500

_TYPE_RANK = {
    "email.received": 0,
    "webform.submitted": 0,
    "email.acknowledged": 1,
    "email.responded": 2,
    "email.closed": 3,
    "visit.ticketed": 0,
    "visit.called": 1,
    "visit.served": 2,
    "visit.left": 3,
    "complaint.raised": 0,
    "complaint.escalated": 1,
    "complaint.responded": 2,
}
_STAGES = {"complaint.escalated": (2, 3), "complaint.responded": (1, 2, 3)}
_REQUIRED_DIMS = ("contact_id", "channel", "queue")


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator to 6 dp; None for a zero denominator."""
    return None if denominator == 0 else round(numerator / denominator, 6)


@dataclass(frozen=True, slots=True)
class ItemEvent(Envelope):
    """One canonical email, web-form, visit or complaint event, as the items need it.

    ``stage`` is set on ``complaint.escalated`` (2 or 3) and ``complaint.responded``
    (1 to 3) only.
    """

    stage: int | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPE_RANK:
            raise ValueError(f"not an email, visit or complaint event type: {self.type!r}")
        if not self.event_id or not self.contact_id:
            raise ValueError("event_id and contact_id must not be empty")
        allowed = _STAGES.get(self.type)
        if allowed is None and self.stage is not None:
            raise ValueError(f"{self.type} carries no stage")
        if allowed is not None and (isinstance(self.stage, bool) or self.stage not in allowed):
            raise ValueError(f"{self.type} needs a stage in {allowed}, got {self.stage!r}")
        Envelope.__post_init__(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ItemEvent:
        """The event from its canonical JSON form (extra keys ignored); bad data is a ValueError."""
        stage = optional_int(d, "stage") if required_text(d, "type") in _STAGES else None
        return cls(**envelope_fields(d), stage=stage)

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-safe data (UTC timestamp; absent optional fields omitted)."""
        return {key: value for key, value in Envelope.to_dict(self).items() if value is not None}


def item_event_sort_key(event: ItemEvent) -> tuple[datetime, int, str]:
    """The processing order of events: (occurred_at, type rank, event_id)."""
    return (event.occurred_at, _TYPE_RANK[event.type], event.event_id)


def sort_item_events(events: Iterable[ItemEvent]) -> tuple[ItemEvent, ...]:
    """Events in processing order, keeping the first of each event_id in that order."""
    return sort_unique(events, item_event_sort_key)


def first_at(events: Sequence[ItemEvent], *types: str) -> datetime | None:
    """When the first of ``events`` (already sorted) of one of ``types`` occurred."""
    return next((e.occurred_at for e in events if e.type in types), None)


def dims_of(opening: ItemEvent, events: Sequence[ItemEvent]) -> dict[str, Any]:
    """The envelope dimensions of an item: the opening event's, each optional one falling
    back to the first sorted event that carries it."""
    dims: dict[str, Any] = {key: getattr(opening, key) for key in _REQUIRED_DIMS}
    for key in OPTIONAL_DIMS:
        value = getattr(opening, key)
        if value is None:
            value = next((getattr(e, key) for e in events if getattr(e, key) is not None), None)
        dims[key] = value
    return dims


def dims_from_dict(d: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope dimensions of an item's dict form, checked (the inverse of
    :func:`dims_to_dict`)."""
    dims: dict[str, Any] = {key: required_text(d, key) for key in _REQUIRED_DIMS}
    dims.update({key: optional_text(d, key) for key in OPTIONAL_DIMS})
    return dims


def dims_to_dict(item: object) -> dict[str, Any]:
    """The envelope dimensions of an item, JSON-safe."""
    return {key: getattr(item, key) for key in (*_REQUIRED_DIMS, *OPTIONAL_DIMS)}


class ContactItem(Protocol):
    """The attributes the generic stage-2 wiring reads from every item."""

    @property
    def item_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def queue(self) -> str: ...
    @property
    def service_type(self) -> str | None: ...
    @property
    def query_reason(self) -> str | None: ...
    @property
    def customer_segment(self) -> str | None: ...
    @property
    def customer_ref(self) -> str | None: ...


ItemT = TypeVar("ItemT", bound=ContactItem)
ItemT_co = TypeVar("ItemT_co", bound=ContactItem, covariant=True)


class ItemState(Protocol[ItemT_co]):
    """What is kept per contact: its distinct events (sorted) and its item, if opened."""

    @property
    def events(self) -> tuple[ItemEvent, ...]: ...
    @property
    def item(self) -> ItemT_co | None: ...


StateT = TypeVar("StateT", bound=ItemState[Any])


class StoredItem(ContactItem, Protocol):
    """A contact item that has a JSON-safe form."""

    def to_dict(self) -> dict[str, Any]: ...


StoredT = TypeVar("StoredT", bound=StoredItem)


@dataclass(frozen=True, slots=True)
class ItemStateBase(Generic[StoredT]):
    """An :class:`ItemState` that keeps its item, as JSON-safe data and back.

    A channel's state subclasses it, naming its item class in ``item_type`` and setting
    ``__slots__ = ()``.
    """

    item_type: ClassVar[type[Any]]

    events: tuple[ItemEvent, ...] = ()
    item: StoredT | None = None

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe data."""
        return {
            "events": [e.to_dict() for e in self.events],
            "item": None if self.item is None else self.item.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """The state from :meth:`to_dict` output."""
        item = d.get("item")
        return cls(
            events=sort_item_events(ItemEvent.from_dict(e) for e in d.get("events", ())),
            item=None if item is None else cls.item_type.from_dict(item),
        )


@dataclass(frozen=True, slots=True)
class ItemResult(Generic[StateT, ItemT]):
    """The outcome of applying one event to a contact's state.

    ``upserted`` holds the item if it is new or changed. ``retracted`` holds its previous
    version if one of its dimensions (channel, queue, service type, query reason, segment,
    customer) changed, so that it can be removed from the scopes it left: apply
    ``retracted`` before ``upserted``.
    """

    state: StateT
    upserted: tuple[ItemT, ...]
    retracted: tuple[ItemT, ...]
    duplicate: bool


def _scope(item: ContactItem) -> tuple[str | None, ...]:
    return (item.channel, item.queue, *(getattr(item, key) for key in OPTIONAL_DIMS))


def apply_item_event(
    state: StateT,
    event: Mapping[str, Any] | ItemEvent,
    allowed: Sequence[str],
    derive: Callable[[tuple[ItemEvent, ...]], ItemT | None],
    rebuild: Callable[[tuple[ItemEvent, ...], ItemT | None], StateT],
) -> ItemResult[StateT, ItemT]:
    """Add one event (canonical dict) to a contact's state, derive its item again from all
    its events and report the change.

    A repeated event_id changes nothing (``duplicate=True``); so does any event once the
    contact holds ``MAX_EVENTS_PER_CONTACT`` (``duplicate=False``). A type not in
    ``allowed``, bad data or another contact's event is a ValueError.
    """
    parsed = event if isinstance(event, ItemEvent) else ItemEvent.from_dict(event)
    if parsed.type not in allowed:
        raise ValueError(f"{parsed.type!r} is not one of {tuple(allowed)}")
    events = state.events
    if any(e.event_id == parsed.event_id for e in events):
        return ItemResult(state=state, upserted=(), retracted=(), duplicate=True)
    if events and events[0].contact_id != parsed.contact_id:
        raise ValueError(
            f"event {parsed.event_id} is for contact {parsed.contact_id!r}, "
            f"not {events[0].contact_id!r}"
        )
    if len(events) >= MAX_EVENTS_PER_CONTACT:
        return ItemResult(state=state, upserted=(), retracted=(), duplicate=False)
    events = sort_item_events((*events, parsed))
    old: ItemT | None = state.item
    new = derive(events)
    return ItemResult(
        state=rebuild(events, new),
        upserted=() if new is None or new == old else (new,),
        retracted=(old,)
        if old is not None and new is not None and _scope(new) != _scope(old)
        else (),
        duplicate=False,
    )

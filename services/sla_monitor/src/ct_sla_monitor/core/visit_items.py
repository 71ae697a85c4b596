"""Face to face: ticketed (joined the queue) -> called -> served -> left.

Queue time is called - ticketed. A visitor who left without ever being called walked out;
their queue time is left - ticketed. The item holds the first instant of each step in
processing order; events before the ticket are kept and used once it arrives.

Decision: the queue-time deadline is satisfied by the call, or for a walk-out by the
leaving (the wait is over either way): walking out within the allowance shows as met, later
as missed. The figures count walk-outs apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from .deadlines import Deadline, deadline_of
from .fields import id_tuple
from .items import (
    ItemEvent,
    ItemResult,
    ItemStateBase,
    apply_item_event,
    dims_from_dict,
    dims_of,
    dims_to_dict,
    first_at,
    ratio,
    sort_item_events,
)
from .standards import Standards
from .timestamps import (
    format_optional_timestamp,
    format_timestamp,
    parse_optional_timestamp,
    parse_timestamp,
    require_aware,
    seconds_between,
)
from .windows import in_window

VISIT_EVENT_TYPES = ("visit.ticketed", "visit.called", "visit.served", "visit.left")
VISIT_OUTCOMES = ("waiting", "called", "served", "walked_out")
QUEUE_TIME = "visit.queue_time"

_STEPS = ("called_at", "served_at", "left_at")


@dataclass(frozen=True, slots=True)
class VisitItem:
    """One visit. ``item_id`` is its contact id; ``queue_time_s`` and ``outcome`` are
    derived."""

    kind: ClassVar[str] = "visit"

    contact_id: str
    channel: str
    queue: str
    service_type: str | None
    query_reason: str | None
    customer_segment: str | None
    customer_ref: str | None
    ticketed_at: datetime
    called_at: datetime | None = None
    served_at: datetime | None = None
    left_at: datetime | None = None
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "ticketed_at", require_aware(self.ticketed_at, "ticketed_at"))
        for name in _STEPS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_aware(value, name))

    @property
    def item_id(self) -> str:
        """The item's key: its contact id."""
        return self.contact_id

    @property
    def wait_ended_at(self) -> datetime | None:
        """When the wait ended: the call, or the leaving of a visitor never called."""
        return self.called_at if self.called_at is not None else self.left_at

    @property
    def queue_time_s(self) -> float | None:
        """Seconds from the ticket to the end of the wait; None while waiting."""
        end = self.wait_ended_at
        return None if end is None else seconds_between(self.ticketed_at, end)

    @property
    def outcome(self) -> str:
        """One of VISIT_OUTCOMES, from every event known."""
        if self.served_at is not None:
            return "served"
        if self.called_at is not None:
            return "called"
        return "waiting" if self.left_at is None else "walked_out"

    def is_waiting(self, now: datetime) -> bool:
        """Ticketed by ``now`` and neither called nor gone by then."""
        end = self.wait_ended_at
        return self.ticketed_at <= now and (end is None or end > now)

    def to_dict(self) -> dict[str, Any]:
        """The item as JSON-safe data (derived fields included); :meth:`from_dict` restores
        it exactly."""
        return {
            "kind": self.kind,
            "item_id": self.item_id,
            **dims_to_dict(self),
            "ticketed_at": format_timestamp(self.ticketed_at),
            **{name: format_optional_timestamp(getattr(self, name)) for name in _STEPS},
            "queue_time_s": self.queue_time_s,
            "outcome": self.outcome,
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> VisitItem:
        """The item from :meth:`to_dict` output (extra and derived keys ignored); bad data is
        a ValueError."""
        return cls(
            **dims_from_dict(d),
            ticketed_at=parse_timestamp(d.get("ticketed_at"), "ticketed_at"),
            called_at=parse_optional_timestamp(d.get("called_at"), "called_at"),
            served_at=parse_optional_timestamp(d.get("served_at"), "served_at"),
            left_at=parse_optional_timestamp(d.get("left_at"), "left_at"),
            event_ids=id_tuple(d),
        )


def derive_visit_item(events: Sequence[ItemEvent]) -> VisitItem | None:
    """The item a contact's events describe (any order, duplicates ignored); None before
    its ticket."""
    ordered = sort_item_events(events)
    opening = next((e for e in ordered if e.type == "visit.ticketed"), None)
    if opening is None:
        return None
    return VisitItem(
        **dims_of(opening, ordered),
        ticketed_at=opening.occurred_at,
        called_at=first_at(ordered, "visit.called"),
        served_at=first_at(ordered, "visit.served"),
        left_at=first_at(ordered, "visit.left"),
        event_ids=tuple(sorted(e.event_id for e in ordered)),
    )


class VisitState(ItemStateBase[VisitItem]):
    """What is kept per contact: its distinct events (sorted) and its item, if ticketed."""

    __slots__ = ()
    item_type = VisitItem


def apply_visit_event(
    state: VisitState, event: Mapping[str, Any] | ItemEvent, standards: Standards
) -> ItemResult[VisitState, VisitItem]:
    """Add one visit event (canonical dict) to a contact's state and report the item's
    change, as :func:`~.items.apply_item_event` describes. ``standards`` is not needed to
    build the item; it is taken for symmetry with the call lifecycle."""
    return apply_item_event(state, event, VISIT_EVENT_TYPES, derive_visit_item, VisitState)


def visit_deadlines(item: VisitItem, standards: Standards) -> tuple[Deadline, ...]:
    """The queue-time deadline: due ``queue_time_s`` after the ticket, warning from the
    ``standards.email.at_risk_fraction`` share of it (the charter's one warning share)."""
    allowance = timedelta(seconds=standards.visit.queue_time_s)
    return (
        deadline_of(
            item,
            QUEUE_TIME,
            started_at=item.ticketed_at,
            due_at=item.ticketed_at + allowance,
            at_risk_at=item.ticketed_at + allowance * standards.email.at_risk_fraction,
            satisfied_at=item.wait_ended_at,
        ),
    )


def visit_kpis(
    items: Iterable[VisitItem], window: str, now: datetime, standards: Standards
) -> dict[str, Any]:
    """The reception figures of ``items`` over ``window`` at ``now`` (JSON-safe).

    ``ticketed``, ``called`` (with ``served_within``: queue time <= the standard),
    ``served`` and ``walked_out`` count the instant of that step in the window. The waiting
    figures ignore the window: visitors ticketed by ``now`` and neither called nor gone;
    a breach is a wait strictly longer than the standard. Seconds 3 dp, ratios 6 dp.
    """
    now = require_aware(now, "now")
    tz = standards.calls.tz
    limit = timedelta(seconds=standards.visit.queue_time_s)
    ticketed = called = within = served = walked_out = breaches = 0
    waits: list[float] = []
    for item in items:
        ticketed += in_window(item.ticketed_at, window, now, tz)
        if item.called_at is not None and in_window(item.called_at, window, now, tz):
            called += 1
            within += item.called_at - item.ticketed_at <= limit
        if item.served_at is not None and in_window(item.served_at, window, now, tz):
            served += 1
        if (
            item.called_at is None
            and item.left_at is not None
            and in_window(item.left_at, window, now, tz)
        ):
            walked_out += 1
        if item.is_waiting(now):
            waits.append(seconds_between(item.ticketed_at, now))
            breaches += now - item.ticketed_at > limit
    return {
        "ticketed": ticketed,
        "called": called,
        "served_within": within,
        "served_within_rate": ratio(within, called),
        "served": served,
        "walked_out": walked_out,
        "waiting_now": len(waits),
        "longest_wait_seconds": round(max(waits, default=0.0), 3),
        "breaches_now": breaches,
    }

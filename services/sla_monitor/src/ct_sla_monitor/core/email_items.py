"""Emails and web forms: received -> acknowledged -> responded -> closed, and their deadlines.

A ``webform.submitted`` is handled exactly like ``email.received`` (its channel is "web").
The item holds the first instant of each step in processing order. Events that come before
the receipt are kept in the state and used once it arrives; without a receipt there is no
item. A step timed before the receipt (clock skew) still counts.

Decisions: a response that comes before any acknowledgement also acknowledges. Closing is
not a response: an email closed without one keeps its follow-up deadline, which breaches at
``due_at`` unless a response still arrives. A closed email is no longer *pending* in the
figures, though.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar

from .deadlines import DEADLINE_CACHE, Deadline, deadline_of, next_due
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

EMAIL_EVENT_TYPES = (
    "email.received",
    "webform.submitted",
    "email.acknowledged",
    "email.responded",
    "email.closed",
)
RECEIPT_TYPES = ("email.received", "webform.submitted")
ACKNOWLEDGE = "email.acknowledge"
FOLLOW_UP = "email.follow_up"

_STEPS = ("acknowledged_at", "responded_at", "closed_at")


@dataclass(frozen=True, slots=True)
class EmailItem:
    """One email or web form. ``item_id`` is its contact id."""

    kind: ClassVar[str] = "email"

    contact_id: str
    channel: str
    queue: str
    service_type: str | None
    query_reason: str | None
    customer_segment: str | None
    customer_ref: str | None
    received_at: datetime
    acknowledged_at: datetime | None = None
    responded_at: datetime | None = None
    closed_at: datetime | None = None
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_at", require_aware(self.received_at, "received_at"))
        for name in _STEPS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_aware(value, name))

    @property
    def item_id(self) -> str:
        """The item's key: its contact id."""
        return self.contact_id

    def is_pending(self, now: datetime) -> bool:
        """Received by ``now``, and neither responded to nor closed by then."""
        return self.received_at <= now and not any(
            t is not None and t <= now for t in (self.responded_at, self.closed_at)
        )

    def to_dict(self) -> dict[str, Any]:
        """The item as JSON-safe data; :meth:`from_dict` restores it exactly."""
        return {
            "kind": self.kind,
            "item_id": self.item_id,
            **dims_to_dict(self),
            "received_at": format_timestamp(self.received_at),
            **{name: format_optional_timestamp(getattr(self, name)) for name in _STEPS},
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EmailItem:
        """The item from :meth:`to_dict` output (extra keys ignored); bad data is a ValueError."""
        return cls(
            **dims_from_dict(d),
            received_at=parse_timestamp(d.get("received_at"), "received_at"),
            acknowledged_at=parse_optional_timestamp(d.get("acknowledged_at"), "acknowledged_at"),
            responded_at=parse_optional_timestamp(d.get("responded_at"), "responded_at"),
            closed_at=parse_optional_timestamp(d.get("closed_at"), "closed_at"),
            event_ids=id_tuple(d),
        )


def derive_email_item(events: Sequence[ItemEvent]) -> EmailItem | None:
    """The item a contact's events describe (any order, duplicates ignored); None before
    its receipt."""
    ordered = sort_item_events(events)
    opening = next((e for e in ordered if e.type in RECEIPT_TYPES), None)
    if opening is None:
        return None
    return EmailItem(
        **dims_of(opening, ordered),
        received_at=opening.occurred_at,
        acknowledged_at=first_at(ordered, "email.acknowledged"),
        responded_at=first_at(ordered, "email.responded"),
        closed_at=first_at(ordered, "email.closed"),
        event_ids=tuple(sorted(e.event_id for e in ordered)),
    )


class EmailState(ItemStateBase[EmailItem]):
    """What is kept per contact: its distinct events (sorted) and its item, if received."""

    __slots__ = ()
    item_type = EmailItem


def apply_email_event(
    state: EmailState, event: Mapping[str, Any] | ItemEvent, standards: Standards
) -> ItemResult[EmailState, EmailItem]:
    """Add one email or web-form event (canonical dict) to a contact's state and report the item's
    change, as :func:`~.items.apply_item_event` describes. ``standards`` is not needed to
    build the item; it is taken for symmetry with the call lifecycle."""
    return apply_item_event(state, event, EMAIL_EVENT_TYPES, derive_email_item, EmailState)


@lru_cache(maxsize=DEADLINE_CACHE)
def email_deadlines(item: EmailItem, standards: Standards) -> tuple[Deadline, ...]:
    """The acknowledgement deadline (calendar time, no warning) and the follow-up deadline
    (working time on the standards' calendar, warning at ``at_risk_fraction``)."""
    rules = standards.email
    acks = [t for t in (item.acknowledged_at, item.responded_at) if t is not None]
    allowance = timedelta(hours=rules.follow_up_working_hours)
    calendar = standards.calendar
    return (
        deadline_of(
            item,
            ACKNOWLEDGE,
            started_at=item.received_at,
            due_at=item.received_at + timedelta(seconds=rules.acknowledge_within_s),
            at_risk_at=None,
            satisfied_at=min(acks, default=None),
        ),
        deadline_of(
            item,
            FOLLOW_UP,
            started_at=item.received_at,
            due_at=calendar.add_working(item.received_at, allowance),
            at_risk_at=calendar.add_working(item.received_at, allowance * rules.at_risk_fraction),
            satisfied_at=item.responded_at,
        ),
    )


def email_kpis(
    items: Iterable[EmailItem], window: str, now: datetime, standards: Standards
) -> dict[str, Any]:
    """The email figures of ``items`` over ``window`` at ``now`` (JSON-safe).

    ``received`` counts receipts in the window. A deadline counts in its rate once decided
    (met, missed or breached), in the window holding the instant it was decided (the
    response, or ``due_at`` for a breach). The pending figures ignore the window: emails
    received by ``now`` and neither responded to nor closed. Seconds are 3 dp, ratios 6 dp,
    None for a zero denominator or when nothing is pending.
    """
    now = require_aware(now, "now")
    tz = standards.calls.tz
    received = 0
    met = {ACKNOWLEDGE: 0, FOLLOW_UP: 0}
    decided = {ACKNOWLEDGE: 0, FOLLOW_UP: 0}
    pending: list[EmailItem] = []
    pending_deadlines: list[Deadline] = []
    for item in sorted(items, key=lambda i: i.item_id):
        if in_window(item.received_at, window, now, tz):
            received += 1
        deadlines = email_deadlines(item, standards)
        for deadline in deadlines:
            at = deadline.decided_at(now)
            if at is not None and in_window(at, window, now, tz):
                decided[deadline.standard] += 1
                met[deadline.standard] += deadline.status(now) == "met"
        if item.is_pending(now):
            pending.append(item)
            pending_deadlines.extend(deadlines)
    follow_ups = [d.status(now) for d in pending_deadlines if d.standard == FOLLOW_UP]
    acks = [d.status(now) for d in pending_deadlines if d.standard == ACKNOWLEDGE]
    oldest = max((seconds_between(i.received_at, now) for i in pending), default=None)
    upcoming = next_due(pending_deadlines, now)
    return {
        "received": received,
        "acknowledged_in_time": met[ACKNOWLEDGE],
        "acknowledge_decided": decided[ACKNOWLEDGE],
        "acknowledge_rate": ratio(met[ACKNOWLEDGE], decided[ACKNOWLEDGE]),
        "responded_in_time": met[FOLLOW_UP],
        "follow_up_decided": decided[FOLLOW_UP],
        "follow_up_rate": ratio(met[FOLLOW_UP], decided[FOLLOW_UP]),
        "pending": len(pending),
        "at_risk": follow_ups.count("at_risk"),
        "breached_pending": follow_ups.count("breached"),
        "unacknowledged_breached": acks.count("breached"),
        "oldest_pending_seconds": None if oldest is None else round(oldest, 3),
        "next_breach_in_seconds": (
            None if upcoming is None else round(seconds_between(now, upcoming.due_at), 3)
        ),
    }

"""Per-contact deadlines of the charter, and how each one stands at an instant.

At ``now`` a deadline is, in this order of precedence:

- ``met``: satisfied at or before ``due_at`` ("within" means <=);
- ``missed``: satisfied after ``due_at``;
- ``breached``: not satisfied and ``now > due_at`` (at ``now == due_at`` it is not yet);
- ``at_risk``: not satisfied and ``at_risk_at <= now <= due_at``;
- ``pending``: otherwise.

A satisfaction later than ``now`` is not known yet at ``now``: the deadline is judged as
unsatisfied, so a snapshot at an earlier instant gives what was true then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from .fields import id_tuple, optional_text, required_text
from .timestamps import (
    format_optional_timestamp,
    format_timestamp,
    parse_optional_timestamp,
    parse_timestamp,
    require_aware,
    seconds_between,
)

DEADLINE_STATUSES = ("pending", "at_risk", "breached", "met", "missed")
#: the statuses of a deadline still open (the pending view's rows)
OPEN_STATUSES = ("pending", "at_risk", "breached")
#: a snapshot lists at most this many open deadlines, soonest due first; its summary
#: counts them all (a busy queue has tens of thousands: the list must stay well under
#: Kafka's 1 MB message limit)
PENDING_SHOWN = 100
#: deadlines derived on the working-time calendar are remembered per (item, standards)
#: version: figures and alerts ask for the same item's deadlines again and again
DEADLINE_CACHE = 1 << 16

_TIMES = ("started_at", "due_at", "at_risk_at", "satisfied_at")


@dataclass(frozen=True, slots=True)
class Deadline:
    """One deadline of one item under one standard (e.g. ``email.follow_up``).

    ``item_id`` is the contact id, or ``<contact id>:stage<n>`` for a complaint stage.
    ``at_risk_at`` is None when the standard gives no warning before its breach.
    """

    standard: str
    item_id: str
    contact_id: str
    channel: str
    queue: str
    service_type: str | None
    customer_segment: str | None
    started_at: datetime
    due_at: datetime
    at_risk_at: datetime | None
    satisfied_at: datetime | None
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in _TIMES:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_aware(value, name))

    def satisfied_by(self, now: datetime) -> datetime | None:
        """When the deadline was satisfied, if that was at or before ``now``."""
        if self.satisfied_at is not None and self.satisfied_at <= require_aware(now, "now"):
            return self.satisfied_at
        return None

    def status(self, now: datetime) -> str:
        """One of DEADLINE_STATUSES, as seen at ``now``."""
        now = require_aware(now, "now")
        satisfied = self.satisfied_by(now)
        if satisfied is not None:
            return "met" if satisfied <= self.due_at else "missed"
        if now > self.due_at:
            return "breached"
        if self.at_risk_at is not None and self.at_risk_at <= now:
            return "at_risk"
        return "pending"

    def decided_at(self, now: datetime) -> datetime | None:
        """When the outcome became known, as seen at ``now``: the satisfaction, or ``due_at``
        for a breach; None while the deadline is still open."""
        satisfied = self.satisfied_by(now)
        if satisfied is not None:
            return satisfied
        return self.due_at if require_aware(now, "now") > self.due_at else None

    def to_dict(self) -> dict[str, Any]:
        """The deadline as JSON-safe data; :meth:`from_dict` restores it exactly."""
        return {
            "standard": self.standard,
            "item_id": self.item_id,
            "contact_id": self.contact_id,
            "channel": self.channel,
            "queue": self.queue,
            "service_type": self.service_type,
            "customer_segment": self.customer_segment,
            "started_at": format_timestamp(self.started_at),
            "due_at": format_timestamp(self.due_at),
            "at_risk_at": format_optional_timestamp(self.at_risk_at),
            "satisfied_at": format_optional_timestamp(self.satisfied_at),
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Deadline:
        """The deadline from :meth:`to_dict` output (extra keys ignored); bad data is a
        ValueError."""
        return cls(
            standard=required_text(d, "standard"),
            item_id=required_text(d, "item_id"),
            contact_id=required_text(d, "contact_id"),
            channel=required_text(d, "channel"),
            queue=required_text(d, "queue"),
            service_type=optional_text(d, "service_type"),
            customer_segment=optional_text(d, "customer_segment"),
            started_at=parse_timestamp(d.get("started_at"), "started_at"),
            due_at=parse_timestamp(d.get("due_at"), "due_at"),
            at_risk_at=parse_optional_timestamp(d.get("at_risk_at"), "at_risk_at"),
            satisfied_at=parse_optional_timestamp(d.get("satisfied_at"), "satisfied_at"),
            event_ids=id_tuple(d),
        )


class DeadlineSubject(Protocol):
    """What a deadline copies from its item."""

    @property
    def contact_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def queue(self) -> str: ...
    @property
    def service_type(self) -> str | None: ...
    @property
    def customer_segment(self) -> str | None: ...
    @property
    def event_ids(self) -> tuple[str, ...]: ...


def deadline_of(
    item: DeadlineSubject,
    standard: str,
    *,
    started_at: datetime,
    due_at: datetime,
    at_risk_at: datetime | None,
    satisfied_at: datetime | None,
    item_id: str | None = None,
) -> Deadline:
    """A deadline of ``item`` under ``standard``, carrying the item's dimensions and event ids
    (``item_id`` defaults to the contact id)."""
    return Deadline(
        standard=standard,
        item_id=item.contact_id if item_id is None else item_id,
        contact_id=item.contact_id,
        channel=item.channel,
        queue=item.queue,
        service_type=item.service_type,
        customer_segment=item.customer_segment,
        started_at=started_at,
        due_at=due_at,
        at_risk_at=at_risk_at,
        satisfied_at=satisfied_at,
        event_ids=item.event_ids,
    )


def _unsatisfied(deadlines: Iterable[Deadline], now: datetime) -> list[Deadline]:
    """Deadlines not satisfied by ``now``, soonest due first."""
    open_ = [d for d in deadlines if d.satisfied_by(now) is None]
    return sorted(open_, key=lambda d: (d.due_at, d.item_id, d.standard))


def pending_view(deadlines: Iterable[Deadline], now: datetime) -> list[dict[str, Any]]:
    """Every deadline started and still unsatisfied at ``now`` (breached ones included),
    soonest due first (ties by item_id, then standard): its fields plus ``status`` and
    ``seconds_to_due`` (3 dp, negative once past due)."""
    now = require_aware(now, "now")
    return [
        {
            **d.to_dict(),
            "status": d.status(now),
            "seconds_to_due": round(seconds_between(now, d.due_at), 3),
        }
        for d in _unsatisfied(deadlines, now)
        if d.started_at <= now
    ]


def pending_summary(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of the open deadlines ``rows`` (as :func:`pending_view` gives them, all of
    them, not only the ones shown): ``total``; per standard its ``count``, the count in
    each open status and the ``oldest_started_at``; per kind (the standard's prefix, e.g.
    ``email``) the distinct items with a breached deadline (``breached_items``); and
    ``next_due_seconds``, the soonest ``seconds_to_due`` of those not breached (None
    when there is none)."""
    standards: dict[str, dict[str, Any]] = {}
    oldest: dict[str, datetime] = {}
    breached: dict[str, set[str]] = {}
    next_due_s: float | None = None
    total = 0
    for row in rows:
        total += 1
        standard, status = str(row["standard"]), str(row["status"])
        counts = standards.setdefault(standard, {"count": 0, **dict.fromkeys(OPEN_STATUSES, 0)})
        counts["count"] += 1
        counts[status] = counts.get(status, 0) + 1
        started = parse_timestamp(row["started_at"], "started_at")
        if standard not in oldest or started < oldest[standard]:
            oldest[standard] = started
        if status == "breached":
            breached.setdefault(standard.partition(".")[0], set()).add(str(row["item_id"]))
        else:
            due_s = float(row["seconds_to_due"])
            next_due_s = due_s if next_due_s is None else min(next_due_s, due_s)
    for standard, started in oldest.items():
        standards[standard]["oldest_started_at"] = format_timestamp(started)
    return {
        "total": total,
        "standards": {k: standards[k] for k in sorted(standards)},
        "breached_items": {k: len(v) for k, v in sorted(breached.items())},
        "next_due_seconds": next_due_s,
    }


def next_due(deadlines: Iterable[Deadline], now: datetime) -> Deadline | None:
    """The deadline, unsatisfied at ``now``, that breaches next (smallest ``due_at >= now``;
    ties by item_id then standard); None when there is none. Its breach is due right after
    ``due_at``; a timer set for ``due_at`` reports it with that event time."""
    now = require_aware(now, "now")
    return next((d for d in _unsatisfied(deadlines, now) if d.due_at >= now), None)

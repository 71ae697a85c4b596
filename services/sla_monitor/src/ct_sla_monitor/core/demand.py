"""Demand: contacts started in a window, by channel, service type and customer segment.

A contact counts once, at its earliest start (a transferred call's second queue does not
add demand). Cases and complaints are not contacts of their own here: only the channel
start events in DEMAND_EVENT_TYPES are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .events import Envelope
from .fields import optional_text, required_text
from .resolution import UNKNOWN, check_report_window, in_report_window
from .timestamps import format_timestamp, parse_timestamp, require_aware

DEMAND_EVENT_TYPES = ("call.queued", "email.received", "webform.submitted", "visit.ticketed")


@dataclass(frozen=True, slots=True)
class DemandRecord:
    """One contact start."""

    contact_id: str
    channel: str
    service_type: str | None
    customer_segment: str | None
    started_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", require_aware(self.started_at, "started_at"))

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-safe data; :meth:`from_dict` restores it exactly."""
        return {
            "contact_id": self.contact_id,
            "channel": self.channel,
            "service_type": self.service_type,
            "customer_segment": self.customer_segment,
            "started_at": format_timestamp(self.started_at),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DemandRecord:
        """The record from :meth:`to_dict` output (extra keys ignored); bad data is a ValueError."""
        return cls(
            contact_id=required_text(d, "contact_id"),
            channel=required_text(d, "channel"),
            service_type=optional_text(d, "service_type"),
            customer_segment=optional_text(d, "customer_segment"),
            started_at=parse_timestamp(d.get("started_at"), "started_at"),
        )


def demand_record_from_event(event: Mapping[str, Any]) -> DemandRecord | None:
    """The contact start a canonical event records; None for other event types."""
    if event.get("type") not in DEMAND_EVENT_TYPES:
        return None
    env = Envelope.from_dict(event)
    return DemandRecord(
        contact_id=env.contact_id,
        channel=env.channel,
        service_type=env.service_type,
        customer_segment=env.customer_segment,
        started_at=env.occurred_at,
    )


def _order(r: DemandRecord) -> tuple[datetime, str, str, str]:
    return (r.started_at, r.channel, r.service_type or "", r.customer_segment or "")


def first_starts(records: Iterable[DemandRecord]) -> dict[str, DemandRecord]:
    """Each contact's earliest record, by contact_id (ties broken on the other fields)."""
    first: dict[str, DemandRecord] = {}
    for r in sorted(records, key=_order):
        first.setdefault(r.contact_id, r)
    return first


def demand_kpis(
    records: Iterable[DemandRecord], window: str, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """Contacts whose earliest start is in ``window`` at ``now``: the total, counts by
    channel, service type and customer segment (missing ones as "unknown"), and the
    channel mix (each channel's share, 6 dp; empty without contacts)."""
    check_report_window(window)
    now = require_aware(now, "now")
    counted = [
        r for r in first_starts(records).values() if in_report_window(r.started_at, window, now, tz)
    ]
    total = len(counted)
    by_channel = Counter(r.channel for r in counted)
    by_service = Counter(r.service_type or UNKNOWN for r in counted)
    by_segment = Counter(r.customer_segment or UNKNOWN for r in counted)
    return {
        "contacts": total,
        "by_channel": dict(sorted(by_channel.items())),
        "by_service_type": dict(sorted(by_service.items())),
        "by_customer_segment": dict(sorted(by_segment.items())),
        "channel_mix": {c: round(n / total, 6) for c, n in sorted(by_channel.items())},
    }

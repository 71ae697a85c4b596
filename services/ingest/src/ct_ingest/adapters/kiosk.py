"""A reception kiosk's ticket events to canonical visit events (pure).

The kiosk (queue-management system) POSTs one JSON object per step of a ticket::

    {"event": "ticket_issued", "occurred_at": "2026-11-23T09:02:10Z", "site": "town-hall",
     "ticket": "A042", "issued_on": "2026-11-23", "service_type": "housing"}

=============  ==============  ================================================
event          canonical       meaning
=============  ==============  ================================================
ticket_issued  visit.ticketed  the visitor took a ticket: the queue clock starts
called         visit.called    called to a desk: queue time ends (``staff_id``)
served         visit.served    the service at the desk ended
left           visit.left      the visitor left; before being called, a walk-out
=============  ==============  ================================================

Kiosks number tickets afresh every day, so the contact is the site, the day the ticket was
issued and its number: ``kiosk-<site>-<issued_on>-<ticket>``; the event id adds the step.
The queue is the site.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ct_ingest.adapters.naming import safe_id, safe_name, timestamp
from ct_ingest.adapters.payload_fields import Instant, Name, QueryReason, dimensions

STEPS: dict[str, str] = {
    "ticket_issued": "visit.ticketed",
    "called": "visit.called",
    "served": "visit.served",
    "left": "visit.left",
}
Ticket = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]*$")]

Event = dict[str, Any]


class KioskEvent(BaseModel):
    """One step of a reception ticket."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event: Literal["ticket_issued", "called", "served", "left"]
    occurred_at: Instant
    site: Name
    ticket: Ticket
    issued_on: dt.date = Field(description="The day the ticket was issued (numbers restart).")
    staff_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    service_type: Name | None = None
    query_reason: QueryReason | None = None
    customer_segment: Name | None = None


def map_kiosk(step: KioskEvent, *, source: str) -> list[Event]:
    """The canonical event of one ticket step."""
    site = safe_name(step.site)
    contact = f"kiosk-{site}-{step.issued_on.isoformat()}-{step.ticket}"
    event: Event = {
        "event_id": f"{contact}-{step.event}",
        "type": STEPS[step.event],
        "occurred_at": timestamp(step.occurred_at),
        "contact_id": contact,
        "channel": "face_to_face",
        "queue": site,
        "source": source,
        **dimensions(step),
    }
    if step.event == "called" and step.staff_id:
        event["agent_id"] = safe_id(step.staff_id)
    return [event]

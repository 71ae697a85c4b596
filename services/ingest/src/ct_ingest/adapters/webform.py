"""A web site's form handler to canonical web events (pure).

The site POSTs one JSON object when a form is submitted, and one when staff reply::

    {"event": "submitted", "occurred_at": "2026-11-23T10:00:00Z", "form": "contact-us",
     "submission_id": "8f14e45f", "service_type": "housing", "acknowledged": true,
     "email": "resident@example.org"}
    {"event": "replied", "occurred_at": "2026-11-23T15:30:00Z", "form": "contact-us",
     "submission_id": "8f14e45f"}

``submitted`` is ``webform.submitted`` (channel ``web``, queue = the form). With
``"acknowledged": true`` the site confirmed receipt on the spot (a confirmation page or
e-mail with a reference), which is also an ``email.acknowledged`` at the same instant.
``replied`` is ``email.responded``. ``contact_id`` is ``web-`` + the form + a digest of the
submission id; event ids are derived from the contact and the step. ``email`` travels as
``customer_email``, which ingest turns into ``customer_ref``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ct_ingest.adapters.naming import digest, safe_name, timestamp
from ct_ingest.adapters.payload_fields import Instant, Name, QueryReason, SourceId, dimensions
from ct_ingest.core.pseudonyms import EMAIL_FIELD

Event = dict[str, Any]


class WebformEvent(BaseModel):
    """A form submission, or the reply to one."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event: Literal["submitted", "replied"]
    occurred_at: Instant
    form: Name
    submission_id: SourceId
    acknowledged: bool = Field(default=False, description="Receipt confirmed on submission.")
    email: str | None = Field(default=None, max_length=254)
    service_type: Name | None = None
    query_reason: QueryReason | None = None
    customer_segment: Name | None = None


def map_webform(step: WebformEvent, *, source: str) -> list[Event]:
    """The canonical events of a submission (and its on-the-spot acknowledgement) or reply."""
    form = safe_name(step.form)
    contact = f"web-{form[:40]}-{digest(form, step.submission_id.strip())}"
    base: Event = {
        "occurred_at": timestamp(step.occurred_at),
        "contact_id": contact,
        "channel": "web",
        "queue": form,
        "source": source,
        **dimensions(step),
    }
    if step.email and step.email.strip():
        base[EMAIL_FIELD] = step.email.strip()
    if step.event == "replied":
        return [{"event_id": f"{contact}-replied", "type": "email.responded", **base}]
    events = [{"event_id": f"{contact}-submitted", "type": "webform.submitted", **base}]
    if step.acknowledged:
        events.append({"event_id": f"{contact}-acknowledged", "type": "email.acknowledged", **base})
    return events

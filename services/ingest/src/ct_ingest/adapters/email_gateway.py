"""An email gateway's webhook to canonical email events, keyed by the thread (pure).

The gateway POSTs one JSON object per step of a customer's email thread::

    {"event": "received", "occurred_at": "2026-11-23T09:12:00Z", "mailbox": "admissions",
     "message_id": "<CAF=x1@mail.example.com>", "in_reply_to": null, "references": null,
     "from": "student@example.ac.uk", "service_type": "admissions"}

==================  ====================  ===============================================
event               canonical event       message_id is
==================  ====================  ===============================================
received            email.received        the customer's message
auto_acknowledged   email.acknowledged    the automatic acknowledgement
agent_replied       email.responded       the agent's reply (the first one counts)
closed              email.closed          optional: the thread is closed in the gateway
==================  ====================  ===============================================

The thread is the one RFC 5322 threading gives: the first Message-ID of ``references``,
else ``in_reply_to``, else the message's own ``message_id`` (a gateway with its own thread
key sends ``thread_id``, which wins). ``contact_id`` is ``mail-`` + a digest of that root
Message-ID, so every step of a thread, and every re-send, lands on the same contact without
putting the Message-ID (which often names the sender's host) into the event. ``event_id``
is a digest of the step, the thread and the message. The queue is the mailbox. ``from``
travels as ``customer_email``, which ingest turns into ``customer_ref``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ct_ingest.adapters.naming import digest, safe_name, timestamp
from ct_ingest.adapters.payload_fields import Instant, Name, QueryReason, SourceId, dimensions
from ct_ingest.adapters.refusals import PayloadInvalid
from ct_ingest.core.pseudonyms import EMAIL_FIELD

STEPS: dict[str, str] = {
    "received": "email.received",
    "auto_acknowledged": "email.acknowledged",
    "agent_replied": "email.responded",
    "closed": "email.closed",
}
_MESSAGE_ID = re.compile(r"<?\s*([^<>\s]+)\s*>?")

Event = dict[str, Any]


class EmailGatewayEvent(BaseModel):
    """One step of an email thread, as the gateway posts it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event: Literal["received", "auto_acknowledged", "agent_replied", "closed"]
    occurred_at: Instant
    mailbox: Name
    message_id: SourceId | None = Field(default=None, description="This message's Message-ID.")
    in_reply_to: SourceId | None = None
    references: SourceId | None = Field(default=None, description="The References header.")
    thread_id: SourceId | None = Field(default=None, description="The gateway's thread key.")
    sender: str | None = Field(default=None, alias="from", max_length=254)
    service_type: Name | None = None
    query_reason: QueryReason | None = None
    customer_segment: Name | None = None

    @model_validator(mode="after")
    def _has_thread(self) -> EmailGatewayEvent:
        if not (self.thread_id or self.references or self.in_reply_to or self.message_id):
            raise ValueError("one of thread_id, references, in_reply_to, message_id is needed")
        if self.event != "closed" and self.message_id is None and self.thread_id is None:
            raise ValueError("message_id is needed for every step but 'closed'")
        return self


def thread_root(step: EmailGatewayEvent) -> str:
    """The Message-ID (without angle brackets) that identifies the thread."""
    for header in (step.thread_id, step.references, step.in_reply_to, step.message_id):
        ids = _MESSAGE_ID.findall(header or "")
        if ids:
            return str(ids[0])
    raise PayloadInvalid.one("message_id", "thread_unknown", "no Message-ID to thread by")


def map_email_step(step: EmailGatewayEvent, *, source: str) -> list[Event]:
    """The canonical event of one thread step."""
    root = thread_root(step)
    message = "".join(_MESSAGE_ID.findall(step.message_id or ""))
    event: Event = {
        "event_id": f"mail-{digest(step.event, root, message)}",
        "type": STEPS[step.event],
        "occurred_at": timestamp(step.occurred_at),
        "contact_id": f"mail-{digest(root)}",
        "channel": "email",
        "queue": safe_name(step.mailbox),
        "source": source,
        **dimensions(step),
    }
    if step.sender and step.sender.strip():
        event[EMAIL_FIELD] = step.sender.strip()
    return [event]

"""Pydantic models of the canonical contact events (schema version 1).

The envelope is flat: the fields every event carries, plus a few fields of its own
type (``rings`` on ``call.answered``, ``to_queue`` on ``call.transferred``). New
channels add new members to :data:`ContactEvent`; the envelope never changes
incompatibly within version 1. Unknown fields are rejected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

Channel = Literal["phone", "email", "web", "face_to_face", "social"]
CHANNELS: tuple[str, ...] = ("phone", "email", "web", "face_to_face", "social")

#: Queue name reserved for "every queue of the channel" in figures.
ALL_QUEUES = "all"

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
#: A pseudonymised customer reference: the pseudonymisation key version, a colon, and
#: an HMAC-SHA256 in hex. Raw phone numbers or e-mail addresses never fit it.
CustomerRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,16}:[0-9a-f]{64}$")]


class EventEnvelope(BaseModel):
    """Fields every contact event carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Identifier = Field(description="Unique id of this event; a re-send keeps it.")
    occurred_at: AwareDatetime = Field(
        description="When it happened: RFC 3339 with an offset. Stored as UTC."
    )
    contact_id: Identifier = Field(description="The contact (call, email, visit) it belongs to.")
    channel: Channel
    queue: Name = Field(description="Queue, mailbox or desk. 'all' is reserved.")
    service_type: Name = Field(description="What the contact is about, e.g. 'council_tax'.")
    customer_segment: Name | None = None
    customer_ref: CustomerRef | None = Field(
        default=None, description="Pseudonymised customer id: '<key version>:<hmac hex>'."
    )
    agent_id: Identifier | None = None
    source: Name = Field(description="The system that reported it; ingest stamps it.")

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("queue")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == ALL_QUEUES:
            raise ValueError("'all' is reserved for the all-queues figures")
        return value


class CallQueued(EventEnvelope):
    """A call joined a queue: it is offered."""

    type: Literal["call.queued"]


class CallRinging(EventEnvelope):
    """The call started ringing, for an agent or on the line."""

    type: Literal["call.ringing"]


class CallAnswered(EventEnvelope):
    """An agent connected. ``rings``, when the telephony reports it, wins over ring time."""

    type: Literal["call.answered"]
    rings: int | None = Field(default=None, ge=1, le=1000)


class CallAbandoned(EventEnvelope):
    """The caller left the queue unanswered."""

    type: Literal["call.abandoned"]


class CallTransferred(EventEnvelope):
    """The call moved on; with ``to_queue`` it waits again in that queue."""

    type: Literal["call.transferred"]
    to_queue: Name | None = None


class CallEnded(EventEnvelope):
    """The call is over."""

    type: Literal["call.ended"]


ContactEvent = Annotated[
    CallQueued | CallRinging | CallAnswered | CallAbandoned | CallTransferred | CallEnded,
    Field(discriminator="type"),
]

EVENT_TYPES: tuple[str, ...] = (
    "call.queued",
    "call.ringing",
    "call.answered",
    "call.abandoned",
    "call.transferred",
    "call.ended",
)

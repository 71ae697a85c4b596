"""Pydantic models of the canonical contact events (schema version 1).

The envelope is flat: the fields every event carries, plus a few fields of its own
type (``rings`` on ``call.answered``, ``to_queue`` on ``call.transferred``, ``resolution``
and ``contacts`` on ``case.resolved``, ``stage`` on complaints, ``score`` on surveys).
Channel-specific types (calls, emails, visits) refuse other channels. New
channels add new members to :data:`ContactEvent`; the envelope never changes
incompatibly within version 1. Unknown fields are rejected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

Channel = Literal["phone", "email", "web", "face_to_face", "social"]
QueryReason = Literal["problem", "query", "clarification", "complaint"]
Resolution = Literal["first_contact", "follow_up", "investigation"]
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
    service_type: Name | None = Field(
        default=None, description="What the contact is about, e.g. 'council_tax'."
    )
    query_reason: QueryReason | None = Field(
        default=None, description="Why the customer got in touch."
    )
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


class _OnChannels(EventEnvelope):
    """An event type that belongs to some channels only."""

    allowed_channels: ClassVar[tuple[str, ...]] = ()

    @field_validator("channel")
    @classmethod
    def _channel_fits(cls, value: str) -> str:
        if cls.allowed_channels and value not in cls.allowed_channels:
            allowed = ", ".join(cls.allowed_channels)
            raise ValueError(f"this event type belongs to channel {allowed}")
        return value


class _Phone(_OnChannels):
    allowed_channels = ("phone",)


class _Email(_OnChannels):
    allowed_channels = ("email", "web")


class _Visit(_OnChannels):
    allowed_channels = ("face_to_face",)


class CallQueued(_Phone):
    """A call joined a queue: it is offered."""

    type: Literal["call.queued"]


class CallRinging(_Phone):
    """The call started ringing, for an agent or on the line."""

    type: Literal["call.ringing"]


class CallAnswered(_Phone):
    """An agent connected. ``rings``, when the telephony reports it, wins over ring time."""

    type: Literal["call.answered"]
    rings: int | None = Field(default=None, ge=1, le=1000)


class CallAbandoned(_Phone):
    """The caller left the queue unanswered."""

    type: Literal["call.abandoned"]


class CallTransferred(_Phone):
    """The call moved on; with ``to_queue`` it waits again in that queue."""

    type: Literal["call.transferred"]
    to_queue: Name | None = None


class CallEnded(_Phone):
    """The call is over."""

    type: Literal["call.ended"]


class EmailReceived(_Email):
    """An email arrived: the acknowledgement and follow-up clocks start."""

    type: Literal["email.received"]


class WebformSubmitted(_OnChannels):
    """A web form was submitted; handled like an email."""

    allowed_channels = ("web",)
    type: Literal["webform.submitted"]


class EmailAcknowledged(_Email):
    """The customer was told their message arrived."""

    type: Literal["email.acknowledged"]


class EmailResponded(_Email):
    """The first substantive follow-up was sent."""

    type: Literal["email.responded"]


class EmailClosed(_Email):
    """Nothing more to do on this message."""

    type: Literal["email.closed"]


class VisitTicketed(_Visit):
    """A visitor took a ticket: the reception queue clock starts."""

    type: Literal["visit.ticketed"]


class VisitCalled(_Visit):
    """The visitor was called to a desk: queue time ends."""

    type: Literal["visit.called"]


class VisitServed(_Visit):
    """The visitor's service ended."""

    type: Literal["visit.served"]


class VisitLeft(_Visit):
    """The visitor left (walked out, if never called)."""

    type: Literal["visit.left"]


class CaseOpened(EventEnvelope):
    """A case was opened for the customer's query."""

    type: Literal["case.opened"]


class CaseResolved(EventEnvelope):
    """The case was resolved: how, and after how many contacts."""

    type: Literal["case.resolved"]
    resolution: Resolution
    contacts: int = Field(ge=1, le=10_000)


class CaseClosed(EventEnvelope):
    """The case was closed."""

    type: Literal["case.closed"]


class ComplaintRaised(EventEnvelope):
    """A complaint was raised: stage 1 opens."""

    type: Literal["complaint.raised"]


class ComplaintEscalated(EventEnvelope):
    """The complaint moved to a further stage."""

    type: Literal["complaint.escalated"]
    stage: int = Field(ge=2, le=3)


class ComplaintResponded(EventEnvelope):
    """A stage of the complaint was answered."""

    type: Literal["complaint.responded"]
    stage: int = Field(ge=1, le=3)


class SurveyAnswered(EventEnvelope):
    """A satisfaction survey was answered (0-10, for NPS)."""

    type: Literal["survey.answered"]
    score: int = Field(ge=0, le=10)


ContactEvent = Annotated[
    CallQueued
    | CallRinging
    | CallAnswered
    | CallAbandoned
    | CallTransferred
    | CallEnded
    | EmailReceived
    | WebformSubmitted
    | EmailAcknowledged
    | EmailResponded
    | EmailClosed
    | VisitTicketed
    | VisitCalled
    | VisitServed
    | VisitLeft
    | CaseOpened
    | CaseResolved
    | CaseClosed
    | ComplaintRaised
    | ComplaintEscalated
    | ComplaintResponded
    | SurveyAnswered,
    Field(discriminator="type"),
]

EVENT_TYPES: tuple[str, ...] = (
    "call.queued",
    "call.ringing",
    "call.answered",
    "call.abandoned",
    "call.transferred",
    "call.ended",
    "email.received",
    "webform.submitted",
    "email.acknowledged",
    "email.responded",
    "email.closed",
    "visit.ticketed",
    "visit.called",
    "visit.served",
    "visit.left",
    "case.opened",
    "case.resolved",
    "case.closed",
    "complaint.raised",
    "complaint.escalated",
    "complaint.responded",
    "survey.answered",
)

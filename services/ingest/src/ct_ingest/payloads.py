"""The JSON bodies ingest answers with: one model per answer, for the responses and the docs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ct_ingest.core.batch import Status


def _absent(value: object) -> bool:
    return value is None


class ErrorDetail(BaseModel):
    """One reason an input was refused. It names the field and the rule, never the value."""

    field: str = Field(description="Dotted path of the field, or '(body)' for the whole body.")
    rule: str = Field(description="The rule broken, e.g. 'missing', 'extra_forbidden'.")
    message: str = Field(description="Human-readable explanation, free of submitted values.")


class Accepted(BaseModel):
    """The broker acknowledged the event."""

    status: Literal["accepted"] = "accepted"
    event_id: str


class InvalidEventBody(BaseModel):
    """The body is not a valid contact event (or batch envelope)."""

    error: Literal["invalid_event"] = "invalid_event"
    errors: list[ErrorDetail]


class BodyTooLargeBody(BaseModel):
    """The request body is over the size limit."""

    error: Literal["body_too_large"] = "body_too_large"
    limit_bytes: int


class BatchTooLargeBody(BaseModel):
    """The batch holds more events than allowed."""

    error: Literal["batch_too_large"] = "batch_too_large"
    limit: int


class UnavailableBody(BaseModel):
    """The broker did not acknowledge the write; retry after ``retry_after_s`` seconds."""

    error: Literal["broker_unavailable"] = "broker_unavailable"
    retry_after_s: int


class UnauthorizedBody(BaseModel):
    """No or bad credentials. ``reason``: ``missing_api_key``, ``unknown_api_key``,
    ``signature_missing``, ``webhook_id_invalid``, ``timestamp_invalid``,
    ``timestamp_out_of_tolerance``, ``signature_mismatch`` or ``webhook_id_reused``."""

    error: Literal["unauthorized"] = "unauthorized"
    reason: str


class ForbiddenBody(BaseModel):
    """The source may not post this: ``event_type_not_allowed`` (with the batch ``indexes``
    of the refused items, if a batch) or ``route_not_allowed``."""

    error: Literal["forbidden"] = "forbidden"
    reason: str
    indexes: list[int] | None = Field(default=None, exclude_if=_absent)


class RateLimitedBody(BaseModel):
    """The source sent more than its rate allows; retry after ``retry_after_s`` seconds."""

    error: Literal["rate_limited"] = "rate_limited"
    retry_after_s: int


class ReplayCacheFullBody(BaseModel):
    """Too many signed message ids are remembered right now; retry after ``retry_after_s``."""

    error: Literal["replay_cache_full"] = "replay_cache_full"
    retry_after_s: int


class BatchItem(BaseModel):
    """The outcome of one item, by its position in the batch."""

    index: int
    event_id: str | None = Field(description="The item's event_id; null when it is invalid.")
    status: Status
    errors: list[ErrorDetail] | None = Field(
        default=None, exclude_if=_absent, description="Present only for 'invalid' items."
    )


class BatchBody(BaseModel):
    """Per-item outcomes and their counts. ``error`` is set when some write was not acknowledged."""

    results: list[BatchItem]
    accepted: int
    invalid: int
    duplicate_in_batch: int
    unavailable: int
    error: Literal["broker_unavailable"] | None = Field(default=None, exclude_if=_absent)
    retry_after_s: int | None = Field(default=None, exclude_if=_absent)


class Health(BaseModel):
    """The process is alive."""

    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    """The broker is reachable; events can be accepted."""

    status: Literal["ready"] = "ready"


class NotReady(BaseModel):
    """Events cannot be accepted now."""

    status: Literal["not_ready"] = "not_ready"
    reason: Literal["broker_unavailable"] = "broker_unavailable"


class InternalErrorBody(BaseModel):
    """Something unexpected failed. No details are given; the log names the error class."""

    error: Literal["internal_error"] = "internal_error"

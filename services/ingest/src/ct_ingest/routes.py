"""The HTTP routes: read the body, ask the contract and the core, publish, answer.

2xx only after the broker acknowledged the write; otherwise 503 with Retry-After, and the
sender retries safely because every event carries its ``event_id``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from contact_events import InvalidEvent, decode_event
from ct_ingest import payloads, responses
from ct_ingest.body import read_body
from ct_ingest.core.batch import (
    BatchRejected,
    BatchTooLarge,
    judge_items,
    publishable,
    read_batch,
    report,
)
from ct_ingest.core.records import record_of
from ct_ingest.deps import PublisherDep, SettingsDep
from ct_ingest.errors import BodyTooLarge, BrokerUnavailable
from ct_ingest.openapi import batch_request_body, event_request_body

router = APIRouter()

_BODY_TOO_LARGE: dict[str, Any] = {
    "model": payloads.BodyTooLargeBody,
    "description": "The body is over the size limit (checked while it is read).",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.",
                                 "schema": {"type": "integer"}}}
_UNAVAILABLE: dict[str, Any] = {
    "model": payloads.UnavailableBody,
    "description": "The broker did not acknowledge the write. Retry after Retry-After seconds.",
    "headers": _RETRY_AFTER,
}


@router.post(
    "/v1/events",
    summary="Submit one contact event",
    status_code=202,
    response_model=None,
    response_description="The broker acknowledged the event.",
    responses={
        202: {"model": payloads.Accepted},
        413: _BODY_TOO_LARGE,
        422: {"model": payloads.InvalidEventBody, "description": "Not a valid contact event."},
        503: _UNAVAILABLE,
    },
    openapi_extra=event_request_body(),
)
async def submit_event(
    request: Request, settings: SettingsDep, publisher: PublisherDep
) -> Response:
    """Validate one event against the contract and write it to `contact.events.v1`,
    keyed by `contact_id`. Errors name the field and rule, never the submitted value."""
    try:
        event = decode_event(await read_body(request, settings.max_body_bytes))
    except BodyTooLarge as exc:
        return responses.body_too_large(exc.limit)
    except InvalidEvent as exc:
        return responses.invalid(exc.errors)
    try:
        await publisher.publish(*record_of(event))
    except BrokerUnavailable:
        return responses.unavailable(settings.retry_after_s)
    return responses.accepted(event.event_id)


@router.post(
    "/v1/events:batch",
    summary="Submit a batch of contact events",
    response_model=None,
    response_description="Every valid item was acknowledged; per-item outcomes.",
    responses={
        200: {"model": payloads.BatchBody},
        413: {
            "model": payloads.BodyTooLargeBody | payloads.BatchTooLargeBody,
            "description": "The body is over the size limit, or holds too many events.",
        },
        422: {
            "model": payloads.InvalidEventBody,
            "description": 'The body is not {"events": [...]} (the error names field "events").',
        },
        503: {
            "model": payloads.BatchBody,
            "description": "Some valid item was not acknowledged (status 'unavailable'); "
            "retry those after Retry-After seconds.",
            "headers": _RETRY_AFTER,
        },
    },
    openapi_extra=batch_request_body(),
)
async def submit_batch(
    request: Request, settings: SettingsDep, publisher: PublisherDep
) -> Response:
    """Validate each item on its own and write the valid ones concurrently. An item reusing
    an earlier item's `event_id` is `duplicate_in_batch` and is not written again."""
    try:
        raw = await read_body(request, settings.max_body_bytes)
        items = read_batch(raw, settings.max_batch_events)
    except BodyTooLarge as exc:
        return responses.body_too_large(exc.limit)
    except BatchTooLarge as exc:
        return responses.batch_too_large(exc.limit)
    except BatchRejected as exc:
        return responses.invalid(exc.errors)
    verdicts = judge_items(items)
    outcomes = await publisher.publish_many([record_of(e) for e in publishable(verdicts)])
    acknowledged = [outcome is None for outcome in outcomes]
    return responses.batch_report(report(verdicts, acknowledged), settings.retry_after_s)


@router.get(
    "/healthz",
    summary="Liveness",
    response_model=None,
    response_description="The process is alive (says nothing about the broker).",
    responses={200: {"model": payloads.Health}},
)
async def healthz() -> Response:
    """Always 200 while the process serves requests."""
    return responses.answer(payloads.Health(), 200)


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=None,
    response_description="The broker is reachable: events can be accepted.",
    responses={
        200: {"model": payloads.Ready},
        503: {
            "model": payloads.NotReady,
            "description": "The broker is unreachable, or lacks the topic.",
            "headers": _RETRY_AFTER,
        },
    },
)
async def readyz(settings: SettingsDep, publisher: PublisherDep) -> Response:
    """200 when the broker answers a metadata request now, else 503 with Retry-After."""
    if await publisher.ready():
        return responses.answer(payloads.Ready(), 200)
    return responses.answer(payloads.NotReady(), 503, settings.retry_after_s)

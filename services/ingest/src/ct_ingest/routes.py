"""The HTTP routes: read the body, ask the contract and the core, publish, answer.

2xx only after the broker acknowledged the write; otherwise 503 with Retry-After, and the
sender retries safely because every event carries its ``event_id``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from contact_events import InvalidEvent
from ct_ingest import payloads, responses
from ct_ingest.core.batch import (
    STATUSES,
    BatchRejected,
    BatchTooLarge,
    judge_items,
    publishable,
    read_batch,
    report,
)
from ct_ingest.core.intake import decode_input, prepare_event
from ct_ingest.core.records import record_of
from ct_ingest.deps import (
    CallerDep,
    GatekeeperDep,
    MetricsDep,
    PseudonymiserDep,
    PublisherDep,
    SettingsDep,
)
from ct_ingest.errors import BodyTooLarge, BrokerUnavailable
from ct_ingest.openapi import batch_request_body, event_request_body

router = APIRouter()

_BODY_TOO_LARGE: dict[str, Any] = {
    "model": payloads.BodyTooLargeBody,
    "description": "The body is over the size limit (checked while it is read).",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    }
}
_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {
        "model": payloads.UnauthorizedBody,
        "description": "No or bad API key, or a missing, wrong, stale or replayed signature.",
    },
    403: {
        "model": payloads.ForbiddenBody,
        "description": "The source may not post this event type.",
    },
    429: {
        "model": payloads.RateLimitedBody,
        "description": "The source's rate limit is used up.",
        "headers": _RETRY_AFTER,
    },
}
_UNAVAILABLE: dict[str, Any] = {
    "model": payloads.UnavailableBody | payloads.ReplayCacheFullBody,
    "description": "The broker did not acknowledge the write (or, for a signed request, too "
    "many message ids are remembered). Retry after Retry-After seconds.",
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
        **_REFUSALS,
        413: _BODY_TOO_LARGE,
        422: {"model": payloads.InvalidEventBody, "description": "Not a valid contact event."},
        503: _UNAVAILABLE,
    },
    openapi_extra=event_request_body(),
)
async def submit_event(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    publisher: PublisherDep,
    gatekeeper: GatekeeperDep,
    metrics: MetricsDep,
    pseudonymiser: PseudonymiserDep,
) -> Response:
    """Validate one event against the contract and write it to `contact.events.v1`,
    keyed by `contact_id`. A raw `customer_phone` or `customer_email` becomes the keyed
    `customer_ref`; the authenticated source becomes `source`. Errors name the field and
    rule, never the submitted value."""
    try:
        raw = await gatekeeper.read_body(request, caller)
    except BodyTooLarge as exc:
        metrics.count(caller.label, "too_large")
        return responses.body_too_large(exc.limit)
    try:
        event = decode_input(raw, pseudonymiser, caller.source)
    except InvalidEvent as exc:
        metrics.count(caller.label, "invalid")
        return responses.invalid(exc.errors)
    caller.require_type(event.type)
    try:
        with metrics.timing_publish():
            await publisher.publish(*record_of(event))
    except BrokerUnavailable:
        metrics.count(caller.label, "unavailable")
        return responses.unavailable(settings.retry_after_s)
    metrics.count(caller.label, "accepted")
    return responses.accepted(event.event_id)


@router.post(
    "/v1/events:batch",
    summary="Submit a batch of contact events",
    response_model=None,
    response_description="Every valid item was acknowledged; per-item outcomes.",
    responses={
        200: {"model": payloads.BatchBody},
        **_REFUSALS,
        413: {
            "model": payloads.BodyTooLargeBody | payloads.BatchTooLargeBody,
            "description": "The body is over the size limit, or holds too many events.",
        },
        422: {
            "model": payloads.InvalidEventBody,
            "description": 'The body is not {"events": [...]} (the error names field "events").',
        },
        503: {
            "model": payloads.BatchBody | payloads.ReplayCacheFullBody,
            "description": "Some valid item was not acknowledged (status 'unavailable'); "
            "retry those after Retry-After seconds.",
            "headers": _RETRY_AFTER,
        },
    },
    openapi_extra=batch_request_body(),
)
async def submit_batch(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    publisher: PublisherDep,
    gatekeeper: GatekeeperDep,
    metrics: MetricsDep,
    pseudonymiser: PseudonymiserDep,
) -> Response:
    """Validate each item on its own and write the valid ones concurrently. An item reusing
    an earlier item's `event_id` is `duplicate_in_batch` and is not written again. If any
    valid item has a type the source may not post, the whole batch is refused (403)."""
    try:
        raw = await gatekeeper.read_body(request, caller)
        items = read_batch(raw, settings.max_batch_events)
    except (BodyTooLarge, BatchTooLarge) as exc:
        metrics.count(caller.label, "too_large")
        if isinstance(exc, BodyTooLarge):
            return responses.body_too_large(exc.limit)
        return responses.batch_too_large(exc.limit)
    except BatchRejected as exc:
        metrics.count(caller.label, "invalid")
        return responses.invalid(exc.errors)
    verdicts = judge_items(
        items, partial(prepare_event, pseudonymiser=pseudonymiser, source=caller.source)
    )
    caller.require_types([(v.index, v.event.type) for v in verdicts if v.event is not None])
    records = [record_of(e) for e in publishable(verdicts)]
    with metrics.timing_publish():
        outcomes = await publisher.publish_many(records)
    acknowledged = [outcome is None for outcome in outcomes]
    result = report(verdicts, acknowledged)
    for status in STATUSES:
        metrics.count(caller.label, status, result.count(status))
    return responses.batch_report(result, settings.retry_after_s)


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


@router.get(
    "/metrics",
    summary="Prometheus metrics of ingest",
    response_model=None,
    response_description="The Prometheus text exposition format.",
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
async def metrics_exposition(request: Request) -> Response:
    """`ct_ingest_requests_total`, `ct_ingest_events_total`, `ct_ingest_publish_seconds`."""
    registry: CollectorRegistry = request.app.state.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

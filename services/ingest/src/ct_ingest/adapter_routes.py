"""The webhook adapters' routes: read the source's own format, map it, publish, answer.

Each route authenticates like the rest of ingest (``X-Api-Key``, rate limit, optional
Standard Webhooks signature; the source must be allowed the route), except TaskRouter,
which cannot send a key: it is authenticated by its ``X-Twilio-Signature``. The mapped
events then go the way a batch goes: raw customer identifiers become ``customer_ref``, the
authenticated source is stamped, each event is validated on its own, and the answer is
the batch report (one result per event, 200 once the broker acknowledged all of them,
else 503 with ``Retry-After``). A payload the adapter cannot read is 422 naming the field
and the rule; a callback that maps to no event (an unmapped TaskRouter event) is 200 with
no results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from ct_ingest import payloads, responses
from ct_ingest.adapters.email_gateway import EmailGatewayEvent, map_email_step
from ct_ingest.adapters.kiosk import KioskEvent, map_kiosk
from ct_ingest.adapters.payload_fields import parse_payload
from ct_ingest.adapters.refusals import PayloadInvalid
from ct_ingest.adapters.route_docs import FORM, FORM_RESPONSES, RESPONSES, form_body, json_body
from ct_ingest.adapters.settings import AdapterSettings
from ct_ingest.adapters.taskrouter import CALLBACK_FIELDS, map_taskrouter, signature_valid
from ct_ingest.adapters.webform import WebformEvent, map_webform
from ct_ingest.auth import Caller, Gatekeeper
from ct_ingest.body import read_body
from ct_ingest.core.batch import STATUSES, judge_items, publishable, report
from ct_ingest.core.intake import prepare_event
from ct_ingest.core.pseudonyms import IDENTIFIER_FIELDS, Pseudonymiser
from ct_ingest.core.records import record_of
from ct_ingest.deps import (
    CallerDep,
    GatekeeperDep,
    MetricsDep,
    PseudonymiserDep,
    PublisherDep,
    SettingsDep,
)
from ct_ingest.errors import BodyTooLarge, Unauthorized
from ct_ingest.metrics import IngestMetrics
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/adapters", tags=["adapters"])

EMAIL_PATH, WEBFORM_PATH, KIOSK_PATH = "/email-gateway", "/webform", "/kiosk"
TASKROUTER_PATH = "/twilio/taskrouter"
TWILIO_SIGNATURE = "X-Twilio-Signature"
ModelT = TypeVar("ModelT", bound=BaseModel)
Mapper = Callable[..., list[dict[str, Any]]]


async def get_adapter_settings(request: Request) -> AdapterSettings:
    """The adapters' settings: the app's (tests set them), else read once and kept."""
    settings: AdapterSettings | None = getattr(request.app.state, "adapter_settings", None)
    if settings is None:
        settings = AdapterSettings()
        request.app.state.adapter_settings = settings
    return settings


@dataclass(frozen=True, slots=True)
class Intake:
    """What an adapter route needs to publish mapped events as the batch route does."""

    settings: IngestSettings
    publisher: EventPublisher
    gatekeeper: Gatekeeper
    metrics: IngestMetrics
    pseudonymiser: Pseudonymiser
    adapters: AdapterSettings


async def get_intake(
    settings: SettingsDep,
    publisher: PublisherDep,
    gatekeeper: GatekeeperDep,
    metrics: MetricsDep,
    pseudonymiser: PseudonymiserDep,
    adapters: Annotated[AdapterSettings, Depends(get_adapter_settings)],
) -> Intake:
    return Intake(settings, publisher, gatekeeper, metrics, pseudonymiser, adapters)


IntakeDep = Annotated[Intake, Depends(get_intake)]


@router.post(
    EMAIL_PATH,
    summary="Email gateway: a step of an email thread",
    response_model=None,
    responses=RESPONSES,
    openapi_extra=json_body(EmailGatewayEvent),
)
async def email_gateway(request: Request, caller: CallerDep, intake: IntakeDep) -> Response:
    """`received`, `auto_acknowledged`, `agent_replied` or `closed`, keyed by the thread's
    root Message-ID (see `ct_ingest.adapters.email_gateway`)."""
    return await _json_adapter(
        request,
        caller,
        intake,
        EMAIL_PATH,
        EmailGatewayEvent,
        map_email_step,
        intake.adapters.email_source,
    )


@router.post(
    WEBFORM_PATH,
    summary="Web form: a submission or its reply",
    response_model=None,
    responses=RESPONSES,
    openapi_extra=json_body(WebformEvent),
)
async def webform(request: Request, caller: CallerDep, intake: IntakeDep) -> Response:
    """`submitted` (optionally acknowledged on the spot) or `replied`."""
    return await _json_adapter(
        request,
        caller,
        intake,
        WEBFORM_PATH,
        WebformEvent,
        map_webform,
        intake.adapters.webform_source,
    )


@router.post(
    KIOSK_PATH,
    summary="Reception kiosk: a step of a ticket",
    response_model=None,
    responses=RESPONSES,
    openapi_extra=json_body(KioskEvent),
)
async def kiosk(request: Request, caller: CallerDep, intake: IntakeDep) -> Response:
    """`ticket_issued`, `called`, `served` or `left`."""
    return await _json_adapter(
        request, caller, intake, KIOSK_PATH, KioskEvent, map_kiosk, intake.adapters.kiosk_source
    )


@router.post(
    TASKROUTER_PATH,
    summary="Twilio TaskRouter event callback",
    response_model=None,
    responses=FORM_RESPONSES,
    openapi_extra=form_body(["EventType"], list(CALLBACK_FIELDS)),
)
async def twilio_taskrouter(request: Request, intake: IntakeDep) -> Response:
    """`task.created`, `reservation.created`, `reservation.accepted`, `task.canceled` and
    `task.completed` become call events; other event types are acknowledged and ignored.
    Authenticated by `X-Twilio-Signature` with the configured auth token."""
    caller = _twilio_caller(intake)
    try:
        raw = await read_body(request, intake.settings.max_body_bytes)
    except BodyTooLarge as exc:
        intake.metrics.count(caller.label, "too_large")
        return responses.body_too_large(exc.limit)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        intake.metrics.count(caller.label, "invalid")
        return responses.answer(
            payloads.InvalidEventBody(
                errors=[
                    payloads.ErrorDetail(
                        field="(body)", rule="content_type", message=f"the body must be {FORM}"
                    )
                ]
            ),
            415,
        )
    try:
        params = parse_qsl(
            raw.decode("ascii"), keep_blank_values=True, errors="strict", max_num_fields=1000
        )
    except (UnicodeDecodeError, ValueError):
        intake.metrics.count(caller.label, "invalid")
        return responses.invalid(
            PayloadInvalid.one("(body)", "form_invalid", "not a form-encoded body").errors
        )
    _check_twilio_signature(request, intake, caller, params)
    try:
        mapped = map_taskrouter(
            dict(params),
            source=caller.source or intake.adapters.twilio_source,
            default_queue=intake.adapters.twilio_default_queue,
        )
    except PayloadInvalid as exc:
        intake.metrics.count(caller.label, "invalid")
        return responses.invalid(exc.errors)
    return await _publish(mapped, caller, intake)


async def _json_adapter(
    request: Request,
    caller: Caller,
    intake: Intake,
    path: str,
    model: type[ModelT],
    mapper: Mapper,
    open_source: str,
) -> Response:
    caller.require_route(router.prefix + path)
    try:
        raw = await intake.gatekeeper.read_body(request, caller)
    except BodyTooLarge as exc:
        intake.metrics.count(caller.label, "too_large")
        return responses.body_too_large(exc.limit)
    try:
        mapped = mapper(parse_payload(model, raw), source=caller.source or open_source)
    except PayloadInvalid as exc:
        intake.metrics.count(caller.label, "invalid")
        return responses.invalid(exc.errors)
    return await _publish(mapped, caller, intake)


async def _publish(mapped: list[dict[str, Any]], caller: Caller, intake: Intake) -> Response:
    """The batch route's steps for mapped events: pseudonymise, stamp, judge, publish, report."""
    items = [_pseudonymised(data, intake.pseudonymiser) for data in mapped]
    verdicts = judge_items(
        items, partial(prepare_event, pseudonymiser=intake.pseudonymiser, source=caller.source)
    )
    caller.require_types([(v.index, v.event.type) for v in verdicts if v.event is not None])
    records = [record_of(event) for event in publishable(verdicts)]
    with intake.metrics.timing_publish():
        outcomes = await intake.publisher.publish_many(records)
    result = report(verdicts, [outcome is None for outcome in outcomes])
    for status in STATUSES:
        intake.metrics.count(caller.label, status, result.count(status))
    return responses.batch_report(result, intake.settings.retry_after_s)


def _pseudonymised(data: dict[str, Any], pseudonymiser: Pseudonymiser) -> dict[str, Any]:
    """The event with its raw identifier replaced by ``customer_ref``. An identifier that
    cannot be normalised (a withheld caller id, say) is dropped: the contact still counts."""
    clean, errors = pseudonymiser.apply(data)
    if errors:
        log.info("customer identifier dropped: %s", ", ".join(e.rule for e in errors))
        return {k: v for k, v in data.items() if k not in IDENTIFIER_FIELDS}
    return clean


def _twilio_caller(intake: Intake) -> Caller:
    """TaskRouter's source: rate-limited and restricted as configured, when it is a source."""
    name = intake.adapters.twilio_source
    if intake.gatekeeper.open:
        return Caller(source=None)
    configured = intake.settings.sources.get(name)
    if configured is None:
        return Caller(source=name)
    intake.gatekeeper.limiter.admit(name)
    caller = Caller(source=name, allowed=tuple(configured.allowed))
    caller.require_route(router.prefix + TASKROUTER_PATH)
    return caller


def _check_twilio_signature(
    request: Request, intake: Intake, caller: Caller, params: list[tuple[str, str]]
) -> None:
    token = intake.adapters.twilio_auth_token
    label = intake.metrics.source_label(caller.source)
    if token is None:
        if intake.gatekeeper.open:
            return  # open ingest (local development): unsigned callbacks are taken
        raise Unauthorized("twilio_auth_token_not_configured", label)
    signature = request.headers.get(TWILIO_SIGNATURE)
    if not signature:
        raise Unauthorized("signature_missing", label)
    if not signature_valid(
        token.get_secret_value(), _signed_url(request, intake), params, signature
    ):
        raise Unauthorized("signature_mismatch", label)


def _signed_url(request: Request, intake: Intake) -> str:
    """The URL Twilio requested: the configured public base, or the request's own URL."""
    base = intake.adapters.twilio_public_url
    if base is None:
        return str(request.url)
    query = request.url.query
    return base.rstrip("/") + request.url.path + (f"?{query}" if query else "")

"""The ingest FastAPI application, wired from the collaborators it is given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from ct_ingest.adapter_routes import router as adapter_router
from ct_ingest.auth import Gatekeeper
from ct_ingest.failsafe import InternalErrorMiddleware
from ct_ingest.metrics import IngestMetrics, RequestMetricsMiddleware
from ct_ingest.openapi import document_contract
from ct_ingest.publisher import EventPublisher
from ct_ingest.refusals import install_refusal_handler
from ct_ingest.responses import JsonResponse
from ct_ingest.routes import router
from ct_ingest.settings import IngestSettings
from ct_ingest.signing import ReplayReleaseMiddleware

DESCRIPTION = """Telephony, email, web and kiosk systems post contact events here.

An event is answered **202** only after Kafka acknowledged it. When the broker is
unavailable the answer is **503** with `Retry-After`; re-sending is safe, because every
event carries its `event_id`. Invalid input is refused with the field and the rule broken,
never with the submitted value.

Once sources are configured, each request carries its source's key in `X-Api-Key` (401
otherwise), within the source's rate (429 with `Retry-After` otherwise). A source with a
signing secret signs every request the Standard Webhooks way (`webhook-id`,
`webhook-timestamp`, `webhook-signature`). The authenticated source is stamped into
`source`; an event type the source may not post is refused with 403. A raw
`customer_phone` or `customer_email` is replaced by the keyed `customer_ref` before
anything is written.
"""


def create_ingest_api(
    settings: IngestSettings,
    publisher: EventPublisher,
    registry: CollectorRegistry | None = None,
    gatekeeper: Gatekeeper | None = None,
) -> FastAPI:
    """The app. Its lifespan starts the publisher (which never fails on a down broker) and
    stops it; tests that skip the lifespan start and stop the publisher themselves.

    ``registry`` receives ingest's metrics (a fresh one by default); ``gatekeeper`` admits
    callers (one built from ``settings`` by default; tests pass one with their own clocks).
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await publisher.start()
        try:
            yield
        finally:
            await publisher.stop()

    registry = registry if registry is not None else CollectorRegistry()
    metrics = IngestMetrics(registry, settings.sources)
    gatekeeper = gatekeeper if gatekeeper is not None else Gatekeeper(settings)
    app = FastAPI(
        title="contact-telemetry ingest",
        summary="Validates contact events and writes them to Kafka.",
        description=DESCRIPTION,
        version=_version(),
        lifespan=lifespan,
        default_response_class=JsonResponse,
    )
    app.state.settings = settings
    app.state.publisher = publisher
    app.state.registry = registry
    app.state.metrics = metrics
    app.state.gatekeeper = gatekeeper
    app.state.pseudonymiser = settings.pseudonymiser()
    app.include_router(router)
    app.include_router(adapter_router)
    install_refusal_handler(app, metrics, settings.retry_after_s)
    # the last added runs first: metrics see every answer, including the failsafe's 500
    app.add_middleware(ReplayReleaseMiddleware, checker=gatekeeper.checker)
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    document_contract(app)
    return app


def _version() -> str:
    try:
        return version("ct-ingest")
    except PackageNotFoundError:
        return "0"

"""The ingest FastAPI application, wired from the collaborators it is given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from ct_ingest.failsafe import InternalErrorMiddleware
from ct_ingest.openapi import document_contract
from ct_ingest.publisher import EventPublisher
from ct_ingest.responses import JsonResponse
from ct_ingest.routes import router
from ct_ingest.settings import IngestSettings

DESCRIPTION = """Telephony, email, web and kiosk systems post contact events here.

An event is answered **202** only after Kafka acknowledged it. When the broker is
unavailable the answer is **503** with `Retry-After`; re-sending is safe, because every
event carries its `event_id`. Invalid input is refused with the field and the rule broken,
never with the submitted value.
"""


def create_ingest_api(settings: IngestSettings, publisher: EventPublisher) -> FastAPI:
    """The app. Its lifespan starts the publisher (which never fails on a down broker) and
    stops it; tests that skip the lifespan start and stop the publisher themselves."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await publisher.start()
        try:
            yield
        finally:
            await publisher.stop()

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
    app.include_router(router)
    app.add_middleware(InternalErrorMiddleware)
    document_contract(app)
    return app


def _version() -> str:
    try:
        return version("ct-ingest")
    except PackageNotFoundError:
        return "0"

"""What the routes need, as FastAPI dependencies. :func:`create_ingest_api` puts them on
``app.state``; tests build the app with their own settings and publisher.

Every dependency is ``async def``: FastAPI runs a plain ``def`` dependency in its thread
pool, a thread hand-over per dependency per request, which profiled at a tenth of ingest's
time under load for what is an attribute read (or a constant-time key check)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from ct_ingest.auth import API_KEY_HEADER, Caller, Gatekeeper
from ct_ingest.core.pseudonyms import Pseudonymiser
from ct_ingest.metrics import IngestMetrics
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings

_API_KEY = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="The posting source's API key (required once sources are configured).",
)


async def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


async def get_publisher(request: Request) -> EventPublisher:
    publisher: EventPublisher = request.app.state.publisher
    return publisher


async def get_gatekeeper(request: Request) -> Gatekeeper:
    gatekeeper: Gatekeeper = request.app.state.gatekeeper
    return gatekeeper


async def get_metrics(request: Request) -> IngestMetrics:
    metrics: IngestMetrics = request.app.state.metrics
    return metrics


async def get_pseudonymiser(request: Request) -> Pseudonymiser:
    pseudonymiser: Pseudonymiser = request.app.state.pseudonymiser
    return pseudonymiser


async def get_caller(
    gatekeeper: Annotated[Gatekeeper, Depends(get_gatekeeper)],
    api_key: Annotated[str | None, Security(_API_KEY)],
) -> Caller:
    """The authenticated, rate-checked caller (401 / 429 otherwise); the body is not read."""
    return gatekeeper.admit(api_key)


SettingsDep = Annotated[IngestSettings, Depends(get_settings)]
PublisherDep = Annotated[EventPublisher, Depends(get_publisher)]
GatekeeperDep = Annotated[Gatekeeper, Depends(get_gatekeeper)]
MetricsDep = Annotated[IngestMetrics, Depends(get_metrics)]
PseudonymiserDep = Annotated[Pseudonymiser, Depends(get_pseudonymiser)]
CallerDep = Annotated[Caller, Depends(get_caller)]

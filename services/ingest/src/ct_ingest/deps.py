"""What the routes need, as FastAPI dependencies. :func:`create_ingest_api` puts them on
``app.state``; tests build the app with their own settings and publisher."""

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


def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


def get_publisher(request: Request) -> EventPublisher:
    publisher: EventPublisher = request.app.state.publisher
    return publisher


def get_gatekeeper(request: Request) -> Gatekeeper:
    gatekeeper: Gatekeeper = request.app.state.gatekeeper
    return gatekeeper


def get_metrics(request: Request) -> IngestMetrics:
    metrics: IngestMetrics = request.app.state.metrics
    return metrics


def get_pseudonymiser(request: Request) -> Pseudonymiser:
    pseudonymiser: Pseudonymiser = request.app.state.pseudonymiser
    return pseudonymiser


def get_caller(
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

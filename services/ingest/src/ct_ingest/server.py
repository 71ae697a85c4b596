"""Running ingest: settings (read once), publisher, app, uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from ct_ingest.api import create_ingest_api
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings


def build_server(settings: IngestSettings) -> uvicorn.Server:
    """A uvicorn server for the ingest app on ``settings.host:settings.port``, not yet running."""
    app = create_ingest_api(settings, EventPublisher(settings))
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    return uvicorn.Server(config)


def serve(settings: IngestSettings | None = None) -> None:
    """Serve until interrupted. Reads the environment only when no settings are given."""
    settings = settings if settings is not None else IngestSettings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    build_server(settings).run()

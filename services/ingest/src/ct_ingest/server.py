"""Running ingest: settings (read once), publisher, app, uvicorn."""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from ct_ingest.api import create_ingest_api
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings

log = logging.getLogger("ct_ingest")


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


def load_settings() -> IngestSettings:
    """The settings from the environment; on a bad value, one line per problem (naming the
    setting and the rule, never the value, which may be a secret) and exit code 2."""
    try:
        return IngestSettings()
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False, include_context=False):
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            print(f"ingest settings: {where}: {error['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


def serve(settings: IngestSettings | None = None) -> None:
    """Serve until interrupted. Reads the environment only when no settings are given."""
    settings = settings if settings is not None else load_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    for warning in settings.warnings():
        log.warning("insecure for production: %s", warning)
    build_server(settings).run()

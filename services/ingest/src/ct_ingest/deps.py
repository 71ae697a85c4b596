"""What the routes need, as FastAPI dependencies. :func:`create_ingest_api` puts them on
``app.state``; tests build the app with their own settings and publisher."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings


def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


def get_publisher(request: Request) -> EventPublisher:
    publisher: EventPublisher = request.app.state.publisher
    return publisher


SettingsDep = Annotated[IngestSettings, Depends(get_settings)]
PublisherDep = Annotated[EventPublisher, Depends(get_publisher)]

"""An unexpected exception becomes a bare 500: no trace in the answer, one line in the log."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from ct_ingest.api import create_ingest_api
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings

PHONE = "+447700900123"


def app_with_a_failing_route() -> FastAPI:
    settings = IngestSettings(kafka_bootstrap_servers="127.0.0.1:9")  # never started
    app = create_ingest_api(settings, EventPublisher(settings))

    async def explode() -> None:
        raise ValueError(f"caller {PHONE} broke it")

    app.add_api_route("/explode", explode)
    return app


async def test_an_unexpected_error_is_a_bare_500(caplog: pytest.LogCaptureFixture) -> None:
    transport = httpx.ASGITransport(app=app_with_a_failing_route())
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        response = await client.get("/explode")

    assert response.status_code == 500
    assert response.json() == {"error": "internal_error"}
    assert PHONE not in response.text and "Traceback" not in response.text
    [line] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert line.getMessage() == "internal_error: ValueError"
    assert line.exc_info is None and PHONE not in caplog.text


async def test_unknown_paths_are_plain_404() -> None:
    transport = httpx.ASGITransport(app=app_with_a_failing_route())
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        response = await client.get("/nope")

    assert response.status_code == 404

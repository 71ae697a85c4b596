"""The real server: uvicorn in-process on a free port, with the app's own lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from ct_broker.embedded import free_port
from ct_ingest.server import build_server

pytestmark = pytest.mark.timeout(30)


async def test_served_over_http_with_its_lifespan(
    kafka_broker: str, contact_topic: str, make_settings: Any, make_event: Any
) -> None:
    settings = make_settings(kafka_broker, port=free_port())
    server = build_server(settings)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.02)
        base = f"http://{settings.host}:{settings.port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            assert (await client.get("/readyz")).status_code == 200  # the lifespan connected
            event = make_event()
            response = await client.post("/v1/events", content=orjson.dumps(event))
            assert (response.status_code, response.json()["event_id"]) == (202, event["event_id"])

            async def chunked() -> AsyncIterator[bytes]:  # 20 KiB against a 16 KiB limit
                for _ in range(20):
                    yield b" " * 1024

            response = await client.post("/v1/events", content=chunked())
            assert response.status_code == 413
            assert response.json() == {"error": "body_too_large", "limit_bytes": 16_384}
            assert (await client.get("/docs")).status_code == 200
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)
    publisher = server.config.app.state.publisher
    assert not await publisher.ready()  # the lifespan closed it

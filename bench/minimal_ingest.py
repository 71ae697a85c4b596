"""The ingest benchmark's baseline: the smallest FastAPI endpoint that writes each POSTed
body to ``contact.events.v1`` with ``send_and_wait`` (acks=all, as ingest), served by
uvicorn with ingest's settings. ``python -m bench.minimal_ingest --port P``."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request, Response

from ct_broker.settings import KafkaSettings
from ct_broker.topics import CONTACT_EVENTS


def minimal_app(settings: KafkaSettings) -> FastAPI:
    """POST /v1/events: send the body, answer 202 once the broker acknowledged it."""
    producers: list[AIOKafkaProducer] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        producers.append(AIOKafkaProducer(**settings.producer_config()))
        await producers[0].start()
        yield
        await producers[0].stop()

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/events", status_code=202)
    async def submit(request: Request) -> Response:
        await producers[0].send_and_wait(CONTACT_EVENTS, await request.body())
        return Response(status_code=202)

    @app.get("/readyz")
    async def readyz() -> Response:
        return Response(status_code=200)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    args = parser.parse_args()
    # the same uvicorn settings as ct_ingest.server.build_server
    uvicorn.run(
        minimal_app(KafkaSettings()),
        host="127.0.0.1",
        port=args.port,
        lifespan="on",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()

"""``GET /v1/dlq/stats``: dead-letter counts by reason, from the pipeline health reader.

The router carries the reader's lifespan, so including it in the API starts and stops
the reader with the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from ct_aggregator.pipeline_health import PipelineHealthReader


class DlqStats(BaseModel):
    """Dead-letter records of ``contact.events.dlq.v1`` since the topic began."""

    total: int = Field(description="Records in the dead-letter topic.")
    by_reason: dict[str, int] = Field(
        description="Records per reason: invalid_event, processing_error, other, missing."
    )
    last_record_at: datetime | None = Field(
        description="When the newest dead-letter record was written; null if none."
    )
    reading: bool = Field(description="Whether the reader is connected to the broker.")


def dlq_router(reader: PipelineHealthReader) -> APIRouter:
    """The route, with ``reader`` started and stopped in the router's lifespan."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await reader.start()
        try:
            yield
        finally:
            await reader.stop()

    router = APIRouter(lifespan=lifespan)

    @router.get(
        "/v1/dlq/stats",
        summary="Dead-letter records by reason",
        response_model=DlqStats,
    )
    async def dlq_stats() -> DlqStats:
        return DlqStats.model_validate(reader.health.dlq_stats())

    return router

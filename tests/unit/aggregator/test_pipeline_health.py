"""Pipeline health without a broker: the bounded dead-letter reason, the lag of a
partition, the Prometheus families and ``GET /v1/dlq/stats``."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from ct_aggregator.dlq_routes import dlq_router
from ct_aggregator.pipeline_health import (
    PipelineHealth,
    PipelineHealthCollector,
    PipelineHealthReader,
    dlq_reason,
    partition_lag,
)

pytestmark = pytest.mark.timeout(10)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([("ct-reason", b"invalid_event")], "invalid_event"),
        ([("ct-stage", b"x"), ("ct-reason", b"processing_error")], "processing_error"),
        ([("ct-reason", b"a customer's email address")], "other"),  # never a free label
        ([("ct-reason", b"\xff\xfe")], "other"),
        ([("ct-stage", b"x")], "missing"),
        ([], "missing"),
        (None, "missing"),
    ],
)
def test_dead_letter_reason_is_bounded(
    headers: list[tuple[str, bytes]] | None, reason: str
) -> None:
    assert dlq_reason(headers) == reason


@pytest.mark.parametrize(
    ("end", "committed", "beginning", "lag"),
    [
        (10, 4, 0, 6),
        (10, 10, 0, 0),
        (10, -1, 0, 10),  # no committed offset: everything from the beginning
        (10, -1, 3, 7),
        (10, 2, 5, 5),  # committed before the log start (retention): from the start
        (10, 12, 0, 0),  # never negative
        (0, -1, 0, 0),
    ],
)
def test_partition_lag(end: int, committed: int, beginning: int, lag: int) -> None:
    assert partition_lag(end, committed, beginning) == lag


def _health() -> PipelineHealth:
    health = PipelineHealth(up=True)
    health.lag = {("ct-sla-monitor", "contact.events.v1", 0): 3, ("ct-sla-monitor", "t", 1): 0}
    first = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    later = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    health.count_dead_letter([("ct-reason", b"invalid_event")], later)
    health.count_dead_letter([("ct-reason", b"invalid_event")], first)
    health.count_dead_letter([("ct-reason", b"nonsense")], first)
    return health


def test_collector_exposes_lag_dead_letters_and_up() -> None:
    registry = CollectorRegistry()
    health = _health()
    registry.register(PipelineHealthCollector(health))
    lag = {"group": "ct-sla-monitor", "topic": "contact.events.v1", "partition": "0"}
    assert registry.get_sample_value("ct_consumer_lag_messages", lag) == 3
    assert registry.get_sample_value("ct_dlq_records_total", {"reason": "invalid_event"}) == 2
    assert registry.get_sample_value("ct_dlq_records_total", {"reason": "other"}) == 1
    assert registry.get_sample_value("ct_dlq_records_total", {"reason": "missing"}) is None
    assert registry.get_sample_value("ct_pipeline_health_up") == 1
    health.up = False
    assert registry.get_sample_value("ct_pipeline_health_up") == 0


async def test_dlq_stats_route() -> None:
    reader = PipelineHealthReader("127.0.0.1:1")  # never started: ASGITransport runs no lifespan
    reader.health.dlq_by_reason.update(_health().dlq_by_reason)
    reader.health.dlq_last_at = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    api = FastAPI()
    api.include_router(dlq_router(reader))
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/v1/dlq/stats")
    assert response.status_code == 200
    assert response.json() == {
        "total": 3,
        "by_reason": {"invalid_event": 2, "other": 1},
        "last_record_at": "2026-11-23T10:05:00Z",
        "reading": False,
    }

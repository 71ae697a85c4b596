"""The aggregator's HTTP API: the /v1 query routes, /v1/stream, /wallboard, /metrics and
health, wired over the stores the topic reader fills."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.auth import ReadTokenMiddleware, ReadTokens, document_read_token
from ct_aggregator.collector import AlertCollector, SnapshotCollector
from ct_aggregator.event_hub import EventHub
from ct_aggregator.feed import LiveFeed
from ct_aggregator.intervals import IntervalStore
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.pipeline_health import PipelineHealth
from ct_aggregator.query_routes import query_router
from ct_aggregator.queue_labels import QueueLabels
from ct_aggregator.report_routes import report_router
from ct_aggregator.snapshots import SnapshotStore
from ct_aggregator.stream import stream_router
from ct_aggregator.wallboard import locked_page, wallboard_router

log = logging.getLogger("ct_aggregator")


def build_registry(
    store: SnapshotStore, alerts: AlertBook | None = None, labels: QueueLabels | None = None
) -> CollectorRegistry:
    """A registry holding only this aggregator's collectors; ``labels`` bounds the queue
    label (default: the first 50 queues, then ``other``)."""
    labels = labels or QueueLabels()
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(store, labels))
    if alerts is not None:
        registry.register(AlertCollector(alerts, labels))
    return registry


def default_feed(store: SnapshotStore, alerts: AlertBook) -> LiveFeed:
    """A feed judged by the built-in charter, with default-sized interval store and hub."""
    from ct_sla_monitor.standards_file import default_standards

    return LiveFeed(store, alerts, IntervalStore(), EventHub(), default_standards().for_scope)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field and its rule, never the value sent."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _not_ready(detail: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        {"status": "not_ready", **detail}, status_code=503, headers={"Retry-After": "5"}
    )


def create_aggregator_api(
    store: SnapshotStore,
    reader: MetricsReader,
    registry: CollectorRegistry,
    alerts: AlertBook | None = None,
    charter: dict[str, Any] | None = None,
    *,
    feed: LiveFeed | None = None,
    read_tokens: ReadTokens | None = None,
    stream_heartbeat_s: float = 15.0,
    pipeline: PipelineHealth | None = None,
    archive_dir: Path | None = None,
) -> FastAPI:
    """The FastAPI app; ``reader`` is started and stopped with it. ``charter`` is the
    published standards document served at /v1/standards. ``feed`` (whose handlers the
    reader calls) holds the interval history and the stream hub; ``read_tokens`` guards
    /v1/* and /wallboard (none: open); with ``pipeline``, /readyz also fails while a
    partition of the sla_monitor's input is stalled."""
    alert_book = alerts if alerts is not None else AlertBook()
    feed = feed or default_feed(store, alert_book)
    tokens = read_tokens or ReadTokens()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await reader.start()
        try:
            yield
        finally:
            feed.hub.close()
            await reader.stop()

    api = FastAPI(
        title="contact-telemetry aggregator",
        description="Live service-standard figures computed from contact events, by event time.",
        version="0.1.0",
        lifespan=lifespan,
    )
    api.add_exception_handler(RequestValidationError, _validation_error)
    api.add_middleware(ReadTokenMiddleware, tokens=tokens, locked_page=locked_page())
    if not tokens.enabled:
        log.warning(
            "no read token configured (CT_AGGREGATOR_READ_TOKENS): /v1/* and /wallboard are "
            "open to anyone who can reach this port"
        )
    api.include_router(query_router(feed, charter))
    api.include_router(stream_router(feed.hub, feed.state, stream_heartbeat_s))
    api.include_router(wallboard_router())
    api.include_router(report_router(archive_dir, charter))  # monthly reports, from the archive
    document_read_token(api)

    @api.get("/metrics", summary="Prometheus exposition", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @api.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.get("/readyz", summary="Connected to the metrics topic, and no consumer stalled")
    async def readyz() -> JSONResponse:
        if not reader.connected:
            return _not_ready({"reason": "broker_unavailable"})
        if pipeline is not None and pipeline.stalled:
            return _not_ready({"reason": "consumer_stalled", "stalled": pipeline.stall_report()})
        return JSONResponse({"status": "ready", "scopes": len(store)})

    return api

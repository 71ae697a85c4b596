"""The aggregator's HTTP API: /v1/kpis, /metrics, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.collector import AlertCollector, SnapshotCollector
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.snapshots import SnapshotStore, pending_items


def build_registry(store: SnapshotStore, alerts: AlertBook | None = None) -> CollectorRegistry:
    """A registry holding only this aggregator's collectors."""
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(store))
    if alerts is not None:
        registry.register(AlertCollector(alerts))
    return registry


def create_aggregator_api(
    store: SnapshotStore,
    reader: MetricsReader,
    registry: CollectorRegistry,
    alerts: AlertBook | None = None,
    charter: dict[str, Any] | None = None,
) -> FastAPI:
    """The FastAPI app; ``reader`` is started and stopped with it. ``charter`` is the
    published standards document served at /v1/standards."""
    alert_book = alerts if alerts is not None else AlertBook()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await reader.start()
        try:
            yield
        finally:
            await reader.stop()

    api = FastAPI(
        title="contact-telemetry aggregator",
        description="Live service-standard figures computed from contact events, by event time.",
        version="0.1.0",
        lifespan=lifespan,
    )

    @api.get("/v1/kpis", summary="Live figures per channel, queue and window")
    async def kpis(
        channel: Annotated[str | None, Query(description="e.g. phone")] = None,
        queue: Annotated[str | None, Query(description="a queue, or 'all'")] = None,
        window: Annotated[
            str | None, Query(description="today, rolling_15m or rolling_30m")
        ] = None,
    ) -> dict[str, Any]:
        rows = [row.to_dict() for row in store.rows(channel, queue, window)]
        return {"kpis": rows, "count": len(rows)}

    @api.get("/v1/alerts", summary="Alerts: open ones, or the latest state of every one")
    async def list_alerts(
        state: Annotated[str, Query(pattern="^(open|all)$", description="open or all")] = "open",
        scope: Annotated[str | None, Query(description="e.g. phone/council_tax")] = None,
    ) -> dict[str, Any]:
        rows = list(alert_book.alerts(state, scope))
        return {"alerts": rows, "count": len(rows)}

    @api.get("/v1/pending", summary="Items waiting on a deadline, soonest due first")
    async def pending(
        channel: Annotated[
            str | None, Query(description="email, web or face_to_face; unset: all")
        ] = None,
    ) -> dict[str, Any]:
        rows = pending_items(store, channel)
        return {"pending": rows, "count": len(rows)}

    @api.get("/v1/standards", summary="The published service standards (the charter)")
    async def standards() -> dict[str, Any]:
        return charter or {}

    @api.get("/metrics", summary="Prometheus exposition", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @api.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.get("/readyz", summary="Connected to the metrics topic")
    async def readyz() -> JSONResponse:
        if reader.connected:
            return JSONResponse({"status": "ready", "scopes": len(store)})
        return JSONResponse(
            {"status": "not_ready", "reason": "broker_unavailable"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    return api

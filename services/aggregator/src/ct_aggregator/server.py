"""Run the aggregator: ``ct aggregator``."""

from __future__ import annotations

import uvicorn
from prometheus_client import start_http_server

from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.settings import AggregatorSettings
from ct_aggregator.snapshots import SnapshotStore


def serve(settings: AggregatorSettings | None = None) -> None:
    """Build the settings once, wire the parts, and serve until interrupted."""
    settings = settings or AggregatorSettings()
    store = SnapshotStore()
    registry = build_registry(store)
    reader = MetricsReader(settings.kafka_bootstrap_servers, store)
    api = create_aggregator_api(store, reader, registry)
    if settings.metrics_port is not None:
        start_http_server(settings.metrics_port, addr=settings.host, registry=registry)
    uvicorn.run(api, host=settings.host, port=settings.port, log_level="warning")

"""Run the aggregator: ``ct aggregator``."""

from __future__ import annotations

import uvicorn
from prometheus_client import start_http_server

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.settings import AggregatorSettings
from ct_aggregator.snapshots import SnapshotStore
from ct_broker.topics import SLA_ALERTS, SLA_METRICS


def serve(settings: AggregatorSettings | None = None) -> None:
    """Build the settings once, wire the parts, and serve until interrupted."""
    from ct_sla_monitor.standards_file import default_standards, load_standards

    settings = settings or AggregatorSettings()
    book = (
        load_standards(settings.standards_file) if settings.standards_file else default_standards()
    )
    store, alerts = SnapshotStore(), AlertBook()
    registry = build_registry(store, alerts)
    reader = MetricsReader(
        settings.kafka_bootstrap_servers, {SLA_METRICS: store.update, SLA_ALERTS: alerts.update}
    )
    api = create_aggregator_api(store, reader, registry, alerts, book.public_view())
    if settings.metrics_port is not None:
        start_http_server(settings.metrics_port, addr=settings.host, registry=registry)
    uvicorn.run(api, host=settings.host, port=settings.port, log_level="warning")

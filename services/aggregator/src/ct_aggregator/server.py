"""Run the aggregator: ``ct aggregator``."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import timedelta

import uvicorn
from prometheus_client import start_http_server

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.archive_settings import ArchiveSettings
from ct_aggregator.auth import ReadTokens
from ct_aggregator.dlq_routes import dlq_router
from ct_aggregator.event_hub import EventHub
from ct_aggregator.feed import LiveFeed
from ct_aggregator.intervals import IntervalStore
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.pipeline_health import PipelineHealthCollector, PipelineHealthReader
from ct_aggregator.queue_labels import QueueLabels
from ct_aggregator.settings import AggregatorSettings
from ct_aggregator.snapshots import SnapshotStore
from ct_broker.log_throttle import throttle_client_logs
from ct_broker.topics import SLA_ALERTS, SLA_METRICS


def serve(settings: AggregatorSettings | None = None) -> None:
    """Build the settings once, wire the parts, and serve until interrupted."""
    from ct_sla_monitor.standards_file import default_standards, load_standards

    settings = settings or AggregatorSettings()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    throttle_client_logs()  # a broker outage must not write thousands of lines a minute
    book = (
        load_standards(settings.standards_file) if settings.standards_file else default_standards()
    )
    store = SnapshotStore()
    alerts = AlertBook(retention=timedelta(hours=settings.alert_retention_hours))
    registry = build_registry(store, alerts, QueueLabels(settings.queues, settings.max_queues))
    intervals = IntervalStore(settings.interval_history_max, book.default.calls.tz)
    hub = EventHub(queue_size=settings.stream_queue_size)
    feed = LiveFeed(store, alerts, intervals, hub, book.for_scope)
    reader = MetricsReader(
        settings.kafka_bootstrap_servers, {SLA_METRICS: feed.on_snapshot, SLA_ALERTS: feed.on_alert}
    )
    health = PipelineHealthReader(  # lag, stalls and dead letters
        settings.kafka_bootstrap_servers, stall_after_s=settings.stall_after_s
    )
    api = create_aggregator_api(
        store,
        reader,
        registry,
        alerts,
        book.public_view(),
        feed=feed,
        read_tokens=ReadTokens(settings.read_tokens),
        stream_heartbeat_s=settings.stream_heartbeat_s,
        pipeline=health.health,
        archive_dir=ArchiveSettings().data_dir,  # the archive ct archive run writes
    )
    registry.register(PipelineHealthCollector(health.health))
    api.include_router(dlq_router(health))
    if settings.metrics_port is not None:
        start_http_server(settings.metrics_port, addr=settings.host, registry=registry)
    config = uvicorn.Config(
        api,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    StreamEndingServer(config, hub.close).run()


class StreamEndingServer(uvicorn.Server):
    """uvicorn's server, ending the open /v1/stream responses first when it stops, since
    it otherwise waits for every response to finish."""

    def __init__(self, config: uvicorn.Config, end_streams: Callable[[], None]) -> None:
        super().__init__(config)
        self._end_streams = end_streams

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._end_streams()
        await super().shutdown(sockets)

"""Ingest's own Prometheus metrics, in a registry it is given, served at ``GET /metrics``.

- ``ct_ingest_requests_total{route, code}``: HTTP answers by route template and status;
  a path no route matches is ``route="unmatched"``.
- ``ct_ingest_events_total{source, outcome}``: events by configured source (anything else is
  ``unknown``) and outcome. A request refused before its body is read (``unauthorized``,
  ``forbidden``, ``rate_limited``, ``too_large``) counts once, as does an ``invalid`` body.
- ``ct_ingest_publish_seconds``: how long a publish (one event or a whole batch) waited
  for the broker, acknowledged or not.

Labels are bounded: routes by the app, sources by the configuration, outcomes below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OUTCOMES = (
    "accepted",
    "invalid",
    "duplicate_in_batch",
    "unavailable",
    "unauthorized",
    "forbidden",
    "rate_limited",
    "too_large",
)
UNKNOWN_SOURCE = "unknown"
UNMATCHED_ROUTE = "unmatched"


class IngestMetrics:
    """The three ingest metrics, registered in ``registry``."""

    def __init__(self, registry: CollectorRegistry, sources: Iterable[str]) -> None:
        self._sources = frozenset(sources)
        self.requests = Counter(
            "ct_ingest_requests",
            "HTTP requests answered, by route template and status code.",
            ("route", "code"),
            registry=registry,
        )
        self.events = Counter(
            "ct_ingest_events",
            "Events by source and outcome; a request refused whole counts once.",
            ("source", "outcome"),
            registry=registry,
        )
        self.publish_seconds = Histogram(
            "ct_ingest_publish_seconds",
            "Seconds one publish (an event or a batch) waited for the broker.",
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=registry,
        )
        for source in (*sorted(self._sources), UNKNOWN_SOURCE):
            for outcome in OUTCOMES:
                self.events.labels(source, outcome)

    def source_label(self, source: str | None) -> str:
        """``source`` if it is configured, else ``unknown`` (keeps the label set bounded)."""
        return source if source in self._sources else UNKNOWN_SOURCE

    def count(self, source_label: str, outcome: str, n: int = 1) -> None:
        """Add ``n`` events of ``outcome`` for the source label."""
        if n:
            self.events.labels(source_label, outcome).inc(n)

    @contextmanager
    def timing_publish(self) -> Iterator[None]:
        """Observe the duration of the block in ``ct_ingest_publish_seconds``."""
        with self.publish_seconds.time():
            yield


class RequestMetricsMiddleware:
    """Count every HTTP answer in ``ct_ingest_requests_total`` (outermost, so 500s count)."""

    def __init__(self, app: ASGIApp, metrics: IngestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            path = route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else None
            self.metrics.requests.labels(path or UNMATCHED_ROUTE, str(status)).inc()

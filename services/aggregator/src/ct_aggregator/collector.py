"""Prometheus collector: reads the snapshot store at scrape time.

Labels come only from bounded sets (channel, queue, window, variant); never a contact,
customer or agent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.snapshots import SnapshotStore

#: figure key in a snapshot window -> (metric name, help text)
WINDOW_GAUGES: dict[str, tuple[str, str]] = {
    "offered": ("sla_offered_contacts", "Calls offered in the window (short abandons excluded)."),
    "answered": ("sla_answered_contacts", "Calls answered in the window."),
    "abandoned": ("sla_abandoned_contacts", "Calls abandoned in the window (short excluded)."),
    "short_abandoned": ("sla_short_abandoned_contacts", "Short abandons in the window."),
    "answered_within_rings": (
        "sla_answered_within_rings_contacts",
        "Calls answered within the standard's number of rings.",
    ),
    "answered_within_rings_ratio": (
        "sla_answered_within_rings_ratio",
        "Share of answered calls answered within the standard's rings.",
    ),
    "abandonment_rate": ("sla_abandonment_ratio", "Abandoned / offered, short abandons excluded."),
    "asa_seconds": ("sla_asa_seconds", "Average speed of answer: mean wait of answered calls."),
    "wait_p50_seconds": ("sla_wait_p50_seconds", "Median wait of answered calls."),
    "wait_p90_seconds": ("sla_wait_p90_seconds", "90th percentile wait of answered calls."),
    "wait_p99_seconds": ("sla_wait_p99_seconds", "99th percentile wait of answered calls."),
}
_SCOPE = ["channel", "queue"]
_WINDOW = ["channel", "queue", "window"]


class SnapshotCollector(Collector):
    """Exposes the latest event-time figures of every scope as gauges."""

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {
            key: GaugeMetricFamily(name, text, labels=_WINDOW)
            for key, (name, text) in WINDOW_GAUGES.items()
        }
        service_level = GaugeMetricFamily(
            "sla_service_level_ratio",
            "Service level within the standard's threshold, by vendor variant.",
            labels=[*_WINDOW, "variant"],
        )
        waiting = GaugeMetricFamily(
            "sla_waiting_contacts",
            "Calls waiting now (at the snapshot's event time).",
            labels=_SCOPE,
        )
        longest = GaugeMetricFamily(
            "sla_longest_wait_seconds",
            "Longest current wait of a call still queued.",
            labels=_SCOPE,
        )
        as_of = GaugeMetricFamily(
            "sla_snapshot_event_time_seconds",
            "Event time (Unix seconds) the scope's figures were computed at.",
            labels=_SCOPE,
        )
        seen_scopes: set[tuple[str, str]] = set()
        for row in self._store.rows():
            labels = [row.channel, row.queue, row.window]
            for key, family in families.items():
                value = row.figures.get(key)
                if value is not None:
                    family.add_metric(labels, float(value))
            for variant, value in sorted(row.figures.get("service_level", {}).items()):
                if value is not None:
                    service_level.add_metric([*labels, variant], float(value))
            scope = (row.channel, row.queue)
            if scope not in seen_scopes:
                seen_scopes.add(scope)
                waiting.add_metric(list(scope), float(row.figures.get("waiting_now", 0)))
                longest.add_metric(list(scope), float(row.figures.get("longest_wait_seconds", 0)))
                as_of.add_metric(list(scope), datetime.fromisoformat(row.as_of).timestamp())
        yield from families.values()
        yield from (service_level, waiting, longest, as_of)


class AlertCollector(Collector):
    """Open alerts per scope, standard and state."""

    def __init__(self, alerts: AlertBook) -> None:
        self._alerts = alerts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "sla_open_alerts",
            "Alerts open now (warning, raised or escalated), by scope and standard.",
            labels=["channel", "queue", "standard", "state"],
        )
        for (scope, standard, state), count in sorted(self._alerts.open_counts().items()):
            channel, _, queue = scope.partition("/")
            family.add_metric([channel, queue, standard, state], float(count))
        yield family

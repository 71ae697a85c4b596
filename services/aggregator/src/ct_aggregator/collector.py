"""Prometheus collector: reads the snapshot store at scrape time.

Labels come only from bounded sets (channel, queue, window, variant); never a contact,
customer or agent. Queue labels are bounded by :class:`~ct_aggregator.queue_labels.
QueueLabels`: past the configured list or the cap, queues share ``other``, whose figures
combine as :data:`~ct_aggregator.metric_catalog.OTHER_MERGE` says.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.metric_catalog import NESTED_GAUGES, OTHER_MERGE, WINDOW_GAUGES
from ct_aggregator.queue_labels import OTHER, QueueLabels
from ct_aggregator.snapshots import SnapshotStore

__all__ = ["NESTED_GAUGES", "WINDOW_GAUGES", "AlertCollector", "SnapshotCollector"]

_SCOPE = ["channel", "queue"]
_WINDOW = ["channel", "queue", "window"]
_QUEUE = 1  # position of the queue label in every family here


def _dig(figures: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = figures
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class _Samples:
    """One family's samples by label values; samples of the ``other`` queue combine by
    the family's rule (and are left out when it has none)."""

    def __init__(self, family: GaugeMetricFamily | CounterMetricFamily) -> None:
        self.family = family
        self._rule = OTHER_MERGE.get(family.name)
        self._values: dict[tuple[str, ...], float] = {}

    def add(self, labels: list[str], value: float) -> None:
        key = tuple(labels)
        held = self._values.get(key)
        if labels[_QUEUE] != OTHER or held is None:
            if labels[_QUEUE] != OTHER or self._rule is not None:
                self._values[key] = value
            return
        if self._rule == "sum":
            self._values[key] = held + value
        elif self._rule == "max":
            self._values[key] = max(held, value)
        else:
            self._values[key] = min(held, value)

    def done(self) -> Metric:
        for key in sorted(self._values):
            self.family.add_metric(list(key), self._values[key])
        return self.family


#: figures key -> (histogram name, help): today's answered calls, reset at local midnight
HISTOGRAMS = {
    "wait_seconds": (
        "contact_wait_seconds",
        "Queue wait of the calls answered today (resets at the site's midnight).",
    ),
    "ring_seconds": (
        "contact_ring_seconds",
        "Ring time of the calls answered today (resets at the site's midnight).",
    ),
}


class _Histograms:
    """One histogram family's series; the ``other`` queue adds its queues' buckets up."""

    def __init__(self, name: str, text: str) -> None:
        self.family = HistogramMetricFamily(name, text, labels=_SCOPE)
        self._series: dict[tuple[str, ...], tuple[list[list[Any]], float]] = {}

    def add(self, labels: list[str], data: dict[str, Any]) -> None:
        key = tuple(labels)
        buckets = [[le, int(count)] for le, count in data["buckets"]]
        held = self._series.get(key)
        if held is not None:
            buckets = [
                [le, count + old[1]] for (le, count), old in zip(buckets, held[0], strict=True)
            ]
            self._series[key] = (buckets, float(data["sum"]) + held[1])
        else:
            self._series[key] = (buckets, float(data["sum"]))

    def done(self) -> Metric:
        for key in sorted(self._series):
            buckets, total = self._series[key]
            self.family.add_metric(
                list(key), buckets=[(le, float(count)) for le, count in buckets], sum_value=total
            )
        return self.family


class SnapshotCollector(Collector):
    """Exposes the latest event-time figures of every scope as gauges."""

    def __init__(self, store: SnapshotStore, labels: QueueLabels | None = None) -> None:
        self._store = store
        self._labels = labels or QueueLabels()

    def collect(self) -> Iterator[Metric]:
        def gauge(name: str, text: str, labels: list[str]) -> _Samples:
            return _Samples(GaugeMetricFamily(name, text, labels=labels))

        families = {key: gauge(name, text, _WINDOW) for key, (name, text) in WINDOW_GAUGES.items()}
        service_level = gauge(
            "sla_service_level_ratio",
            "Service level within the standard's threshold, by vendor variant.",
            [*_WINDOW, "variant"],
        )
        waiting = gauge(
            "sla_waiting_contacts", "Calls waiting now (at the snapshot's event time).", _SCOPE
        )
        longest = gauge(
            "sla_longest_wait_seconds", "Longest current wait of a call still queued.", _SCOPE
        )
        as_of = gauge(
            "sla_snapshot_event_time_seconds",
            "Event time (Unix seconds) the scope's figures were computed at.",
            _SCOPE,
        )
        nested = {name: gauge(name, text, _WINDOW) for _, name, text in NESTED_GAUGES}
        mix = gauge(
            "sla_channel_mix_ratio",
            "Share of contacts started on each channel.",
            [*_WINDOW, "contact_channel"],
        )
        late = _Samples(
            CounterMetricFamily(
                "sla_late_events",
                "Events that arrived after a later one of their scope: within the allowed "
                "lateness (late) or beyond it (too_late). Both still count.",
                labels=[*_SCOPE, "lateness"],
            )
        )
        future = _Samples(
            CounterMetricFamily(
                "sla_future_events",
                "Events whose occurred_at was ahead of the time they were written to Kafka by "
                "more than the monitor's tolerance (a source's clock is ahead). They still count.",
                labels=_SCOPE,
            )
        )
        histograms = {key: _Histograms(name, text) for key, (name, text) in HISTOGRAMS.items()}
        seen_scopes: set[tuple[str, str]] = set()
        for row in self._store.rows():
            scope = (row.channel, row.queue)
            labels = [row.channel, self._labels.label(row.channel, row.queue), row.window]
            if row.window == "today":
                for key, data in sorted((row.figures.get("histograms") or {}).items()):
                    if key in histograms:
                        histograms[key].add(labels[:2], data)
            for path, name, _ in NESTED_GAUGES:
                value = _number(_dig(row.figures, path))
                if value is not None:
                    nested[name].add(labels, value)
            for channel, share in sorted(
                (_dig(row.figures, ("demand", "channel_mix")) or {}).items()
            ):
                mix.add([*labels, channel], float(share))
            for key, family in families.items():
                value = _number(row.figures.get(key))
                if value is not None:
                    family.add(labels, value)
            for variant, ratio in sorted(row.figures.get("service_level", {}).items()):
                if ratio is not None:
                    service_level.add([*labels, variant], float(ratio))
            if scope not in seen_scopes:
                seen_scopes.add(scope)
                scope_labels = labels[:2]
                waiting.add(scope_labels, float(row.figures.get("waiting_now", 0)))
                longest.add(scope_labels, float(row.figures.get("longest_wait_seconds", 0)))
                as_of.add(scope_labels, datetime.fromisoformat(row.as_of).timestamp())
        for snap in self._store.snapshots():
            channel, queue = snap["scope"]["channel"], snap["scope"]["queue"]
            scope_labels = [channel, self._labels.label(channel, queue)]
            counts = snap.get("late", {})
            late.add([*scope_labels, "late"], float(counts.get("late_events_total", 0)))
            late.add([*scope_labels, "too_late"], float(counts.get("too_late_events_total", 0)))
            ahead = snap.get("future", {}).get("future_events_total", 0)
            future.add(scope_labels, float(ahead))
        for samples in (
            *families.values(),
            service_level,
            waiting,
            longest,
            as_of,
            *nested.values(),
            mix,
            late,
            future,
        ):
            yield samples.done()
        for histogram in histograms.values():
            yield histogram.done()


class AlertCollector(Collector):
    """Open alerts per scope, standard and state."""

    def __init__(self, alerts: AlertBook, labels: QueueLabels | None = None) -> None:
        self._alerts = alerts
        self._labels = labels or QueueLabels()

    def collect(self) -> Iterator[Metric]:
        samples = _Samples(
            GaugeMetricFamily(
                "sla_open_alerts",
                "Alerts open now (warning, raised or escalated), by scope and standard.",
                labels=["channel", "queue", "standard", "state"],
            )
        )
        for (scope, standard, state), count in sorted(self._alerts.open_counts().items()):
            channel, _, queue = scope.partition("/")
            samples.add([channel, self._labels.label(channel, queue), standard, state], count)
        yield samples.done()

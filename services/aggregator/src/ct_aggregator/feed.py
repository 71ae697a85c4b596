"""What the topic reader's handlers do with each record: update the stores, and tell the
``/v1/stream`` clients what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.event_hub import EventHub
from ct_aggregator.intervals import IntervalStore
from ct_aggregator.queue_view import scope_view
from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.core.standards import Standards

StandardsFor = Callable[[str | None], Standards]


def queue_of(scope_key: str) -> str | None:
    """The queue whose standards apply to a scope (None: the defaults)."""
    channel, _, queue = scope_key.partition("/")
    return None if channel == "service" or queue == "all" else queue


@dataclass(slots=True)
class LiveFeed:
    """The reader's handlers (``on_snapshot``, ``on_alert``) and the views built from them."""

    store: SnapshotStore
    alerts: AlertBook
    intervals: IntervalStore
    hub: EventHub
    standards_for: StandardsFor

    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        """A record of ``sla.metrics.v1``."""
        self.intervals.record(snapshot)
        if not self.store.update(snapshot):
            return
        if len(self.hub):
            self.hub.publish("snapshot", self.view(snapshot))
        else:
            self.hub.skip()

    def on_alert(self, alert: dict[str, Any]) -> None:
        """A record of ``sla.alerts.v1``."""
        if not self.alerts.update(alert):
            return
        if len(self.hub):
            self.hub.publish("alert", alert)
        else:
            self.hub.skip()

    def view(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The scope view of one snapshot, judged by its scope's standards."""
        return scope_view(snapshot, self.standards_for(queue_of(snapshot["scope"]["key"])))

    def views(self, channel: str | None = None, queues_only: bool = False) -> list[dict[str, Any]]:
        """Views of every held scope (``queues_only``: not the service scopes), by key."""
        return [
            self.view(snap)
            for snap in self.store.snapshots()
            if (channel is None or snap["scope"]["channel"] == channel)
            and not (queues_only and snap["scope"]["channel"] == "service")
        ]

    def state(self) -> dict[str, Any]:
        """Everything a new stream client needs: every view and the open alerts."""
        return {"snapshots": self.views(), "alerts": list(self.alerts.alerts("open"))}

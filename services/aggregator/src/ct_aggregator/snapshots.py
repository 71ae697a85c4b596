"""The latest metrics snapshot of every scope, as read from ``sla.metrics.v1``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One scope's figures in one window."""

    channel: str
    queue: str
    window: str
    standards_version: str
    as_of: str
    figures: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "queue": self.queue,
            "window": self.window,
            "standards_version": self.standards_version,
            "as_of": self.as_of,
            **self.figures,
        }


@dataclass(slots=True)
class SnapshotStore:
    """Keeps the newest snapshot (by event time ``as_of``) per scope key."""

    _snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)

    def update(self, snapshot: dict[str, Any]) -> bool:
        """Keep ``snapshot`` unless an equal or newer one is held; return True if kept."""
        key = snapshot["scope"]["key"]
        held = self._snapshots.get(key)
        if held is not None and _as_of(held) > _as_of(snapshot):
            return False
        self._snapshots[key] = snapshot
        return True

    def snapshots(self) -> list[dict[str, Any]]:
        """Every held snapshot, by scope key."""
        return [self._snapshots[key] for key in sorted(self._snapshots)]

    def __len__(self) -> int:
        return len(self._snapshots)

    def rows(
        self, channel: str | None = None, queue: str | None = None, window: str | None = None
    ) -> Iterator[KpiRow]:
        """Every (scope, window) row matching the filters, in a stable order."""
        for key in sorted(self._snapshots):
            snap = self._snapshots[key]
            scope = snap["scope"]
            if channel is not None and scope["channel"] != channel:
                continue
            if queue is not None and scope["queue"] != queue:
                continue
            for name in sorted(snap["windows"]):
                if window is not None and name != window:
                    continue
                yield KpiRow(
                    channel=scope["channel"],
                    queue=scope["queue"],
                    window=name,
                    standards_version=snap["standards_version"],
                    as_of=snap["as_of"],
                    figures=snap["windows"][name],
                )


def _queue_snapshots(store: SnapshotStore, channel: str | None) -> list[dict[str, Any]]:
    return [
        snap
        for snap in store.snapshots()
        if snap["scope"]["queue"] != "all"
        and (channel is None or snap["scope"]["channel"] == channel)
    ]


def pending_items(store: SnapshotStore, channel: str | None = None) -> list[dict[str, Any]]:
    """Pending deadline items of every queue (not the ``all`` scopes), soonest due first:
    each queue's soonest due (a snapshot lists at most PENDING_SHOWN of its own)."""
    items = [item for snap in _queue_snapshots(store, channel) for item in snap.get("pending", [])]
    return sorted(items, key=lambda i: (i["due_at"], i["item_id"]))


def pending_total(store: SnapshotStore, channel: str | None = None) -> int:
    """How many deadlines are open in every queue, listed or not."""
    return sum(
        int(snap.get("pending_summary", {}).get("total", len(snap.get("pending", []))))
        for snap in _queue_snapshots(store, channel)
    )


def _as_of(snapshot: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(snapshot["as_of"])

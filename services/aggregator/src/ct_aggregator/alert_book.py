"""The alerts read from ``sla.alerts.v1``: the latest state of each, and which are open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

OPEN_STATES = frozenset({"warning", "raised", "escalated"})


def _key(alert: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        alert["scope"],
        alert["standard"],
        alert.get("window") or "",
        alert.get("subject") or "",
    )


@dataclass(slots=True)
class AlertBook:
    """Latest transition per (scope, standard, window, subject), plus every transition."""

    _latest: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    _seen: set[tuple[str, str, int]] = field(default_factory=set)

    def update(self, alert: dict[str, Any]) -> bool:
        """Record one transition (a re-delivered one changes nothing); True if new."""
        mark = (alert["alert_id"], alert["state"], int(alert.get("severity", 0)))
        if mark in self._seen:
            return False
        self._seen.add(mark)
        self._latest[_key(alert)] = alert
        return True

    def alerts(self, state: str = "open", scope: str | None = None) -> Iterator[dict[str, Any]]:
        """Latest alert per subject; ``state="open"`` keeps warning/raised/escalated ones."""
        for key in sorted(self._latest):
            alert = self._latest[key]
            if scope is not None and alert["scope"] != scope:
                continue
            if state == "open" and alert["state"] not in OPEN_STATES:
                continue
            yield alert

    def open_counts(self) -> dict[tuple[str, str, str], int]:
        """Open alerts per (scope, standard, state), for Prometheus."""
        counts: dict[tuple[str, str, str], int] = {}
        for alert in self.alerts("open"):
            key = (alert["scope"], alert["standard"], alert["state"])
            counts[key] = counts.get(key, 0) + 1
        return counts

"""Bounded ``queue`` label values for Prometheus.

A queue keeps its own label when it is in the configured list, or, without a list, when
it is among the first ``max_queues`` queues seen; every other queue is exported as
``other``. The channel totals (``all``) always keep their label. Service types (the
``queue`` label of the ``service`` scopes) are capped the same way, on their own count,
since a queue list does not name them. The JSON API is not affected: it keeps real names.
"""

from __future__ import annotations

import threading
from collections.abc import Collection

OTHER = "other"
ALL = "all"
SERVICE_CHANNEL = "service"


class QueueLabels:
    """Maps a scope's (channel, queue) to the queue label it is exported under."""

    def __init__(self, queues: Collection[str] | None = None, max_queues: int = 50) -> None:
        if max_queues < 1:
            raise ValueError("max_queues must be at least 1")
        self._configured = frozenset(queues) if queues else None
        self._max = max_queues
        self._kept: dict[bool, set[str]] = {False: set(), True: set()}  # by "is a service"
        self._lock = threading.Lock()  # /metrics may be scraped from a second server thread

    def label(self, channel: str, queue: str) -> str:
        """The label for ``queue`` of ``channel``: the name itself, or ``other``."""
        if queue == ALL:
            return ALL
        service = channel == SERVICE_CHANNEL
        if self._configured is not None and not service:
            return queue if queue in self._configured else OTHER
        with self._lock:
            kept = self._kept[service]
            if queue in kept:
                return queue
            if len(kept) < self._max:
                kept.add(queue)
                return queue
        return OTHER

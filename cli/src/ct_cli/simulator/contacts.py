"""Contacts and their events, and the timeline that hands events out in time order.

Events are built directly in the contract's canonical form (field order, UTC timestamps
with ``Z``, no null fields), so ``encode_event(decode_event(line))`` gives the same bytes
without running pydantic on every event.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import time
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]


def pick(rng: random.Random, population: Sequence[str], cumulative: Sequence[int]) -> str:
    """One of ``population``, weighted by the ``cumulative`` weights (ints, last = total)."""
    return population[bisect(cumulative, rng.random() * cumulative[-1])]


class Customers:
    """A population of pseudonymised customers; customer ``n`` always has the same
    reference (``sim:<64 hex>``) and segment for a given seed."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._known: dict[int, tuple[str, str]] = {}

    def get(self, n: int) -> tuple[str, str]:
        """(customer_ref, customer_segment) of customer ``n``."""
        found = self._known.get(n)
        if found is None:
            digest = hashlib.blake2b(f"{self._seed}:{n}".encode(), digest_size=32).digest()
            segment = "business" if digest[0] < 31 else "citizen"
            found = (f"sim:{digest.hex()}", segment)
            self._known[n] = found
        return found


@dataclass(slots=True)
class Contact:
    """One contact (a call, an email, a visit...) and the dimensions its events carry."""

    contact_id: str
    channel: str
    queue: str
    service_type: str
    query_reason: str
    customer: int
    customer_ref: str
    customer_segment: str
    source: str
    events: int = 0

    def event(self, kind: str, queue: str | None = None, agent: str | None = None) -> Event:
        """A new event of this contact (its time is set when the timeline hands it out)."""
        self.events += 1
        event: Event = {
            "event_id": f"{self.contact_id}-{self.events}",
            "occurred_at": "",
            "contact_id": self.contact_id,
            "channel": self.channel,
            "queue": queue or self.queue,
            "service_type": self.service_type,
            "query_reason": self.query_reason,
            "customer_segment": self.customer_segment,
            "customer_ref": self.customer_ref,
        }
        if agent is not None:
            event["agent_id"] = agent
        event["source"] = self.source
        event["type"] = kind
        return event


class Timeline:
    """Events waiting for their time; ties keep the order they were added in. Events at
    or after ``end_ms`` are dropped."""

    def __init__(self, end_ms: int | None) -> None:
        self._heap: list[tuple[int, int, Event]] = []
        self._added = 0
        self._end_ms = end_ms
        self._second = -1
        self._prefix = ""

    def add(self, t: float, event: Event) -> None:
        """Schedule ``event`` at ``t`` (seconds since the epoch, kept to the millisecond)."""
        ms = int(t * 1000)
        if self._end_ms is not None and ms >= self._end_ms:
            return
        self._added += 1
        heapq.heappush(self._heap, (ms, self._added, event))

    def due(self, until_ms: float) -> Iterator[Event]:
        """Hand out, in time order, every event at or before ``until_ms``."""
        heap = self._heap
        while heap and heap[0][0] <= until_ms:
            ms, _, event = heapq.heappop(heap)
            seconds, rest = divmod(ms, 1000)
            if seconds != self._second:
                self._second = seconds
                self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
            event["occurred_at"] = f"{self._prefix}.{rest:03d}000Z" if rest else self._prefix + "Z"
            yield event

    def __len__(self) -> int:
        return len(self._heap)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a contact was handled: when its handling began and ended, how long the customer
    waited, and in which queue it ended (None ``begin``: not handled, e.g. abandoned)."""

    queue: str
    begin: float | None
    end: float
    wait_s: float

"""Input events for the benchmarks: realistic contacts on every channel, and open calls.

Contacts come from the demo traffic's planner (``ct_cli.demo_traffic.plan_contact``) with
event times laid out from a fixed start, so every run posts the same events. (Issue 7's
``ct simulate`` will take over here once it lands.)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from ct_cli.demo_traffic import plan_contact

#: A Monday morning in term time, inside the charter's working hours.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
Record = tuple[bytes, bytes]


def contact_events(
    count: int, seed: int = 7, rate_per_s: float = 20.0, start: datetime = START
) -> list[dict[str, Any]]:
    """``count`` events of contacts arriving at ``rate_per_s`` (Poisson) from ``start``,
    in event-time order, each with its ``occurred_at``."""
    rng = random.Random(seed)
    timed: list[tuple[float, int, dict[str, Any]]] = []
    arrival = 0.0
    n = 0
    horizon = float("inf")
    # Planned events run ahead of arrivals by a few minutes. Once ``count`` are planned, the
    # count-th earliest time only falls as more come, and a contact arriving after it
    # cannot be among the first ``count``: stop there.
    while arrival <= horizon:
        n += 1
        arrival += rng.expovariate(rate_per_s)
        for delay, body in plan_contact(rng, n):
            timed.append((arrival + delay, len(timed), body))
        if horizon == float("inf") and len(timed) >= count:
            horizon = sorted(t for t, *_ in timed)[count - 1]
    timed.sort(key=lambda item: (item[0], item[1]))
    events = []
    for offset, _, body in timed[:count]:
        body["occurred_at"] = (start + timedelta(seconds=offset)).isoformat()
        events.append(body)
    return events


def open_calls(contacts: int, queues: int, start: datetime = START) -> list[dict[str, Any]]:
    """One ``call.queued`` each for ``contacts`` calls spread over ``queues`` queues, none
    answered: every contact stays open (the memory benchmark's state)."""
    return [
        {
            "event_id": f"open-{n}-q",
            "type": "call.queued",
            "occurred_at": (start + timedelta(milliseconds=n)).isoformat(),
            "contact_id": f"open-{n}",
            "channel": "phone",
            "queue": f"q{n % queues:04d}",
            "service_type": "general",
            "source": "bench",
        }
        for n in range(contacts)
    ]


def as_records(events: list[dict[str, Any]]) -> Iterator[Record]:
    """(key, value) records as ingest writes them: keyed by contact, JSON bodies."""
    for event in events:
        yield event["contact_id"].encode(), orjson.dumps(event)

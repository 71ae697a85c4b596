"""Input events for the benchmarks: realistic contacts on every channel (``ct simulate``'s
generator), and open calls.

Every run generates the same events (a fixed seed and start), so runs compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from ct_cli.simulator import SimConfig, generate

#: A Monday morning, inside the charter's working hours (London is on UTC in March).
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
#: A busy centre, so the events cover a working morning rather than days.
DAILY_CONTACTS = 40_000.0
Record = tuple[bytes, bytes]


def contact_events(count: int, seed: int = 7, start: datetime = START) -> list[dict[str, Any]]:
    """The first ``count`` events the simulator gives from ``start``, in event-time order."""
    config = SimConfig(
        seed=seed,
        start=start,
        duration=None,
        max_events=count,
        daily_contacts=DAILY_CONTACTS,
        source="bench",
    )
    return list(generate(config))


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


def write_batches(path: Path, events: list[dict[str, Any]], size: int) -> Path:
    """Write ``{"events": [...]}`` bodies of ``size`` events, one a line (the load
    generator's input for the batch route); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\n".join(
            orjson.dumps({"events": events[i : i + size]})
            for i in range(0, len(events) - size + 1, size)
        )
        + b"\n"
    )
    return path

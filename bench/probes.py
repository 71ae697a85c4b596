"""Probe events with the wall clock as event time, and where they become visible: the
aggregator's /v1/kpis and /metrics, ``contact.events.v1`` itself, ``sla.alerts.v1``."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer

PROBE_QUEUE = "bench_probe"
DEADLINE_QUEUE = "bench_deadline"
_AS_OF = re.compile(
    rb'^sla_snapshot_event_time_seconds\{channel="phone",queue="'
    + PROBE_QUEUE.encode()
    + rb'"\} (\S+)$',
    re.MULTILINE,
)
#: probe numbers are never reused within a process: a re-sent event id is a duplicate
_NUMBERS = itertools.count(1)


def probe_call(n: int, at: datetime) -> dict[str, Any]:
    """A call joining the probe queue at ``at``: it moves that scope's ``as_of`` to ``at``."""
    return {
        "event_id": f"probe-{n}-q",
        "type": "call.queued",
        "occurred_at": at.isoformat(),
        "contact_id": f"probe-{n}",
        "channel": "phone",
        "queue": PROBE_QUEUE,
        "service_type": "general",
        "source": "bench",
    }


def _email_received(contact_id: str, at: datetime) -> dict[str, Any]:
    """An ``email.received`` in the deadline probes' queue, never acknowledged."""
    return {
        "event_id": f"{contact_id}-r",
        "type": "email.received",
        "occurred_at": at.isoformat(),
        "contact_id": contact_id,
        "channel": "email",
        "queue": DEADLINE_QUEUE,
        "service_type": "general",
        "source": "bench",
    }


def late_email(n: int, due: datetime, allowance: timedelta) -> dict[str, Any]:
    """An email received ``allowance`` before ``due``, not acknowledged: its acknowledgement
    deadline falls at ``due``."""
    return _email_received(f"deadline-{n}", due - allowance)


def clock_email(now: datetime) -> dict[str, Any]:
    """An email received ``now`` in the deadline probes' queue. The probes are backdated
    (received an allowance before their deadline), and a scope whose newest event is that
    far behind the wall clock is taken to be catching up: its deadlines then move with its
    events, not the wall clock (``tick_instant``). Live, a queue's events arrive as they
    happen; this one brings the scope's clock to the present, as they would."""
    return _email_received("deadline-clock", now)


class Visibility:
    """Probes posted (post time, event time) and when each surface first showed them."""

    def __init__(self) -> None:
        self.posted: dict[int, tuple[float, datetime]] = {}
        self.seen: dict[str, dict[int, float]] = {"kpis": {}, "metrics": {}, "topic": {}}

    def observe(self, surface: str, as_of: datetime | None) -> None:
        """``surface`` shows event time ``as_of`` now: every probe up to it is visible."""
        if as_of is None:
            return
        now = time.perf_counter()
        seen = self.seen[surface]
        for n, (_, at) in self.posted.items():
            if n not in seen and at <= as_of:
                seen[n] = now

    def latencies_ms(self, surface: str) -> list[float]:
        """Post → visible on ``surface`` for every probe seen there, ascending."""
        seen = self.seen[surface]
        return sorted((seen[n] - self.posted[n][0]) * 1000 for n in seen)


async def post_probes(
    client: httpx.AsyncClient, vis: Visibility, every_s: float, until: float
) -> None:
    """Post one probe call every ``every_s`` until ``until`` (perf_counter)."""
    while time.perf_counter() < until:
        n = next(_NUMBERS)
        at = datetime.now(UTC)
        vis.posted[n] = (time.perf_counter(), at)
        response = await client.post("/v1/events", json=probe_call(n, at))
        response.raise_for_status()
        await asyncio.sleep(every_s)


async def poll_kpis(client: httpx.AsyncClient, vis: Visibility, until: float) -> None:
    """Follow the probe scope's ``as_of`` on /v1/kpis."""
    params = {"channel": "phone", "queue": PROBE_QUEUE, "window": "rolling_15m"}
    while time.perf_counter() < until:
        rows = (await client.get("/v1/kpis", params=params)).json().get("kpis", [])
        stamps = [datetime.fromisoformat(r["as_of"]) for r in rows if r.get("as_of")]
        vis.observe("kpis", max(stamps, default=None))
        await asyncio.sleep(0.01)


async def poll_metrics(client: httpx.AsyncClient, vis: Visibility, until: float) -> None:
    """Follow the probe scope's ``sla_snapshot_event_time_seconds`` on /metrics."""
    while time.perf_counter() < until:
        found = _AS_OF.search((await client.get("/metrics")).content)
        if found:
            vis.observe("metrics", datetime.fromtimestamp(float(found.group(1)), UTC))
        await asyncio.sleep(0.01)


async def follow_topic(consumer: AIOKafkaConsumer, vis: Visibility, until: float) -> None:
    """The transport floor: when each probe can be read from ``contact.events.v1``."""
    while time.perf_counter() < until:
        batches = await consumer.getmany(timeout_ms=50)
        for batch in batches.values():
            for record in batch:
                if record.key and record.key.startswith(b"probe-"):
                    n = int(record.key.split(b"-")[1])
                    if n in vis.posted and n not in vis.seen["topic"]:
                        vis.seen["topic"][n] = time.perf_counter()


async def raised_alerts(
    consumer: AIOKafkaConsumer, subjects: set[str], until: float
) -> dict[str, tuple[float, datetime]]:
    """For each subject, when its first ``raised`` alert was read (wall clock) and its
    ``breached_at``."""
    found: dict[str, tuple[float, datetime]] = {}
    while time.perf_counter() < until and len(found) < len(subjects):
        for batch in (await consumer.getmany(timeout_ms=100)).values():
            for record in batch:
                alert = orjson.loads(record.value)
                subject = alert.get("subject")
                if alert.get("state") == "raised" and subject in subjects and subject not in found:
                    found[subject] = (time.time(), datetime.fromisoformat(alert["breached_at"]))
    return found

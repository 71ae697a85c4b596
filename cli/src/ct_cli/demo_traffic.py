"""Small live demo traffic: random phone calls posted to ingest as they happen.

Each call joins a queue, then either rings and is answered or the caller gives up,
then ends. Event times are the wall clock, so the figures move live.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from itertools import count
from typing import Any

import httpx

QUEUES = (("council_tax", "council_tax"), ("housing", "housing"), ("switchboard", "general"))


def plan_call(rng: random.Random, n: int) -> list[tuple[float, dict[str, Any]]]:
    """The events of one call as (delay in seconds from its arrival, event body)."""
    queue, service = rng.choice(QUEUES)
    base = {
        "contact_id": f"demo-{n}",
        "channel": "phone",
        "queue": queue,
        "service_type": service,
        "source": "demo",
    }
    wait = rng.expovariate(1 / 12.0)
    patience = rng.expovariate(1 / 60.0)
    steps: list[tuple[float, str, dict[str, Any]]] = [(0.0, "call.queued", {})]
    if wait <= patience:
        ring = rng.uniform(1.0, 14.0)
        steps += [
            (wait, "call.ringing", {}),
            (wait + ring, "call.answered", {}),
            (wait + ring + rng.uniform(20, 90), "call.ended", {}),
        ]
    else:
        steps += [(patience, "call.abandoned", {}), (patience, "call.ended", {})]
    return [
        (delay, {**base, **extra, "type": kind, "event_id": f"demo-{n}-{i}"})
        for i, (delay, kind, extra) in enumerate(steps)
    ]


async def run_demo(
    ingest_url: str, rate: float, seed: int | None = None, limit: int | None = None
) -> None:
    """Post calls arriving at ``rate`` per second until cancelled (or ``limit`` calls)."""
    rng = random.Random(seed)
    tasks: set[asyncio.Task[None]] = set()
    async with httpx.AsyncClient(base_url=ingest_url, timeout=10.0) as client:
        for n in count(1):
            if limit is not None and n > limit:
                break
            task = asyncio.create_task(_play(client, plan_call(rng, n)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await asyncio.sleep(rng.expovariate(rate))
        await asyncio.gather(*tasks)


async def _play(client: httpx.AsyncClient, events: list[tuple[float, dict[str, Any]]]) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    for delay, body in events:
        await asyncio.sleep(max(0.0, start + delay - loop.time()))
        body["occurred_at"] = datetime.now(UTC).isoformat()
        for _ in range(5):  # 503 means "retry": the event_id makes that safe
            try:
                response = await client.post("/v1/events", json=body)
            except httpx.HTTPError:
                await asyncio.sleep(1.0)
                continue
            if response.status_code != 503:
                break
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))

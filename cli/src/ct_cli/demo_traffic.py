"""Small live demo traffic, posted to ingest as it happens, on every channel.

Phone calls join a queue, then either ring and are answered or the caller gives up; some
callers answer a survey, and some calls open a case resolved at once or later. Emails and
web forms are acknowledged and answered after a while; reception visitors are called
after a wait that now and then passes the 3-minute standard. Event times are the wall
clock, so the figures move live. (The realistic simulator is ``ct simulate`` in a later
version; this is enough to see every figure move.)
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from itertools import count
from typing import Any

import httpx

QUEUES = (("council_tax", "council_tax"), ("housing", "housing"), ("switchboard", "general"))
Plan = list[tuple[float, dict[str, Any]]]


def _customer(rng: random.Random) -> str:
    """A pseudonymised reference from a small population, so some customers come back."""
    return f"demo:{rng.randrange(400):064x}"


def plan_contact(rng: random.Random, n: int) -> Plan:
    """The events of one contact, on a channel drawn from a council-like mix."""
    draw = rng.random()
    if draw < 0.6:
        return plan_call(rng, n)
    if draw < 0.85:
        return plan_email(rng, n)
    return plan_visit(rng, n)


def _steps(base: dict[str, Any], n: int, steps: list[tuple[float, str, dict[str, Any]]]) -> Plan:
    ordered = sorted(steps, key=lambda step: step[0])
    return [
        (delay, {**base, **extra, "type": kind, "event_id": f"demo-{n}-{i}"})
        for i, (delay, kind, extra) in enumerate(ordered)
    ]


def plan_email(rng: random.Random, n: int) -> Plan:
    """An email or web form: acknowledged within minutes, answered later (or not yet)."""
    queue, service = rng.choice(QUEUES)
    channel = rng.choice(("email", "web"))
    base = {
        "contact_id": f"demo-{n}",
        "channel": channel,
        "queue": queue,
        "service_type": service,
        "source": "demo",
        "customer_ref": _customer(rng),
    }
    first = "webform.submitted" if channel == "web" else "email.received"
    ack = rng.uniform(5, 120)
    steps: list[tuple[float, str, dict[str, Any]]] = [
        (0.0, first, {}),
        (ack, "email.acknowledged", {}),
    ]
    if rng.random() < 0.7:
        steps.append((ack + rng.uniform(30, 300), "email.responded", {}))
    return _steps(base, n, steps)


def plan_visit(rng: random.Random, n: int) -> Plan:
    """A reception visitor: called after a wait (sometimes past 3 minutes), then served."""
    base = {
        "contact_id": f"demo-{n}",
        "channel": "face_to_face",
        "queue": "reception",
        "service_type": rng.choice(QUEUES)[1],
        "source": "demo",
    }
    wait = rng.expovariate(1 / 90.0)
    return _steps(
        base,
        n,
        [
            (0.0, "visit.ticketed", {}),
            (wait, "visit.called", {}),
            (wait + rng.uniform(60, 400), "visit.served", {}),
        ],
    )


def plan_call(rng: random.Random, n: int) -> Plan:
    """The events of one call as (delay in seconds from its arrival, event body)."""
    queue, service = rng.choice(QUEUES)
    base = {
        "contact_id": f"demo-{n}",
        "channel": "phone",
        "queue": queue,
        "service_type": service,
        "source": "demo",
        "customer_ref": _customer(rng),
    }
    wait = rng.expovariate(1 / 12.0)
    patience = rng.expovariate(1 / 60.0)
    steps: list[tuple[float, str, dict[str, Any]]] = [(0.0, "call.queued", {})]
    if wait <= patience:
        ring = rng.uniform(1.0, 14.0)
        end = wait + ring + rng.uniform(20, 90)
        steps += [
            (wait, "call.ringing", {}),
            (wait + ring, "call.answered", {}),
            (end, "call.ended", {}),
        ]
        if rng.random() < 0.5:
            first = rng.random() < 0.75
            steps += [
                (wait + ring, "case.opened", {}),
                (
                    end,
                    "case.resolved",
                    {
                        "resolution": "first_contact" if first else "follow_up",
                        "contacts": 1 if first else 2,
                    },
                ),
            ]
        if rng.random() < 0.3:
            steps.append((end + 5, "survey.answered", {"score": rng.choice(range(3, 11))}))
    else:
        steps += [(patience, "call.abandoned", {}), (patience, "call.ended", {})]
    return _steps(base, n, steps)


async def run_demo(
    ingest_url: str,
    rate: float,
    seed: int | None = None,
    limit: int | None = None,
    api_key: str | None = None,
) -> None:
    """Post calls arriving at ``rate`` per second until cancelled (or ``limit`` calls),
    with ``api_key`` in ``X-Api-Key`` when given (ingest with configured sources needs it)."""
    rng = random.Random(seed)
    tasks: set[asyncio.Task[None]] = set()
    headers = {"X-Api-Key": api_key} if api_key else None
    async with httpx.AsyncClient(base_url=ingest_url, timeout=10.0, headers=headers) as client:
        for n in count(1):
            if limit is not None and n > limit:
                break
            task = asyncio.create_task(_play(client, plan_contact(rng, n)))
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

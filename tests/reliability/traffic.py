"""Call traffic for the reliability tests, and the figures a clean run of it gives.

:func:`call_events` makes a reproducible set of calls (queued, ringing, then answered or
abandoned, some short abandons) on one queue. :func:`clean_run_rows` drives the same
handlers and core the live monitor runs, in process, over the events once each: the
reference a faulty live run must equal. Late-event counters depend on arrival order by
definition, so comparisons leave them out (:func:`comparable`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson

from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.handlers import ContactStage, Rejected, ScopeStage
from ct_sla_monitor.standards_file import default_standards

#: A Monday morning: London is on UTC in November.
DAY_START = datetime.fromisoformat("2026-11-16T09:00:00+00:00")


def call_events(
    prefix: str, calls: int, queue: str = "council_tax", seed: int = 8, start: datetime = DAY_START
) -> list[dict[str, Any]]:
    """``calls`` calls on ``queue``, one every 7 s from ``start``; waits of 0-60 s, about
    one in six abandoned (some within 5 s: short abandons). Ids start with ``prefix``."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for n in range(calls):
        contact = f"{prefix}-{n}"
        queued = start + timedelta(seconds=7 * n)
        wait = rng.randint(0, 60)
        ended = queued + timedelta(seconds=wait)
        outcome = "abandoned" if rng.random() < 0.17 else "answered"
        steps = [("queued", queued), ("ringing", queued)]
        steps.append((outcome, ended))

        for kind, at in steps:
            events.append(
                {
                    "event_id": f"{contact}-{kind}",
                    "type": f"call.{kind}",
                    "occurred_at": at.isoformat(),
                    "contact_id": contact,
                    "channel": "phone",
                    "queue": queue,
                    "service_type": queue,
                    "source": "reliability",
                }
            )
    return events


def batches(events: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """``events`` in consecutive batches of at most ``size``."""
    for start in range(0, len(events), size):
        yield events[start : start + size]


def post_batch(client: httpx.Client, events: list[dict[str, Any]]) -> httpx.Response:
    """One ``POST /v1/events:batch``."""
    return client.post("/v1/events:batch", content=orjson.dumps({"events": events}))


def post_all(ingest_url: str, events: list[dict[str, Any]], size: int = 200) -> None:
    """Post every event in batches; each batch must be accepted whole."""
    with httpx.Client(base_url=ingest_url, timeout=30) as client:
        for batch in batches(events, size):
            response = post_batch(client, batch)
            assert response.json()["accepted"] == len(batch), response.text[:500]


def clean_run_rows(
    events: Iterable[dict[str, Any]], channel: str = "phone"
) -> list[dict[str, Any]]:
    """``/v1/kpis`` rows of ``channel`` after each event was processed once, in order.
    As live, figures are computed after the last message (the live worker publishes at
    most every half second, and the timer flushes the last state)."""
    book = default_standards()
    stage1, stage2 = ContactStage({}, book), ScopeStage({}, {}, book)
    for event in events:
        routed = stage1.handle(orjson.dumps(event))
        assert not isinstance(routed, Rejected), routed
        for scope_key, message in routed.items():
            stage2.handle(scope_key, orjson.loads(orjson.dumps(message)), publish=False)
    store = SnapshotStore()
    for scope_key in stage2.scopes():
        snapshot = stage2.handle(scope_key, {}).snapshot
        assert snapshot is not None
        store.update(orjson.loads(snapshot))
    return [row.to_dict() for row in store.rows(channel)]


def comparable(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Rows keyed by (channel, queue, window), as compared between runs."""
    return {(r["channel"], r["queue"], r["window"]): r for r in rows}

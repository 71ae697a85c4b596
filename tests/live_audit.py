"""Waiting on the live monitor and running ``ct`` replays and audits beside it: shared by
the determinism test and the reliability tests that compare live figures with a replay."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ct_broker.offsets import end_offsets
from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS, SLA_METRICS
from ct_cli.audit import last_snapshots
from ct_cli.replay import read_topic
from ct_cli.simulator import SimConfig, generate


def shuffled_traffic(
    start: datetime, days: int, daily_contacts: int, jitter_s: float
) -> list[dict[str, Any]]:
    """Simulated traffic (every channel) from ``start`` for ``days``, in an arrival order
    shuffled: each event arrives up to ``jitter_s`` after it occurred."""
    config = SimConfig(
        seed=2026,
        start=start,
        duration=timedelta(days=days),
        daily_contacts=daily_contacts,
        staffing=0.85,
    )
    events = list(generate(config))
    rng = random.Random(7)
    arrival = [
        (datetime.fromisoformat(e["occurred_at"]).timestamp() + rng.uniform(0, jitter_s), n)
        for n, e in enumerate(events)
    ]
    return [events[n] for _, n in sorted(arrival)]


def ct(*args: str, env: dict[str, str], out: Path) -> subprocess.CompletedProcess[bytes]:
    with out.open("wb") as stdout:
        return subprocess.run(
            [sys.executable, "-m", "ct_cli.main", *args],
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=900,
            check=False,
        )


async def progress(bootstrap: str, topic: str, group: str) -> tuple[int, int]:
    """(committed offset of ``group``, end offset) of ``topic``'s one partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        tp = TopicPartition(topic, 0)
        end = (await end_offsets(consumer, [tp]))[tp]
        done = (await admin.list_consumer_group_offsets(group, partitions=[tp])).get(tp)
        return (-1 if done is None else done.offset), end
    finally:
        await consumer.stop()
        await admin.close()


def await_live(bootstrap: str, timeout_s: float) -> None:
    """Until the monitor has handled every event, then every outcome written by then (the
    timer keeps adding ticks)."""
    deadline = time.monotonic() + timeout_s
    for topic in (CONTACT_EVENTS, CALL_OUTCOMES):
        target = None
        while True:
            done, end = asyncio.run(progress(bootstrap, topic, "ct-sla-monitor"))
            target = end if target is None else target
            if done >= target:
                break
            assert time.monotonic() < deadline, f"the live monitor did not catch up on {topic}"
            time.sleep(2)


def run_all(
    runs: dict[str, list[str]], env: dict[str, str], tmp_path: Path
) -> dict[str, subprocess.CompletedProcess[bytes]]:
    """Each ``ct`` command line, two at a time; each prints into ``<name>.json``."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = {
            name: pool.submit(ct, *args, env=env, out=tmp_path / f"{name}.json")
            for name, args in runs.items()
        }
        return {name: future.result() for name, future in done.items()}


def await_snapshots(bootstrap: str, clocks: dict[str, str], timeout_s: float) -> None:
    """Until every scope's last live snapshot is as of its last event (a scope's snapshot
    waits longer behind its figures while snapshots are costly)."""
    deadline = time.monotonic() + timeout_s
    while True:
        live = last_snapshots(read_topic(bootstrap, topic=SLA_METRICS))
        behind = sorted(s for s, as_of in clocks.items() if live.get(s, {}).get("as_of") != as_of)
        if not behind:
            return
        assert time.monotonic() < deadline, f"live snapshots not at their last event: {behind}"
        time.sleep(1)

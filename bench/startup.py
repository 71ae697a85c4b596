"""Benchmark 5: start-up and recovery. A worker process is spawned on a topic holding the
state events; how long until it processes its first event. Once it has drained them (its
tables hold the state), it is SIGKILLed, one more event is written, and it is restarted:
how long until it processes again (its tables first recover from their changelogs). The
sla_monitor against baseline A (a faust agent with one Table) doing the same."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS

from .config import BenchConfig
from .drain import watch_drain
from .faust_baselines import GROUPS, MARK_FILE
from .kafka_tools import prefill
from .report import Figure, at_most
from .services import Processes, fresh_broker, processes
from .sla_live import MONITOR_GROUP
from .traffic import as_records, contact_events

NAME = "startup"


async def _first_outcome_after(bootstrap: str, since: float, timeout_s: float = 120) -> float:
    """Wall time (record timestamp) of the first stage-1 outcome written after ``since``
    (timer ticks are not processed events and are skipped)."""
    consumer = AIOKafkaConsumer(
        CALL_OUTCOMES, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for record in batch:
                    stamp = float(record.timestamp) / 1000
                    if stamp >= since and b'"tick"' not in record.value:
                        return stamp
        raise TimeoutError("no outcome after the worker started")
    finally:
        await consumer.stop()


def _first_mark_after(path: Path, since: float, timeout_s: float = 120) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            marks = [float(x) for x in path.read_text().split() if float(x) >= since]
            if marks:
                return min(marks)
        time.sleep(0.05)
    raise TimeoutError("the baseline processed nothing after it started")


async def _one_more_event(bootstrap: str, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        event = contact_events(1, seed=1000 + n)[0]
        [(key, value)] = list(
            as_records([{**event, "contact_id": f"restart-{n}", "event_id": f"restart-{n}"}])
        )
        await producer.send_and_wait(CONTACT_EVENTS, value=value, key=key)
    finally:
        await producer.stop()


def _start_and_recover(
    procs: Processes,
    bootstrap: str,
    name: str,
    argv: list[str],
    group: str,
    total: int,
    first: Callable[[float], float],
) -> tuple[float, float]:
    """(spawn → first event, SIGKILL+restart → first event) for one worker."""
    spawned = time.time()
    pid = procs.start(name, argv)
    started = first(spawned)
    asyncio.run(watch_drain(bootstrap, group, CONTACT_EVENTS, total, pid, timeout_s=900))
    procs.kill(name)  # SIGKILL
    asyncio.run(_one_more_event(bootstrap, pid))
    respawned = time.time()
    procs.start(name, argv)
    recovered = first(respawned)
    procs.stop(name)
    return started - spawned, recovered - respawned


def run(config: BenchConfig) -> list[Figure]:
    """Baseline A, then the monitor, on the same state events."""
    count = config.size(config.state_events, min(config.state_events, 5_000), 500)
    marks = config.logs / "baseline-first-events.txt"
    with fresh_broker(config.logs, NAME) as bootstrap, processes(bootstrap, config.logs) as procs:
        total = asyncio.run(prefill(bootstrap, as_records(contact_events(count))))
        procs.env[MARK_FILE] = str(marks)
        table = _start_and_recover(
            procs,
            bootstrap,
            "startup-baseline-table",
            ["-m", "bench.faust_baselines", "table"],
            GROUPS["table"],
            total,
            lambda since: _first_mark_after(marks, since),
        )
        monitor = _start_and_recover(
            procs,
            bootstrap,
            "startup-sla-monitor",
            ["-m", "ct_cli.main", "sla-monitor"],
            MONITOR_GROUP,
            total,
            lambda since: asyncio.run(_first_outcome_after(bootstrap, since)),
        )
    base = "A: faust Table/event"
    note = f"{total} events of state (issue 7 asks 1M: --state-events)"
    return [
        Figure(
            NAME,
            "spawn -> first event",
            monitor[0],
            "s",
            base,
            table[0],
            "<= 5 s",
            at_most(monitor[0], 5.0),
            "fresh consumer group, imports included",
        ),
        Figure(
            NAME,
            "SIGKILL+restart -> first event",
            monitor[1],
            "s",
            base,
            table[1],
            "<= 5 s",
            at_most(monitor[1], 5.0),
            note,
        ),
    ]

"""Benchmark 1: the SLA engine live. The real sla_monitor worker (``ct sla-monitor``)
drains a pre-filled ``contact.events.v1``, through both stages, against two faust
baselines on the same topic and broker: A, a naive agent updating one Table per event, and
B, a stateless agent that only decodes."""

from __future__ import annotations

import asyncio

from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS

from .config import BenchConfig
from .drain import Drain, watch_drain
from .faust_baselines import GROUPS
from .kafka_tools import prefill
from .report import Figure, at_least
from .services import Processes, fresh_broker, processes
from .traffic import as_records, contact_events

NAME = "sla_live"
MONITOR_GROUP = "ct-sla-monitor"


def _drain(
    procs: Processes,
    bootstrap: str,
    name: str,
    argv: list[str],
    group: str,
    total: int,
    downstream_timeout_s: float = 120,
) -> Drain:
    pid = procs.start(name, argv)
    try:
        return asyncio.run(
            watch_drain(
                bootstrap,
                group,
                CONTACT_EVENTS,
                total,
                pid,
                timeout_s=600,
                downstream=CALL_OUTCOMES if group == MONITOR_GROUP else None,
                downstream_timeout_s=downstream_timeout_s,
            )
        )
    finally:
        procs.stop(name)


def run(config: BenchConfig) -> list[Figure]:
    """Drain the same topic with baseline B, baseline A, then the monitor."""
    count = config.size(30_000, 8_000, 1_500)
    with fresh_broker(config.logs, NAME) as bootstrap, processes(bootstrap, config.logs) as procs:
        total = asyncio.run(prefill(bootstrap, as_records(contact_events(count))))
        base = ["-m", "bench.faust_baselines"]
        decode = _drain(
            procs, bootstrap, "baseline-decode", [*base, "decode"], GROUPS["decode"], total
        )
        table = _drain(procs, bootstrap, "baseline-table", [*base, "table"], GROUPS["table"], total)
        monitor = _drain(
            procs,
            bootstrap,
            "sla-monitor",
            ["-m", "ct_cli.main", "sla-monitor"],
            MONITOR_GROUP,
            total,
            config.seconds(120, 60, 30),
        )
    note = f"{total} events, rate from the first commit to both stages drained"
    if monitor.downstream_lag:
        note = (
            f"{total} events; stage 2 still {monitor.downstream_lag} outcomes behind when "
            "the wait ended: the rate is an upper bound"
        )
    return [
        Figure(
            NAME,
            "events/s vs A",
            monitor.events_per_s,
            "ev/s",
            "A: faust Table/event",
            table.events_per_s,
            ">= 3x A",
            at_least(monitor.events_per_s, 3 * table.events_per_s),
            note,
        ),
        Figure(
            NAME,
            "events/s vs B",
            monitor.events_per_s,
            "ev/s",
            "B: faust decode only",
            decode.events_per_s,
            ">= 0.8x B",
            at_least(monitor.events_per_s, 0.8 * decode.events_per_s),
            note,
        ),
        Figure(
            NAME,
            "CPU per event vs A",
            monitor.cpu_us_per_event,
            "us",
            "A: faust Table/event",
            table.cpu_us_per_event,
            note="worker process CPU (user+system) over the same span",
        ),
        Figure(
            NAME,
            "CPU per event vs B",
            monitor.cpu_us_per_event,
            "us",
            "B: faust decode only",
            decode.cpu_us_per_event,
        ),
    ]

"""Benchmark 6: memory. RSS of the sla_monitor and the aggregator once they hold 100k open
contacts (calls queued, never answered) across 1k queues, against their own RSS idle on an
empty broker just before."""

from __future__ import annotations

import asyncio
import time

from ct_broker.embedded import free_port
from ct_broker.topics import CALL_OUTCOMES, CONTACT_EVENTS

from .config import BenchConfig
from .drain import watch_drain
from .kafka_tools import GroupProgress, prefill, total_end
from .procstat import rss_bytes
from .report import Figure, at_most
from .services import PARTITIONS, fresh_broker, processes, wait_service
from .sla_live import MONITOR_GROUP
from .traffic import as_records, open_calls

NAME = "memory"
MB = 1024 * 1024


async def _stage2_lag(bootstrap: str) -> int:
    async with GroupProgress(bootstrap, MONITOR_GROUP) as progress:
        done = await progress.committed(CALL_OUTCOMES, PARTITIONS)
    return await total_end(bootstrap, CALL_OUTCOMES) - done


def run(config: BenchConfig) -> list[Figure]:
    """Idle RSS, then fill, drain, settle, and RSS again."""
    contacts = config.size(100_000, 20_000, 2_000)
    queues = config.size(1_000, 200, 50)
    with fresh_broker(config.logs, NAME) as bootstrap, processes(bootstrap, config.logs) as procs:
        port = free_port()
        monitor = procs.service("sla-monitor", "memory-sla-monitor")
        aggregator = procs.service("aggregator", "memory-aggregator", CT_AGGREGATOR_PORT=str(port))
        wait_service(procs, "memory-aggregator", f"http://127.0.0.1:{port}/readyz")
        time.sleep(config.seconds(10, 8, 6))  # the monitor joins its group
        idle = rss_bytes(monitor), rss_bytes(aggregator)
        total = asyncio.run(prefill(bootstrap, as_records(open_calls(contacts, queues))))
        asyncio.run(
            watch_drain(
                bootstrap,
                MONITOR_GROUP,
                CONTACT_EVENTS,
                total,
                monitor,
                timeout_s=900,
                downstream=CALL_OUTCOMES,
            )
        )
        time.sleep(config.seconds(10, 5, 3))  # the aggregator reads the last snapshots
        full = rss_bytes(monitor), rss_bytes(aggregator)
    note = f"{contacts} open calls over {queues} queues"
    return [
        Figure(
            NAME,
            "sla_monitor RSS",
            full[0] / MB,
            "MB",
            "idle sla_monitor",
            idle[0] / MB,
            "<= 500 MB",
            at_most(full[0] / MB, 500),
            note,
        ),
        Figure(
            NAME,
            "aggregator RSS",
            full[1] / MB,
            "MB",
            "idle aggregator",
            idle[1] / MB,
            "<= 500 MB",
            at_most(full[1] / MB, 500),
            note,
        ),
    ]

"""The whole pipeline as child processes for a benchmark: ingest, sla_monitor and
aggregator on a fresh broker, each on free ports, with their pids for /proc sampling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ct_broker.embedded import free_port

from .config import BenchConfig
from .services import Processes, fresh_broker, processes, wait_service


@dataclass(frozen=True, slots=True)
class RunningPipeline:
    """Where the services answer, and the child processes behind them."""

    bootstrap: str
    ingest_url: str
    api_url: str
    procs: Processes


@contextmanager
def pipeline(config: BenchConfig, name: str, **env: str) -> Iterator[RunningPipeline]:
    """Broker, ingest, sla_monitor and aggregator, stopped on the way out."""
    with fresh_broker(config.logs, name) as bootstrap, processes(bootstrap, config.logs) as procs:
        ingest_port, api_port = free_port(), free_port()
        procs.service("ingest", CT_INGEST_PORT=str(ingest_port), **env)
        procs.service("sla-monitor", **env)
        procs.service("aggregator", CT_AGGREGATOR_PORT=str(api_port), **env)
        ingest_url, api_url = f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{api_port}"
        wait_service(procs, "ingest", f"{ingest_url}/readyz")
        wait_service(procs, "aggregator", f"{api_url}/readyz")
        yield RunningPipeline(bootstrap, ingest_url, api_url, procs)

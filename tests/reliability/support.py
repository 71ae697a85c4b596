"""Reusable pieces for fault-injection tests: the pipeline as separately controllable
processes behind a :class:`~tests.reliability.fault_link.FaultyLink`, waiting with a bound,
and figure comparison (``/v1/kpis`` rows and ``/metrics`` samples).

:class:`FaultyPipeline` starts the embedded broker advertising the link's port, creates the
topics, then ``ct ingest``, ``ct sla-monitor`` and ``ct aggregator`` as processes logging to
``logs``. Each can be killed (any signal), paused (SIGSTOP/SIGCONT) and started again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from prometheus_client.parser import text_string_to_metric_families

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics
from tests.reliability.fault_link import FaultyLink
from tests.running_pipeline import stop, wait_ready

__all__ = [
    "FaultyLink",
    "FaultyPipeline",
    "figure_families",
    "kpi_rows",
    "metric_samples",
    "read_topic",
    "rss_bytes",
    "wait_until",
]

T = TypeVar("T")
SERVICES = ("ingest", "sla-monitor", "aggregator")
#: the families that carry the pipeline's figures (not its own health or process data)
FIGURE_PREFIXES = ("sla_", "contact_")


class FaultyPipeline:
    """Broker behind a fault-injecting link, and the three services as processes."""

    def __init__(self, logs: Path, env: Mapping[str, str] | None = None, partitions: int = 4):
        self.logs = logs
        self.partitions = partitions
        self.ingest_port, self.api_port = free_port(), free_port()
        self.ingest_url = f"http://127.0.0.1:{self.ingest_port}"
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._extra_env = dict(env or {})
        self._stack = ExitStack()
        self.link: FaultyLink
        self.bootstrap = ""

    def __enter__(self) -> FaultyPipeline:
        try:
            link_port = free_port()
            broker = EmbeddedBroker(advertised_port=link_port, log_path=self.logs / "broker.log")
            self._stack.enter_context(broker)
            self.link = self._stack.enter_context(FaultyLink(broker.host, broker.port, link_port))
            self.bootstrap = f"127.0.0.1:{link_port}"
            asyncio.run(ensure_topics(self.bootstrap, pipeline_topics(self.partitions)))
            for name in SERVICES:
                self.start(name)
            self.wait_ready("ingest")
            self.wait_ready("aggregator")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs.values():  # a paused process ignores SIGTERM until resumed
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
        stop(self.procs)
        self._stack.close()

    @property
    def env(self) -> dict[str, str]:
        """The services' environment: this test's broker, ports and data directory."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("CT_", "KAFKA_"))}
        return inherited | {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "CT_INGEST_PORT": str(self.ingest_port),
            "CT_AGGREGATOR_PORT": str(self.api_port),
            "CT_MONITOR_DATA_DIR": str(self.logs / "monitor-data"),
            "CT_MONITOR_PARTITIONS": str(self.partitions),
            **self._extra_env,
        }

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """Start (or start again) one service; its output is appended to ``<name>.log``."""
        with open(self.logs / f"{name}.log", "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ct_cli.main", name],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.procs[name] = proc
        return proc

    def signal(self, name: str, sig: signal.Signals) -> None:
        """Send ``sig`` to one service (SIGKILL also waits for it to be gone)."""
        proc = self.procs[name]
        proc.send_signal(sig)
        if sig == signal.SIGKILL:
            proc.wait(timeout=10)

    def wait_ready(self, name: str, timeout_s: float = 60) -> float:
        """Wait until the service's /readyz answers 200; return the seconds it took."""
        started = time.monotonic()
        url = {"ingest": self.ingest_url, "aggregator": self.api_url}[name]
        wait_ready(f"{url}/readyz", self.procs[name], timeout_s)
        return time.monotonic() - started

    def alive(self) -> dict[str, bool]:
        """Which services are still running."""
        return {name: proc.poll() is None for name, proc in self.procs.items()}


def wait_until(
    probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float, every_s: float = 0.25
) -> T:
    """Call ``probe`` until ``done`` holds for its value; raise with the last value after
    ``timeout_s``. Probe errors (a service still starting) count as not done."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while True:
        try:
            last = probe()
            if done(last):
                return last  # type: ignore[no-any-return]
        except httpx.HTTPError as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(f"not reached within {timeout_s:g} s; last: {last!r}"[:2000])
        time.sleep(every_s)


def kpi_rows(api_url: str, **params: str) -> list[dict[str, Any]]:
    """``GET /v1/kpis`` rows, in the API's stable order."""
    response = httpx.get(f"{api_url}/v1/kpis", params=params, timeout=5)
    response.raise_for_status()
    return list(response.json()["kpis"])


def metric_samples(text: str, prefixes: tuple[str, ...] = FIGURE_PREFIXES) -> dict[str, float]:
    """Prometheus exposition text as ``{"name{label=value,...}": value}`` for the families
    whose name starts with one of ``prefixes``."""
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if not family.name.startswith(prefixes):
            continue
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def figure_families(api_url: str) -> dict[str, float]:
    """The figure samples of the aggregator's ``/metrics`` right now."""
    response = httpx.get(f"{api_url}/metrics", timeout=5)
    response.raise_for_status()
    return metric_samples(response.text)


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[str]:
    """Keys whose values differ (or that only one side has), for a readable assertion."""
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            yield f"{key}: {before.get(key)!r} != {after.get(key)!r}"


async def read_topic(
    bootstrap: str, topic: str, min_records: int = 0, idle_s: float = 2.0, timeout_s: float = 30
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the start (no consumer group): read until at least
    ``min_records`` came and nothing new arrived for ``idle_s``, or ``timeout_s``."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        loop = asyncio.get_running_loop()
        deadline, quiet_since = loop.time() + timeout_s, loop.time()
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for part in batch.values():
                records.extend(part)
            if batch:
                quiet_since = loop.time()
            elif len(records) >= min_records and loop.time() - quiet_since >= idle_s:
                break
    finally:
        await consumer.stop()
    return records


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmRSS for {pid}")

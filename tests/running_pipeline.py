"""The whole pipeline as real processes for tests: the embedded broker, then ingest,
sla_monitor and aggregator started with ``ct``, stopped (SIGTERM, then kill) afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics

SERVICES = ("ingest", "sla-monitor", "aggregator")


@dataclass(frozen=True)
class Pipeline:
    ingest_url: str
    api_url: str
    bootstrap: str
    logs: Path


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    """Poll ``url`` until it answers 200; fail at once if ``proc`` exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"process for {url} exited with {proc.returncode}"
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def stop(procs: Mapping[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process still running, then kill what lingers past 15 s."""
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def running_pipeline(
    logs: Path,
    extra_env: Mapping[str, str] | None = None,
    inherit_settings: bool = True,
    partitions: int = 4,
) -> Iterator[Pipeline]:
    """Broker and the three services on free ports; each service logs to ``logs``.

    ``inherit_settings=False`` drops the caller's own ``CT_*``/``KAFKA_*`` variables so
    only ``extra_env`` configures the services.
    """
    with EmbeddedBroker(log_path=logs / "broker.log") as broker:
        asyncio.run(ensure_topics(broker.bootstrap_servers, pipeline_topics(partitions)))
        ingest_port, api_port = free_port(), free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if inherit_settings or not k.startswith(("CT_", "KAFKA_"))
        }
        env |= {
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "CT_INGEST_PORT": str(ingest_port),
            "CT_AGGREGATOR_PORT": str(api_port),
            "CT_MONITOR_DATA_DIR": str(logs / "monitor-data"),
            "CT_MONITOR_PARTITIONS": str(partitions),
            **(extra_env or {}),
        }
        procs: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name in SERVICES:
                out = open(logs / f"{name}.log", "wb")  # noqa: SIM115
                procs[name] = subprocess.Popen(
                    [sys.executable, "-m", "ct_cli.main", name],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            ingest_url = f"http://127.0.0.1:{ingest_port}"
            api_url = f"http://127.0.0.1:{api_port}"
            wait_ready(f"{ingest_url}/readyz", procs["ingest"])
            wait_ready(f"{api_url}/readyz", procs["aggregator"])
            yield Pipeline(ingest_url, api_url, broker.bootstrap_servers, logs)
            for name, proc in procs.items():
                assert proc.poll() is None, f"{name} died during the test; see {logs}"
        finally:
            stop(procs)

"""The whole pipeline as real processes: broker, ingest, sla_monitor, aggregator."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics


@dataclass(frozen=True)
class Pipeline:
    ingest_url: str
    api_url: str
    bootstrap: str
    logs: Path


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
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


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    logs = tmp_path_factory.mktemp("pipeline")
    with EmbeddedBroker(log_path=logs / "broker.log") as broker:
        asyncio.run(ensure_topics(broker.bootstrap_servers, pipeline_topics(4)))
        ingest_port, api_port = free_port(), free_port()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "CT_INGEST_PORT": str(ingest_port),
            "CT_AGGREGATOR_PORT": str(api_port),
            "CT_MONITOR_DATA_DIR": str(logs / "monitor-data"),
        }
        procs: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name in ("ingest", "sla-monitor", "aggregator"):
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
            _wait_ready(f"{ingest_url}/readyz", procs["ingest"], 30)
            _wait_ready(f"{api_url}/readyz", procs["aggregator"], 30)
            yield Pipeline(ingest_url, api_url, broker.bootstrap_servers, logs)
            for name, proc in procs.items():
                assert proc.poll() is None, f"{name} died during the test; see {logs}"
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs.values():
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()

"""Processes a benchmark starts: a fresh embedded broker with the pipeline's topics, and the
services (``ct ingest``, ``ct sla-monitor``, ``ct aggregator``) or the baselines, each a
child process logging to the run's log folder."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ct_broker.embedded import EmbeddedBroker
from ct_broker.topics import ensure_topics, pipeline_topics
from tests.running_pipeline import stop, wait_ready

ROOT = Path(__file__).resolve().parent.parent
PARTITIONS = 4


@contextmanager
def fresh_broker(logs: Path, name: str) -> Iterator[str]:
    """A new in-memory broker with the pipeline's topics; yields its bootstrap address.

    Each benchmark gets its own: Tansu's memory store never frees what it was given.
    """
    logs.mkdir(parents=True, exist_ok=True)
    with EmbeddedBroker(log_path=logs / f"broker-{name}.log") as broker:
        asyncio.run(ensure_topics(broker.bootstrap_servers, pipeline_topics(PARTITIONS)))
        yield broker.bootstrap_servers


def base_env(bootstrap: str, logs: Path) -> dict[str, str]:
    """The environment of a child: ours without any CT_/KAFKA_ settings, plus the broker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT_", "KAFKA_"))}
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    env["CT_MONITOR_DATA_DIR"] = str(logs / "monitor-data")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@dataclass
class Processes:
    """The child processes of one benchmark; :meth:`stop_all` ends those still running."""

    logs: Path
    env: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: Mapping[str, str] | None = None) -> int:
        """Start ``argv`` (after the interpreter) as ``name``; return its pid."""
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(
            [sys.executable, *argv],
            env={**self.env, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
        out.close()
        return self.procs[name].pid

    def service(self, command: str, name: str | None = None, **env: str) -> int:
        """Start one ``ct`` service (``ingest``, ``sla-monitor``, ``aggregator``)."""
        return self.start(name or command, ["-m", "ct_cli.main", command], env)

    def kill(self, name: str) -> None:
        """SIGKILL ``name`` and reap it (a crash, for the recovery benchmark)."""
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait(timeout=10)

    def stop(self, name: str) -> None:
        """SIGTERM ``name``, kill it if it lingers."""
        stop({name: self.procs.pop(name)})

    def alive(self, name: str) -> bool:
        return name in self.procs and self.procs[name].poll() is None

    def stop_all(self) -> None:
        stop(self.procs)
        self.procs.clear()


@contextmanager
def processes(bootstrap: str, logs: Path) -> Iterator[Processes]:
    """A :class:`Processes` on ``bootstrap`` whose children are stopped on the way out."""
    procs = Processes(logs, base_env(bootstrap, logs))
    try:
        yield procs
    finally:
        procs.stop_all()


def wait_service(procs: Processes, name: str, url: str, timeout_s: float = 60) -> None:
    """Wait for ``url`` to answer 200 while ``name`` runs."""
    wait_ready(url, procs.procs[name], timeout_s=timeout_s)

"""The services as real processes, each with its own environment (as a compose file gives
each container its own), on any broker: the embedded one or a Kafka container. Started with
``ct``; stopped with SIGTERM, then kill (``tests.running_pipeline.stop``)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.running_pipeline import stop

#: Variables of the test runner a service process may inherit (no CT_* or KAFKA_*).
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` plus only the runner's basic variables: the caller's settings do not leak."""
    base = {k: v for k, v in os.environ.items() if k in _PASSED_THROUGH}
    return base | dict(env)


@contextmanager
def running_services(
    services: Sequence[tuple[str, str, Mapping[str, str]]], logs: Path
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """Start each ``(name, ct subcommand, env)``; stop them all afterwards.

    Every process logs to ``logs/<name>.log``. On the way out, a process that died during
    the run fails the test.
    """
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command, env in services:
            out = open(logs / f"{name}.log", "wb")  # noqa: SIM115
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "ct_cli.main", command],
                env=clean_env(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        yield procs
        for name, proc in procs.items():
            assert proc.poll() is None, f"{name} died during the test; see {logs}"
    finally:
        stop(procs)


def group_members(bootstrap: str, group_id: str) -> int:
    """How many members a consumer group has, when Stable (0 otherwise)."""
    from aiokafka.admin import AIOKafkaAdminClient

    async def describe() -> dict[str, Any]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        await admin.start()
        try:
            responses = await admin.describe_consumer_groups([group_id])
        finally:
            await admin.close()
        group: dict[str, Any] = responses[0].to_object()["groups"][0]
        return group

    group = asyncio.run(describe())
    return len(group["members"]) if group["state"] == "Stable" else 0


def await_members(bootstrap: str, group_id: str, count: int, timeout_s: float = 90) -> None:
    """Wait until the group is Stable with ``count`` members."""
    deadline = time.monotonic() + timeout_s
    seen = 0
    while time.monotonic() < deadline:
        seen = group_members(bootstrap, group_id)
        if seen == count:
            return
        time.sleep(0.5)
    raise TimeoutError(f"group {group_id}: {seen} members, wanted {count}")


def post_all(ingest_url: str, events: Sequence[dict[str, Any]], api_key: str | None) -> None:
    """POST every event to ingest, one by one; each must be accepted (202)."""
    headers = {"X-Api-Key": api_key} if api_key else {}
    with httpx.Client(base_url=ingest_url, timeout=10, headers=headers) as client:
        for body in events:
            response = client.post("/v1/events", json=body)
            assert response.status_code == 202, response.text

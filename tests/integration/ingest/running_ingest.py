"""Ingest as a real process (``python -m ct_ingest``, uvicorn), for tests that look at the
process from outside: its memory in /proc, and its log."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from ct_broker.embedded import free_port


@dataclass(frozen=True)
class IngestProcess:
    host: str
    port: int
    pid: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def status(self, field: str) -> int:
        """A ``kB`` field of /proc/<pid>/status (VmRSS, VmHWM), in bytes."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
        raise KeyError(field)

    def reset_peak_memory(self) -> None:
        """Start VmHWM afresh from the current RSS (Linux: ``5`` into clear_refs)."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")


@contextmanager
def running_ingest(bootstrap: str, log: Path, settings: dict[str, Any]) -> Iterator[IngestProcess]:
    """Start ingest with ``settings`` (as CT_INGEST_* variables) and wait until it is ready."""
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CT_INGEST_", "KAFKA_"))
    }
    env |= {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_REQUEST_TIMEOUT_S": "2",
        "CT_INGEST_PORT": str(port),
    }
    for name, value in settings.items():
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
        env[f"CT_INGEST_{name.upper()}"] = text
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ct_ingest"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_ready(f"http://127.0.0.1:{port}/readyz", proc)
        yield IngestProcess("127.0.0.1", port, proc.pid, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ingest exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


async def raw_post(
    ingest: IngestProcess, headers: Sequence[tuple[str, str]], body: Iterator[bytes]
) -> tuple[int, bytes]:
    """POST over a plain socket, sending ``body`` until the answer comes (the server may stop
    reading and close early); return the status and the response body."""
    reader, writer = await asyncio.open_connection(ingest.host, ingest.port)
    head = (
        "POST /v1/events HTTP/1.1\r\n"
        + f"Host: {ingest.host}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers)
        + "\r\n"
    )

    async def send() -> None:
        try:
            writer.write(head.encode())
            for chunk in body:
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass  # the server answered and closed: the rest is never read

    sender = asyncio.create_task(send())
    try:
        async with asyncio.timeout(20):
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            response = await reader.readexactly(length)
    finally:
        sender.cancel()
        writer.close()
    return int(status_line.split()[1]), response

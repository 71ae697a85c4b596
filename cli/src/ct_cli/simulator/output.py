"""Where simulated events go: a JSON-lines file, or ingest's batch endpoint at a speed.

Live posting keeps the event times' rhythm: at speed 1 an event is posted when the wall
clock reaches its time (counted from the run's start), at speed 60 sixty times sooner,
and without a speed as fast as ingest takes them. Batches go to ``POST /v1/events:batch``;
a 503 or 429 is retried after its Retry-After (event ids make that safe), items reported
``unavailable`` are sent again.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from ct_cli.simulator.contacts import Event

BATCH_PATH = "/v1/events:batch"
MAX_ATTEMPTS = 10
CONCURRENT_BATCHES = 4


def write_jsonl(
    events: Iterable[Event], path: Path, on_progress: Callable[[int], None] | None = None
) -> int:
    """Write one canonical JSON event per line; return how many were written.
    ``on_progress(n)`` is told every few thousand events how many more were written."""
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    written = 0
    chunk: list[bytes] = []
    with path.open("wb") as handle:
        for event in events:
            chunk.append(dumps(event, option=newline))
            if len(chunk) == 8192:
                handle.write(b"".join(chunk))
                written += len(chunk)
                if on_progress is not None:
                    on_progress(len(chunk))
                chunk.clear()
        handle.write(b"".join(chunk))
        written += len(chunk)
        if on_progress is not None:
            on_progress(len(chunk))
    return written


@dataclass(slots=True)
class PostReport:
    """What ingest said about the posted events."""

    accepted: int = 0
    invalid: int = 0
    duplicate_in_batch: int = 0
    failed: int = 0  # refused as a whole (401, 403, 413, 422...) or never acknowledged
    problems: list[str] = field(default_factory=list)


class _BatchPoster:
    """Sends batches with at most ``limit`` in flight, retrying what ingest could not take."""

    def __init__(
        self, client: httpx.AsyncClient, limit: int, on_sent: Callable[[int], None] | None
    ) -> None:
        self.report = PostReport()
        self._client = client
        self._slots = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task[None]] = set()
        self._on_sent = on_sent

    async def send(self, batch: list[Event]) -> None:
        await self._slots.acquire()
        task = asyncio.create_task(self._post(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def _post(self, batch: list[Event]) -> None:
        try:
            await self._post_with_retries(batch)
            if self._on_sent is not None:
                self._on_sent(len(batch))
        finally:
            self._slots.release()

    async def _post_with_retries(self, batch: list[Event]) -> None:
        report = self.report
        for _ in range(MAX_ATTEMPTS):
            try:
                response = await self._client.post(
                    BATCH_PATH,
                    content=orjson.dumps({"events": batch}),
                    headers={"Content-Type": "application/json"},
                )
            except httpx.HTTPError as exc:
                self._problem(f"ingest unreachable ({type(exc).__name__}); retrying")
                await asyncio.sleep(1.0)
                continue
            if response.status_code in (200, 503) and "results" in (body := _json(response)):
                report.accepted += body.get("accepted", 0)
                report.invalid += body.get("invalid", 0)
                report.duplicate_in_batch += body.get("duplicate_in_batch", 0)
                batch = [
                    batch[item["index"]]
                    for item in body["results"]
                    if item.get("status") == "unavailable"
                ]
                if not batch:
                    return
            elif response.status_code not in (429, 503):
                self._problem(f"ingest refused a batch: HTTP {response.status_code}")
                report.failed += len(batch)
                return
            await asyncio.sleep(float(response.headers.get("Retry-After", "1") or 1))
        report.failed += len(batch)
        self._problem("ingest did not acknowledge some events after retries")

    def _problem(self, text: str) -> None:
        if text not in self.report.problems:
            self.report.problems.append(text)
            print(f"ct simulate: {text}", file=sys.stderr, flush=True)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def event_seconds(event: Event) -> float:
    """An event's time in seconds since the epoch."""
    return datetime.fromisoformat(event["occurred_at"]).timestamp()


async def post_events(
    events: Iterable[Event],
    ingest_url: str,
    start_s: float,
    speed: float | None,
    api_key: str | None = None,
    batch_size: int = 500,
    on_sent: Callable[[int], None] | None = None,
) -> PostReport:
    """Post ``events`` (in time order) to ingest in batches: at ``speed`` times real time
    counted from ``start_s`` (the run's start), or as fast as possible when ``speed`` is
    None."""
    headers = {"X-Api-Key": api_key} if api_key else None
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with httpx.AsyncClient(base_url=ingest_url, timeout=30.0, headers=headers) as client:
        poster = _BatchPoster(client, CONCURRENT_BATCHES if speed is None else 1, on_sent)
        batch: list[Event] = []
        for event in events:
            if speed is not None:
                due = began + (event_seconds(event) - start_s) / speed
                if due > loop.time():
                    if batch:
                        await poster.send(batch)
                        batch = []
                    await asyncio.sleep(max(0.0, due - loop.time()))
            batch.append(event)
            if len(batch) >= batch_size:
                await poster.send(batch)
                batch = []
        if batch:
            await poster.send(batch)
        await poster.drain()
    return poster.report

"""A paced HTTP load in a process of its own (so the test's fault-injecting link, a thread
of the test process, does not compete with it for the interpreter lock).

``python -m tests.reliability.load_poster URL EVENTS.jsonl RATE SECONDS OUT.jsonl`` posts
one event per ``POST /v1/events``, request *n* at start + n / RATE, for SECONDS, and writes
one line per answer: ``[index, sent, answered, status, retry_after]`` with
``time.monotonic()`` times (the same clock in every process on Linux).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import aiohttp
import orjson

WORKERS = 96


async def post_at_rate(url: str, bodies: list[bytes], rate: float, seconds: float) -> list[list]:
    """Post ``bodies`` in order at ``rate`` a second for ``seconds``; return the answers."""
    start = time.monotonic()
    slots = iter(range(min(len(bodies), int(rate * seconds))))
    answers: list[list] = []
    timeout = aiohttp.ClientTimeout(total=30)
    headers = {"content-type": "application/json"}
    connector = aiohttp.TCPConnector(limit=WORKERS)
    async with aiohttp.ClientSession(url, timeout=timeout, connector=connector) as session:

        async def worker() -> None:
            for n in slots:
                await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
                sent = time.monotonic()
                try:
                    async with session.post("/v1/events", data=bodies[n], headers=headers) as r:
                        await r.read()
                        status, retry = r.status, r.headers.get("retry-after")
                except (aiohttp.ClientError, TimeoutError):
                    status, retry = 0, None
                answers.append([n, sent, time.monotonic(), status, retry])

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return answers


def main(argv: list[str]) -> None:
    url, events_path, rate, seconds, out = argv
    bodies = Path(events_path).read_bytes().splitlines()
    answers = asyncio.run(post_at_rate(url, bodies, float(rate), float(seconds)))
    Path(out).write_bytes(b"\n".join(orjson.dumps(a) for a in answers))


if __name__ == "__main__":
    main(sys.argv[1:])

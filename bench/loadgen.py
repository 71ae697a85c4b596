"""An open-loop HTTP load generator, run as its own process on loopback.

``python -m bench.loadgen --port P --bodies FILE --rate 500 --seconds 10`` posts the JSON
bodies of FILE (one a line, used in turn) to ``/v1/events`` over keep-alive connections at
a fixed offered rate. Each request has its scheduled time; its latency runs from that time
to the end of the response, so a server that falls behind is charged for the queue it
causes (no coordinated omission). ``--rate 0`` is saturation: every connection sends its
next request as soon as the last one is answered. Prints one JSON object: sent, answered
by status, failures, achieved requests/s and latency percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from itertools import count, cycle
from pathlib import Path
from typing import Any

import orjson


def command(
    port: int | str,
    bodies: Path,
    rate: float,
    seconds: float,
    path: str = "/v1/events",
    connections: int = 32,
    renumber: str | None = None,
) -> list[str]:
    """The command line that runs this generator as its own process."""
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--port",
        str(port),
        "--path",
        path,
        "--bodies",
        str(bodies),
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
        "--connections",
        str(connections),
    ]
    return argv + (["--renumber", renumber] if renumber else [])


def request_bytes(path: str, body: bytes) -> bytes:
    """One HTTP/1.1 keep-alive POST of a JSON body."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length framed); return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), math.ceil(q * len(sorted_values))))
    return sorted_values[rank - 1]


def passes(path: str, bodies: list[bytes], renumber: bytes | None) -> Iterator[bytes]:
    """The requests, over and over. With ``renumber``, each pass after the first rewrites
    that id prefix (``sim7-`` becomes ``sim7r2-`` on the second pass), so every contact is
    new and a long run keeps adding state, as real traffic does; and moves every event's
    ``occurred_at`` on by whole weeks past the previous pass (the same weekdays and hours;
    see :func:`pass_shift`), so event time keeps going forward as it does live, and
    retention drops the previous passes.
    Replayed with their old times, a second pass would all be days late."""
    requests = [request_bytes(path, body) for body in bodies]
    if renumber is None:
        yield from cycle(requests)
        return
    yield from requests
    step = pass_shift(bodies)
    for n in count(2):
        marked = renumber[:-1] + b"r%d" % n + renumber[-1:]
        for body in bodies:
            moved = shifted(body.replace(renumber, marked), step * (n - 1))
            yield request_bytes(path, moved)


def _times(body: Any) -> Iterator[dict[str, Any]]:
    events = body.get("events", [body]) if isinstance(body, dict) else body
    yield from (e for e in events if isinstance(e, dict) and "occurred_at" in e)


#: a pass moves event time on by at least this much: past the 31 days the sla_monitor
#: keeps month-to-date demand facts, so every retention rule has dropped the previous
#: pass by the end of the next, and a soak's memory can level off
MIN_PASS_SHIFT = timedelta(weeks=5)


def pass_shift(bodies: list[bytes]) -> timedelta:
    """Whole weeks longer than the bodies' span of event time, and at least
    :data:`MIN_PASS_SHIFT`."""
    instants = [
        datetime.fromisoformat(e["occurred_at"]) for b in bodies for e in _times(orjson.loads(b))
    ]
    span = max(instants) - min(instants) if instants else timedelta(0)
    return max(MIN_PASS_SHIFT, timedelta(weeks=span // timedelta(weeks=1) + 1))


def shifted(body: bytes, by: timedelta) -> bytes:
    """The body (an event, a list of them or ``{"events": [...]}``) with every
    ``occurred_at`` moved on by ``by``."""
    value = orjson.loads(body)
    for event in _times(value):
        event["occurred_at"] = (datetime.fromisoformat(event["occurred_at"]) + by).isoformat()
    return orjson.dumps(value)


class Load:
    """The run's shared state: the requests to send, and what came back."""

    def __init__(self, requests: Iterator[bytes], seconds: float) -> None:
        self.requests = requests
        self.seconds = seconds
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()
        self.sent = 0

    async def connection(self, port: int, slots: AsyncIterator[float]) -> None:
        """One keep-alive connection: send a request for each scheduled time it takes."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            async for scheduled in slots:
                self.sent += 1
                writer.write(next(self.requests))
                try:
                    status = await read_response(reader)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    self.failures[type(exc).__name__] += 1
                    return
                self.statuses[status] += 1
                self.latencies.append(time.perf_counter() - scheduled)
        finally:
            writer.close()


async def open_loop(queue: asyncio.Queue[float], rate: float, until: float) -> None:
    """Put the scheduled time of each request on ``queue``, ``rate`` a second."""
    start = time.perf_counter()
    n = 0
    while True:
        scheduled = start + n / rate
        if scheduled >= until:
            return
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(scheduled)
        n += 1


async def from_queue(queue: asyncio.Queue[float], until: float) -> AsyncIterator[float]:
    """Scheduled times from ``queue`` until the run's end and the queue is empty."""
    while time.perf_counter() < until or not queue.empty():
        try:
            yield await asyncio.wait_for(queue.get(), timeout=0.05)
        except TimeoutError:
            continue


async def back_to_back(until: float) -> AsyncIterator[float]:
    """Saturation: the next request as soon as the last is answered, until the end."""
    while (now := time.perf_counter()) < until:
        yield now


async def run(args: argparse.Namespace) -> dict[str, Any]:
    bodies = [line for line in Path(args.bodies).read_bytes().splitlines() if line.strip()]
    renumber = args.renumber.encode() if args.renumber else None
    load = Load(passes(args.path, bodies, renumber), args.seconds)
    started = time.perf_counter()
    until = started + args.seconds
    tasks: list[asyncio.Task[None]] = []
    if args.rate > 0:
        queue: asyncio.Queue[float] = asyncio.Queue()
        tasks.append(asyncio.create_task(open_loop(queue, args.rate, until)))
        slots = [from_queue(queue, until) for _ in range(args.connections)]
    else:
        slots = [back_to_back(until) for _ in range(args.connections)]
    tasks += [asyncio.create_task(load.connection(args.port, s)) for s in slots]
    # the run is bounded: what is still unanswered 10 s after the end counts as failed
    done, pending = await asyncio.wait(tasks, timeout=args.seconds + 10)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            load.failures[type(task.exception()).__name__] += 1
    elapsed = time.perf_counter() - started
    latencies = sorted(load.latencies)
    answered = len(latencies)
    return {
        "offered_rate": args.rate,
        "seconds": round(elapsed, 3),
        "sent": load.sent,
        "answered": answered,
        "unanswered": load.sent - answered,
        "statuses": {str(k): v for k, v in load.statuses.items()},
        "failures": dict(load.failures),
        "achieved_per_s": sum(v for k, v in load.statuses.items() if k < 300) / elapsed,
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "max_ms": _ms(latencies[-1] if latencies else None),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadgen",
        description=__doc__.split("\n\n")[0] + " Prints the figures as one JSON object.",
    )
    parser.add_argument("--port", type=int, required=True, help="server port on 127.0.0.1")
    parser.add_argument("--path", default="/v1/events", help="route to POST to")
    parser.add_argument("--bodies", type=Path, required=True, help="JSON bodies, one a line")
    parser.add_argument("--rate", type=float, default=0, help="requests/s; 0: saturation")
    parser.add_argument("--seconds", type=float, default=10, help="how long to offer load")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections")
    parser.add_argument(
        "--renumber",
        help="an id prefix such as 'sim7-' to rewrite on every pass after the first, so "
        "long runs keep posting new contacts",
    )
    args = parser.parse_args()
    json.dump(asyncio.run(run(args)), sys.stdout)
    print()


if __name__ == "__main__":
    main()

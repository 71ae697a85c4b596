"""Timing a worker that drains a pre-filled topic, from its consumer group's commits."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from .kafka_tools import GroupProgress, total_end
from .procstat import cpu_seconds, rss_bytes
from .services import PARTITIONS


@dataclass(frozen=True, slots=True)
class Drain:
    """How a worker drained ``events`` records: the rate between the first commit seen and
    the drained state, and CPU time per event over the same span."""

    events: int
    events_per_s: float
    cpu_us_per_event: float
    seconds_to_first_commit: float
    #: records of ``downstream`` still unconsumed when waiting for it gave up (0: drained);
    #: then ``events_per_s`` is an upper bound
    downstream_lag: int = 0


async def watch_drain(
    bootstrap: str,
    group: str,
    topic: str,
    total: int,
    pid: int,
    timeout_s: float,
    downstream: str | None = None,
    downstream_timeout_s: float = 120,
) -> Drain:
    """Poll ``group``'s committed offsets on ``topic`` (every 50 ms) until it has consumed
    all ``total`` records, and, with ``downstream``, also every record written there by then
    (the monitor's second stage). Raises TimeoutError past ``timeout_s``."""
    started = time.monotonic()
    deadline = started + timeout_s
    first: tuple[float, int, float] | None = None  # (time, committed, cpu)
    async with GroupProgress(bootstrap, group) as progress:
        while True:
            if time.monotonic() > deadline or not rss_bytes(pid):
                raise TimeoutError(f"{group} did not drain {topic} (see its log)")
            committed = await progress.committed(topic, PARTITIONS)
            now = time.monotonic()
            if first is None and committed > 0:
                first = (now, committed, cpu_seconds(pid))
            if committed >= total:
                break
            await asyncio.sleep(0.05)
        lag = 0
        if downstream is not None:
            target = await total_end(bootstrap, downstream)
            give_up = time.monotonic() + downstream_timeout_s
            while (lag := target - await progress.committed(downstream, PARTITIONS)) > 0:
                if not rss_bytes(pid):
                    raise TimeoutError(f"{group} died before draining {downstream}")
                if time.monotonic() > give_up:
                    break
                await asyncio.sleep(0.05)
        done, cpu_done = time.monotonic(), cpu_seconds(pid)
    assert first is not None
    t0, c0, cpu0 = first
    span_events = total - c0
    if span_events <= 0 or done <= t0:
        # everything arrived in one commit: the span is unknown, time from start instead
        t0, span_events, cpu0 = started, total, 0.0
    return Drain(
        events=total,
        events_per_s=span_events / (done - t0),
        cpu_us_per_event=(cpu_done - cpu0) / span_events * 1e6,
        seconds_to_first_commit=t0 - started,
        downstream_lag=max(0, lag),
    )

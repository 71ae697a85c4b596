"""Benchmark 3: ingest. Single-event POSTs at fixed offered loads (250, 500, 1,000 req/s)
and at saturation, against a minimal FastAPI endpoint doing only ``send_and_wait`` under
the same uvicorn settings; batches of 100 (events/s) against raw aiokafka ``send_batch``.
The load comes from ``bench.loadgen`` in its own process, over loopback."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from ct_broker.embedded import free_port
from ct_broker.settings import KafkaSettings
from ct_broker.topics import CONTACT_EVENTS

from .config import BenchConfig
from .loadgen import command
from .procstat import cpu_seconds
from .report import Figure, at_least, at_most
from .services import PARTITIONS, ROOT, Processes, fresh_broker, processes, wait_service
from .traffic import contact_events, write_batches

NAME = "ingest"
LOADS = (250.0, 500.0, 1000.0, 0.0)  # 0: saturation
BATCH = 100


def loadgen(
    port: int,
    bodies: Path,
    rate: float,
    seconds: float,
    path: str = "/v1/events",
    connections: int = 32,
) -> dict[str, Any]:
    """Run the load generator process once; its JSON figures."""
    argv = command(port, bodies, rate, seconds, path, connections)
    done = subprocess.run(argv, capture_output=True, timeout=seconds + 60, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _server(procs: Processes, kind: str, port: int) -> int:
    if kind == "ingest":
        pid = procs.service("ingest", CT_INGEST_PORT=str(port))
    else:
        pid = procs.start("minimal", ["-m", "bench.minimal_ingest", "--port", str(port)])
    wait_service(procs, kind if kind == "ingest" else "minimal", f"http://127.0.0.1:{port}/readyz")
    return pid


def single_posts(procs: Processes, kind: str, bodies: Path, seconds: float) -> dict[float, Any]:
    """Every load against one server; per load the loadgen figures plus server CPU/request."""
    port = free_port()
    pid = _server(procs, kind, port)
    loadgen(port, bodies, 100, min(2.0, seconds))  # warm up connections and code paths
    results: dict[float, Any] = {}
    for rate in LOADS:
        cpu0 = cpu_seconds(pid)
        figures = loadgen(port, bodies, rate, seconds)
        answered = max(1, figures["answered"])
        figures["server_cpu_us_per_request"] = (cpu_seconds(pid) - cpu0) / answered * 1e6
        results[rate] = figures
    procs.stop("ingest" if kind == "ingest" else "minimal")
    return results


async def raw_send_batch(bootstrap: str, events: list[bytes], seconds: float) -> float:
    """Events/s of raw aiokafka ``send_batch``: batches of 100, 4 in flight, acks=all."""
    producer = AIOKafkaProducer(
        **KafkaSettings(kafka_bootstrap_servers=bootstrap).producer_config()
    )
    await producer.start()
    sent = 0
    try:
        until = time.perf_counter() + seconds
        started = time.perf_counter()
        n = 0
        while time.perf_counter() < until:
            futures = []
            for _ in range(4):
                batch = producer.create_batch()
                for i in range(BATCH):
                    value = events[(n + i) % len(events)]
                    batch.append(key=None, value=value, timestamp=None)
                n += BATCH
                futures.append(
                    await producer.send_batch(batch, CONTACT_EVENTS, partition=n % PARTITIONS)
                )
            await asyncio.gather(*futures)
            sent += BATCH * len(futures)
        return sent / (time.perf_counter() - started)
    finally:
        await producer.stop()


def run(config: BenchConfig) -> list[Figure]:
    """Single posts against ingest and the minimal endpoint, then batches."""
    seconds = config.seconds(10, 4, 1)
    events = contact_events(config.size(5_000, 2_000, 500))
    lines = [orjson.dumps(e) for e in events]
    bodies = config.logs / "ingest-bodies.jsonl"
    batches = config.logs / "ingest-batches.jsonl"
    config.logs.mkdir(parents=True, exist_ok=True)
    bodies.write_bytes(b"\n".join(lines) + b"\n")
    write_batches(batches, events, BATCH)
    with fresh_broker(config.logs, NAME) as bootstrap, processes(bootstrap, config.logs) as procs:
        ours = single_posts(procs, "ingest", bodies, seconds)
        minimal = single_posts(procs, "minimal", bodies, seconds)
        port = free_port()
        _server(procs, "ingest", port)
        batch = loadgen(port, batches, 0, seconds, path="/v1/events:batch", connections=4)
        procs.stop("ingest")
        raw_batch = asyncio.run(raw_send_batch(bootstrap, lines, seconds))
    (config.logs / "ingest-loadgen.json").write_text(
        json.dumps({"ingest": ours, "minimal": minimal, "batch": batch}, indent=2)
    )
    return _figures(ours, minimal, batch["achieved_per_s"] * BATCH, raw_batch)


def _figures(
    ours: dict[float, Any], minimal: dict[float, Any], batch_eps: float, raw_batch: float
) -> list[Figure]:
    base = "minimal FastAPI send_and_wait"
    figures = [
        Figure(
            NAME,
            "single POST saturation",
            ours[0]["achieved_per_s"],
            "req/s",
            base,
            minimal[0]["achieved_per_s"],
            ">= 0.8x minimal",
            at_least(ours[0]["achieved_per_s"], 0.8 * minimal[0]["achieved_per_s"]),
        ),
        Figure(NAME, "p99 at saturation", ours[0]["p99_ms"], "ms", base, minimal[0]["p99_ms"]),
    ]
    for rate in LOADS[:-1]:
        label = f"{rate:.0f} req/s"
        figures += [
            Figure(
                NAME,
                f"achieved at {label}",
                ours[rate]["achieved_per_s"],
                "req/s",
                base,
                minimal[rate]["achieved_per_s"],
            ),
            Figure(
                NAME, f"p50 at {label}", ours[rate]["p50_ms"], "ms", base, minimal[rate]["p50_ms"]
            ),
            Figure(
                NAME,
                f"p99 at {label}",
                ours[rate]["p99_ms"],
                "ms",
                base,
                minimal[rate]["p99_ms"],
                "<= 50 ms" if rate == 1000 else "",
                at_most(ours[rate]["p99_ms"], 50) if rate == 1000 else None,
                _failures(ours[rate]),
            ),
        ]
    figures += [
        Figure(
            NAME,
            "server CPU per request (sat.)",
            ours[0]["server_cpu_us_per_request"],
            "us",
            base,
            minimal[0]["server_cpu_us_per_request"],
        ),
        Figure(
            NAME,
            "batch of 100",
            batch_eps,
            "ev/s",
            "raw aiokafka send_batch",
            raw_batch,
            ">= 100k ev/s",
            at_least(batch_eps, 100_000),
        ),
    ]
    return figures


def _failures(figures: dict[str, Any]) -> str:
    bad = {k: v for k, v in figures["statuses"].items() if not k.startswith("2")}
    if bad or figures["failures"] or figures["unanswered"]:
        return f"non-2xx {bad}, failures {figures['failures']}, unanswered {figures['unanswered']}"
    return ""

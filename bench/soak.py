"""``make soak`` (``python -m bench.soak``): the pipeline under steady load for a long
time, with RSS and open files of ingest, sla_monitor and aggregator sampled throughout.

Issue 7: 30 minutes at 500 events/s, RSS flat. The load generator posts batches of 10
new contacts' events: on every pass over the generated events the ids are renumbered and
event time moves on by five weeks or more, so the scopes' clocks go forward as they do live
and every retention rule (the longest keeps 31 days of demand facts) drops the previous
passes: after the first two passes, memory should level off. Not part of ``make bench``
or CI: ``--minutes 2`` tries it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .config import BenchConfig
from .kafka_tools import live_keys
from .loadgen import command
from .pipeline import pipeline
from .procstat import Sample, Sampler
from .report import Figure, at_most, print_table, write_results
from .services import ROOT
from .traffic import contact_events, write_batches

NAME = "soak"
#: the sla_monitor's tables whose size the soak reports (read from their changelogs)
TABLES = ("contacts", "scope-facts", "scope-meta", "scope-contact-alerts")
PER_REQUEST = 10
MB = 1024 * 1024
RESULTS = Path(__file__).resolve().parent / "results"


def growth(samples: list[Sample]) -> tuple[float, float]:
    """(RSS at the end of the warm-up, the first quarter; RSS at the end), in MB."""
    warm = samples[max(0, len(samples) // 4 - 1)]
    return warm.rss_bytes / MB, samples[-1].rss_bytes / MB


def changelog(table: str, app_id: str = "ct-sla-monitor") -> str:
    """faust's changelog topic of one of the monitor's tables."""
    return f"{app_id}-{table}-changelog"


def died_at(samples: list[Sample]) -> float | None:
    """Minutes from the first sample to the first with no RSS (the process was gone), or
    None if it lived to the end."""
    for sample in samples:
        if sample.rss_bytes == 0:
            return (sample.at - samples[0].at) / 60
    return None


def run(
    minutes: float, rate: float, logs: Path, interval_s: float
) -> tuple[list[Figure], dict[str, Any]]:
    """Soak the pipeline; one figure per service: RSS at the end vs after warm-up."""
    config = BenchConfig(logs=logs)
    seconds = minutes * 60
    events = contact_events(int(min(rate * seconds, 200_000)))
    bodies = logs / "soak-batches.jsonl"
    logs.mkdir(parents=True, exist_ok=True)
    write_batches(bodies, events, PER_REQUEST)
    with pipeline(config, NAME) as p:
        pids = {name: proc.pid for name, proc in p.procs.procs.items()}
        sampler = Sampler(pids, interval_s).start()
        port = p.ingest_url.rsplit(":", 1)[1]
        argv = command(port, bodies, rate / PER_REQUEST, seconds, "/v1/events:batch", 16, "sim7-")
        load = subprocess.run(argv, capture_output=True, timeout=seconds + 120, cwd=ROOT)
        sampler.stop()
        tables = {name: asyncio.run(live_keys(p.bootstrap, changelog(name))) for name in TABLES}
    figures = []
    for name, samples in sampler.samples.items():
        warm, end = growth(samples)
        files = f"open files {samples[0].open_files} -> {samples[-1].open_files}"
        died = died_at(samples)
        if died is not None:  # a process that is gone has no RSS: that is not "flat"
            peak = max(s.rss_bytes for s in samples) / MB
            files += f"; the process died {died:.1f} min in (peak RSS {peak:.0f} MB)"
        figures.append(
            Figure(
                NAME,
                f"{name} RSS at end",
                end,
                "MB",
                "RSS after warm-up (1/4)",
                warm,
                "<= 1.1x (flat)",
                died is None and at_most(end, 1.1 * warm),
                files,
            )
        )
    for name, (keys, size) in tables.items():
        print(f"table {name}: {keys:,} keys, {size / MB:.1f} MB at the end", file=sys.stderr)
    extra = {
        "tables": {name: {"keys": k, "bytes": b} for name, (k, b) in tables.items()},
        "loadgen": json.loads(load.stdout or b"{}"),
        "samples": {k: [asdict(s) for s in v] for k, v in sampler.samples.items()},
    }
    return figures, extra


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__.split("\n\n")[0] + " Writes bench/results/soak-<time>.json.",
    )
    parser.add_argument("--minutes", type=float, default=30, help="duration (default 30)")
    parser.add_argument("--rate", type=float, default=500, help="events/s (default 500)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between samples")
    parser.add_argument(
        "--logs", type=Path, default=RESULTS / f"logs-soak-{time.strftime('%Y%m%dT%H%M%S')}"
    )
    args = parser.parse_args()
    figures, extra = run(args.minutes, args.rate, args.logs, args.interval)
    mode = f"soak {args.minutes} min at {args.rate} ev/s"
    path = write_results(figures, RESULTS, mode, extra, prefix="soak")
    print_table(figures, sys.stdout)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

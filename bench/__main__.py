"""``python -m bench``: run the benchmarks, print the table, write the JSON results."""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from .config import BenchConfig
from .report import Figure, print_table, write_results

RESULTS = Path(__file__).resolve().parent / "results"

#: name -> the module that runs it (imported on demand, so --help stays fast)
BENCHMARKS = {
    "sla_live": "bench.sla_live",
    "replay": "bench.replay_bench",
    "ingest": "bench.ingest_bench",
    "end_to_end": "bench.end_to_end",
    "startup": "bench.startup",
    "memory": "bench.memory",
}

EPILOG = """\
benchmarks (each on its own fresh embedded broker, its baseline in the same run):
  sla_live    sla_monitor draining a pre-filled topic vs naive faust Table (A) / decode-only (B)
  replay      ct replay from a file and from a topic vs a raw aiokafka getmany loop
  ingest      single POST at 250/500/1000 req/s and saturation, batches of 100, vs minimal
              FastAPI + send_and_wait and raw aiokafka send_batch
  end_to_end  POST -> /v1/kpis and /metrics at 1k events/s; deadline -> alert delay
  startup     worker start and SIGKILL recovery to first processed event, state behind it
  memory      RSS of sla_monitor and aggregator with 100k open contacts over 1k queues

Figures depend on what else runs on the machine; see docs/performance.md.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the pipeline against baselines measured in the same run. "
        "Prints a table (figure, baseline, ratio, target, met/missed) and writes it as JSON "
        "to bench/results/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these benchmarks"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and short runs (about 4 min in all)"
    )
    parser.add_argument(
        "--tiny", action="store_true", help="smallest sizes: checks the plumbing, not speed"
    )
    parser.add_argument(
        "--state-events",
        type=int,
        default=20_000,
        help="events of state behind the start-up/recovery benchmark (issue 7 says 1M; "
        "the default 20k keeps make bench under 15 min on 2 cores: the monitor drains them first)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument(
        "--logs", type=Path, help="where the processes log (default: <results>/logs-<time>)"
    )
    return parser


def run(args: argparse.Namespace) -> list[Figure]:
    """Run the chosen benchmarks in order; a benchmark that fails is reported, not fatal."""
    import importlib

    logs = args.logs or args.results / f"logs-{time.strftime('%Y%m%dT%H%M%S')}"
    config = BenchConfig(
        logs=logs, quick=args.quick, tiny=args.tiny, state_events=args.state_events
    )
    figures: list[Figure] = []
    for name in args.only or list(BENCHMARKS):
        started = time.monotonic()
        print(f"== {name} ...", file=sys.stderr, flush=True)
        runner: Callable[[BenchConfig], list[Figure]] = importlib.import_module(
            BENCHMARKS[name]
        ).run
        try:
            got = runner(config)
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            traceback.print_exc(file=sys.stderr)
            got = [Figure(name, "failed", None, "", "", None, "", False, type(exc).__name__)]
        figures.extend(got)
        print(f"== {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return figures


def _stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so every child process and broker is stopped."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _stop_on_sigterm()
    started = time.monotonic()
    figures = run(args)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    path = write_results(
        figures, args.results, mode, {"seconds": round(time.monotonic() - started, 1)}
    )
    print_table(figures, sys.stdout)
    print(f"\nresults: {path} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

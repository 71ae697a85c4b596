"""``ct simulate``: its options, and the run that writes a file or posts to ingest."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ct_cli.simulator.config import SimConfig, parse_duration, parse_mix, parse_queues

SITE_TZ = ZoneInfo("Europe/London")

DESCRIPTION = """\
Simulate a contact centre's traffic on every channel and write it to a JSON-lines file
(--out) or post it to ingest (--ingest-url, the default) at a chosen speed.

Calls arrive as Poisson streams on a daily profile (working-hours peak, quiet nights, site
time Europe/London) and wait in Erlang A queues: agents on hourly shifts sized with
Erlang C, exponential handling times, callers whose patience runs out (some within
seconds), rings, transfers. Emails and web forms are acknowledged and answered in working
hours, some late; reception visitors take a ticket and are called to a desk or walk out;
cases are resolved at first contact or later, and customers come back (re-contacts);
complaints escalate through three stages; some customers answer a survey (NPS).

The same seed and options give byte-identical output. Events are canonical contract
JSON, sorted by occurred_at. Live posting uses POST /v1/events:batch with the key from
--api-key or CT_SIMULATE_API_KEY.
"""

EPILOG = """\
examples:
  ct simulate --seed 7 --duration 1d --out day.jsonl            a day from local midnight
  ct simulate --seed 7 --events 1000000 --daily-contacts 100000 --out big.jsonl
  ct simulate --start 2026-03-02T00:00:00+00:00 --duration 2w --queues 20 --out weeks.jsonl
  ct simulate --mix f2f=0.2,phone=0.5,web=0.3 --staffing 0.9 --duration 8h --out short.jsonl
  ct simulate --ingest-url http://127.0.0.1:8000 --speed 1     live, in real time
  ct simulate --duration 1h --speed 60                         the past hour, in a minute
  ct simulate --events 100000 --speed max                      as fast as ingest takes them
  ct simulate --rate 2                                         ct run's demo: 2 contacts/s
"""


def add_simulate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ct simulate`` to the ``ct`` command's subparsers."""
    p = sub.add_parser(
        "simulate",
        help="simulate realistic traffic to a file or to ingest",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--seed", type=int, help="random seed (default: a new one, printed)")
    p.add_argument(
        "--start",
        type=_aware,
        help="first instant, ISO 8601 with offset (default: local midnight today for --out; "
        "when posting: now, or now minus --duration at a speed above 1)",
    )
    p.add_argument(
        "--duration",
        type=parse_duration,
        help="simulated period: 90s, 15m, 8h, 1d, 2w (default: 1d for --out; posting runs "
        "until Ctrl-C)",
    )
    p.add_argument("--events", type=int, help="stop after this many events")
    p.add_argument(
        "--mix", type=parse_mix, help="channel mix (default f2f=0.28,phone=0.28,web=0.44)"
    )
    p.add_argument(
        "--daily-contacts",
        type=float,
        default=3000.0,
        help="first contacts on a working day (default 3000; re-contacts add about 10%%)",
    )
    p.add_argument(
        "--rate",
        type=float,
        help="contacts per second with a flat profile (overrides --daily-contacts/--profile)",
    )
    p.add_argument(
        "--profile",
        choices=("council", "flat"),
        default="council",
        help="council: working-hours peak, quiet nights, reception open 09-17 on working "
        "days; flat: every hour alike (default council)",
    )
    p.add_argument(
        "--queues",
        type=parse_queues,
        help="N (N numbered queues per channel) or names, e.g. council_tax,housing "
        "(default: a council's switchboard, council tax, housing and benefits lines...)",
    )
    p.add_argument(
        "--staffing",
        type=float,
        default=1.0,
        help="agents relative to the Erlang C sizing for 80%% in 20 s (default 1.0; 0.9 "
        "understaffs, more breaches)",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--out", type=Path, help="write a JSON-lines file instead of posting")
    out.add_argument("--ingest-url", help="ingest base URL (default http://127.0.0.1:8000)")
    p.add_argument("--api-key", help="the source's ingest key (or CT_SIMULATE_API_KEY)")
    p.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        help="posting speed: 1 real time, 60 sixty times faster, max as fast as possible "
        "(default 1)",
    )
    p.add_argument("--batch-size", type=int, default=500, help="events per POST (max 1000)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give an offset, e.g. 2026-03-02T09:00:00+00:00")
    return value


def _speed(text: str) -> float | None:
    if text.strip().lower() == "max":
        return None
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("speed must be positive, or max")
    return value


def config_from_args(args: argparse.Namespace, now: datetime) -> SimConfig:
    """The :class:`SimConfig` the options describe (``now``: the wall clock)."""
    to_file = args.out is not None
    duration: timedelta | None = args.duration
    if duration is None and to_file and args.events is None:
        duration = timedelta(days=1)
    start = args.start
    if start is None and to_file:
        local = now.astimezone(SITE_TZ)
        start = datetime(local.year, local.month, local.day, tzinfo=SITE_TZ)
    elif start is None:  # faster than real time: the period just past, never the future
        fast = args.speed is None or args.speed > 1
        start = now - duration if fast and duration is not None else now
    config = SimConfig(
        seed=args.seed if args.seed is not None else random.SystemRandom().randrange(10**6),
        start=start,
        duration=duration,
        max_events=args.events,
        daily_contacts=args.daily_contacts if args.rate is None else args.rate * 86400.0,
        profile=args.profile if args.rate is None else "flat",
        staffing=args.staffing,
    )
    if args.mix is not None:
        config = replace(config, mix=args.mix)
    if args.queues is not None:
        config = replace(config, queues=args.queues)
    return config


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``ct simulate``; 0 on success, 1 when ingest refused events."""
    from tqdm import tqdm

    from ct_cli.settings import SimulateSettings
    from ct_cli.simulator.engine import generate
    from ct_cli.simulator.output import post_events, write_jsonl

    now = datetime.now(UTC).replace(microsecond=0)
    try:
        config = config_from_args(args, now)
    except ValueError as exc:
        print(f"ct simulate: {exc}", file=sys.stderr)
        return 2
    show = sys.stderr.isatty() if args.progress is None else args.progress
    bar = tqdm(
        total=config.max_events,
        unit="ev",
        unit_scale=True,
        desc="simulate",
        disable=not show,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    print(f"ct simulate: seed {config.seed}, start {config.start.isoformat()}", file=sys.stderr)
    began = time.perf_counter()
    with bar, contextlib.suppress(KeyboardInterrupt):
        if args.out is not None:
            count = write_jsonl(generate(config), args.out, bar.update)
            elapsed = time.perf_counter() - began
            print(
                f"ct simulate: wrote {count} events to {args.out} in {elapsed:.1f} s "
                f"({count / max(elapsed, 1e-9):,.0f} events/s)",
                file=sys.stderr,
            )
            return 0
        key = args.api_key or SimulateSettings().api_key_value()
        report = asyncio.run(
            post_events(
                generate(config),
                args.ingest_url or "http://127.0.0.1:8000",
                config.start.timestamp(),
                args.speed,
                api_key=key,
                batch_size=max(1, min(args.batch_size, 1000)),
                on_sent=bar.update,
            )
        )
        print(
            f"ct simulate: accepted {report.accepted}, invalid {report.invalid}, "
            f"duplicates {report.duplicate_in_batch}, not delivered {report.failed}",
            file=sys.stderr,
        )
        return 0 if report.failed == 0 and report.invalid == 0 else 1
    return 0

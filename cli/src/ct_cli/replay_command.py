"""The ``ct replay`` command line: where the events come from, which standards, output."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

REPLAY_WINDOWS = ("all", "today", "rolling_15m", "rolling_30m", "rolling_60m", "interval_15m")


def add_replay_parser(sub: Any) -> None:
    """Register ``ct replay`` on the subcommand parsers."""
    replay = sub.add_parser(
        "replay",
        help="recompute figures and alerts from recorded events",
        description="Recompute the figures and the alerts of a period from the raw events, "
        "with the same stage handlers and pure core the live monitor uses. It never joins "
        "the live consumer group and never writes to a topic. Figures are those of every "
        "scope (or --scope) over --window at the end of the period; --window all gives the "
        "totals of the whole period.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  ct replay --from-file oct.jsonl --window all --json\n"
        "  ct replay --from-topic --from-time 2026-10-01T00:00:00+01:00 "
        "--to-time 2026-11-01T00:00:00+00:00 --standards charter.toml\n",
    )
    source = replay.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-file", type=Path, help="a JSON-lines file of canonical events")
    source.add_argument(
        "--from-topic",
        action="store_true",
        help="read contact.events.v1 on KAFKA_BOOTSTRAP_SERVERS (no consumer group)",
    )
    replay.add_argument(
        "--from-time", type=datetime.fromisoformat, help="topic records from this time (RFC 3339)"
    )
    replay.add_argument(
        "--to-time", type=datetime.fromisoformat, help="topic records up to this time (RFC 3339)"
    )
    replay.add_argument(
        "--standards", type=Path, help="pin a standards file (default: the built-in charter)"
    )
    replay.add_argument("--scope", help="only this scope, e.g. phone/council_tax")
    replay.add_argument(
        "--window",
        choices=REPLAY_WINDOWS,
        default="all",
        help="the window the figures cover (default: all, the whole period)",
    )
    replay.add_argument("--json", action="store_true", help="print JSON instead of tables")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_replay(args: argparse.Namespace) -> int:
    """Run ``ct replay`` as parsed; print the result."""
    from ct_broker.settings import KafkaSettings
    from ct_cli.replay import count_lines, print_tables, read_jsonl, read_topic, replay_events
    from ct_sla_monitor.standards_file import default_standards, load_standards

    book = load_standards(args.standards) if args.standards else default_standards()
    if args.from_file is not None:
        if not args.from_file.is_file():
            print(f"ct replay: no such file: {args.from_file}", file=sys.stderr)
            return 2
        records: Any = read_jsonl(args.from_file)
        total = count_lines(args.from_file)
    else:
        bootstrap = KafkaSettings().kafka_bootstrap_servers
        records = read_topic(bootstrap, args.from_time, args.to_time)
        total = len(records)
    result = replay_events(
        records,
        book,
        window=args.window,
        scope=args.scope,
        progress=not args.no_progress,
        total=total,
    )
    if args.json:
        sys.stdout.write(orjson.dumps(result.to_dict(), option=orjson.OPT_SORT_KEYS).decode())
        sys.stdout.write("\n")
    else:
        print_tables(result)
    return 0

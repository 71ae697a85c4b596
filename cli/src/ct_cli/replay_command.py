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
    source.add_argument(
        "--from-archive",
        type=Path,
        metavar="DIR",
        help="read the raw-event archive in DIR (written by ct archive run)",
    )
    replay.add_argument(
        "--offsets",
        type=parse_offsets,
        metavar="P:FROM-TO,...",
        help="with --from-topic: only these partitions, each from offset FROM to TO "
        "(inclusive), e.g. 0:0-999,1:0-1203",
    )
    replay.add_argument(
        "--from-time",
        type=datetime.fromisoformat,
        help="topic or archive records from this time (record timestamp, RFC 3339)",
    )
    replay.add_argument(
        "--to-time",
        type=datetime.fromisoformat,
        help="topic or archive records up to this time (record timestamp, RFC 3339)",
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
    replay.add_argument(
        "--in-file-order",
        action="store_true",
        help="with --from-file: replay the lines in the order written (a recorded stream) "
        "instead of sorting them by event time",
    )
    replay.add_argument(
        "--until",
        type=datetime.fromisoformat,
        help="after the last event, tick every scope at this instant (RFC 3339), as the live "
        "timer does, so deadlines due by then raise their alerts",
    )
    replay.add_argument(
        "--snapshots",
        action="store_true",
        help="also give each scope's last snapshot, as published on sla.metrics.v1",
    )
    replay.add_argument("--json", action="store_true", help="print JSON instead of tables")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_offsets(text: str) -> dict[int, tuple[int, int]]:
    """``P:FROM-TO,...`` as {partition: (first, last)}; argparse reports a bad one."""
    ranges: dict[int, tuple[int, int]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            partition, span = part.split(":")
            low, high = span.split("-")
            ranges[int(partition)] = (int(low), int(high))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r} is not P:FROM-TO") from None
        if min(ranges[int(partition)]) < 0 or int(low) > int(high):
            raise argparse.ArgumentTypeError(f"{part!r}: offsets must be 0 <= FROM <= TO")
    return ranges


def run_replay(args: argparse.Namespace) -> int:
    """Run ``ct replay`` as parsed; print the result."""
    from ct_cli.replay import print_tables, replay_events
    from ct_sla_monitor.standards_file import default_standards, load_standards

    if args.offsets is not None and not args.from_topic:
        print("ct replay: --offsets goes with --from-topic", file=sys.stderr)
        return 2
    book = load_standards(args.standards) if args.standards else default_standards()
    source = read_source(args, "ct replay")
    if source is None:
        return 2
    records, total = source
    result = replay_events(
        records,
        book,
        window=args.window,
        scope=args.scope,
        progress=not args.no_progress,
        total=total,
        until=args.until,
        snapshots=args.snapshots,
    )
    if args.json:
        sys.stdout.write(orjson.dumps(result.to_dict(), option=orjson.OPT_SORT_KEYS).decode())
        sys.stdout.write("\n")
    else:
        print_tables(result)
    return 0


def read_source(args: argparse.Namespace, command: str) -> tuple[list[bytes], int] | None:
    """The raw events ``args`` name (--from-file, --from-archive, else the topic between
    --from-time and --to-time) and how many; None, after saying why, when unreadable."""
    from ct_broker.settings import KafkaSettings
    from ct_cli.replay import count_lines, read_jsonl, read_topic

    if getattr(args, "from_file", None) is not None:
        if not args.from_file.is_file():
            print(f"{command}: no such file: {args.from_file}", file=sys.stderr)
            return None
        in_order = getattr(args, "in_file_order", False)
        return read_jsonl(args.from_file, in_order), count_lines(args.from_file)
    if args.from_archive is not None:
        from ct_aggregator.archive_format import ArchiveFormatError
        from ct_aggregator.archive_reader import read_archive

        try:
            records = read_archive(args.from_archive, args.from_time, args.to_time)
        except (ArchiveFormatError, OSError) as exc:
            print(f"{command}: cannot read the archive: {exc}", file=sys.stderr)
            return None
        return records, len(records)
    bootstrap = KafkaSettings().kafka_bootstrap_servers
    offsets = getattr(args, "offsets", None)
    records = read_topic(bootstrap, args.from_time, args.to_time, offsets=offsets)
    return records, len(records)

"""The ``ct audit`` command line: which period, which events, which standards, output."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def add_audit_parser(sub: Any) -> None:
    """Register ``ct audit`` on the subcommand parsers."""
    audit = sub.add_parser(
        "audit",
        help="replay a period and compare it with what the live pipeline recorded",
        description="Replay a period's raw events (contact.events.v1, or the archive) with "
        "the monitor's own handlers, tick every scope at the end of the period as the live "
        "timer does, and compare with what the live pipeline recorded: every alert "
        "transition on sla.alerts.v1 in the period, and each scope's last snapshot on "
        "sla.metrics.v1 (its figures; the pending list follows the live timer's wall "
        "clock and is left out). The report names every difference or states that there "
        "are none, and says how many events arrived late (every figure includes them). "
        "Exit code 0: identical; 1: differences; 2: bad input. Replay from where the live "
        "state was empty (the default: the start of the topic), or windows such as today "
        "will lack the history before --from-time.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  ct audit\n"
        "  ct audit --to-time 2026-11-01T00:00:00+00:00 --json\n"
        "  ct audit --from-archive var/archive --standards charter.toml\n",
    )
    audit.add_argument(
        "--from-archive", type=Path, help="read the events from this archive, not the topic"
    )
    audit.add_argument(
        "--from-time", type=datetime.fromisoformat, help="events from this time (RFC 3339)"
    )
    audit.add_argument(
        "--to-time",
        type=datetime.fromisoformat,
        help="events up to this time, and the instant the period ends (default: now)",
    )
    audit.add_argument(
        "--standards", type=Path, help="the standards file the live monitor ran (default: built-in)"
    )
    audit.add_argument("--json", action="store_true", help="print the report as JSON")
    audit.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_audit(args: argparse.Namespace) -> int:
    """Run ``ct audit`` as parsed; print the report; 0 identical, 1 differences."""
    import orjson

    from ct_broker.settings import KafkaSettings
    from ct_broker.topics import SLA_ALERTS, SLA_METRICS
    from ct_cli.audit import compare, last_snapshots, print_report, scope_ticks
    from ct_cli.replay import read_topic, replay_events
    from ct_cli.replay_command import read_source
    from ct_sla_monitor.standards_file import default_standards, load_standards

    book = load_standards(args.standards) if args.standards else default_standards()
    until = (args.to_time or datetime.now(UTC)).astimezone(UTC)
    source = read_source(args, "ct audit")
    if source is None:
        return 2
    records, total = source
    bootstrap = KafkaSettings().kafka_bootstrap_servers
    live_alerts = [orjson.loads(raw) for raw in read_topic(bootstrap, topic=SLA_ALERTS)]
    live_snapshots = last_snapshots(read_topic(bootstrap, topic=SLA_METRICS), until)
    ticks = {scope: min(at, until) for scope, at in scope_ticks(live_snapshots).items()}
    replay = replay_events(
        records,
        book,
        progress=not args.no_progress,
        total=total,
        until=ticks,
        snapshots=True,
    )
    report = compare(replay, live_alerts, live_snapshots, args.from_time, until)
    if args.json:
        sys.stdout.write(orjson.dumps(report.to_dict(), option=orjson.OPT_SORT_KEYS).decode())
        sys.stdout.write("\n")
    else:
        sys.stdout.write(print_report(report))
    return 0 if not report.differences else 1

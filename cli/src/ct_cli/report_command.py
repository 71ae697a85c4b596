"""``ct report``: the monthly standards report of a month, from the archive, a JSON-lines
file or the events topic, written as report.json, report.csv, report.html and the charts'
PNG files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

DESCRIPTION = """\
Write the monthly standards report the charter promises, for one month in the charter's
site time zone: demand by channel and service type and the channel mix; each standard
against its target, per week and for the month; first-contact resolution final vs
provisional; the fix-time distribution by query reason; the top repeat-contact reasons;
complaints by stage; NPS; and how many events arrived late (every figure includes them).

The figures are recomputed from the raw events with the monitor's own stage handlers and
pure core (window: the whole period), once for the month and once per week. A contact
belongs to the month and the week (ISO weeks, Monday to Sunday, cut at the month's edges)
of its first event, with all its events. Nothing is written to any topic and no consumer
group is joined.

Output in --out DIR: report.json (every figure), report.csv (the same in long form:
section, period, scope, measure, value, volume, target, met), report.html (one
self-contained page with the charts) and charts/*.png.
"""

EPILOG = """\
examples:
  ct report --month 2026-10 --from-archive var/archive --out reports/2026-10
  ct report --month 1999-10 --from-file oct.jsonl --standards bank.toml --out oct-report
  KAFKA_BOOTSTRAP_SERVERS=kafka:9092 ct report --month 2026-10 --from-topic --out r
"""


def add_report_parser(sub: Any) -> None:
    """Register ``ct report`` on the subcommand parsers."""
    report = sub.add_parser(
        "report",
        help="write the monthly standards report (JSON, CSV, HTML with charts)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument(
        "--month", required=True, help="the month, YYYY-MM, in the charter's site time zone"
    )
    source = report.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from-archive",
        type=Path,
        metavar="DIR",
        help="the raw-event archive written by ct archive run (read from 31 days before "
        "the month to 31 days after it)",
    )
    source.add_argument(
        "--from-file",
        type=Path,
        metavar="FILE",
        help="a JSON-lines file of canonical events (e.g. from ct import-calls --out); "
        "replayed in event-time order, as ct replay does",
    )
    source.add_argument(
        "--from-topic",
        action="store_true",
        help="read contact.events.v1 on KAFKA_BOOTSTRAP_SERVERS without a consumer group",
    )
    report.add_argument(
        "--standards",
        type=Path,
        metavar="FILE",
        help="the charter to judge by (default: the built-in one); its calendar's time "
        "zone decides where the month and its weeks start",
    )
    report.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory for the files"
    )
    report.add_argument("--no-progress", action="store_true", help="no progress bar")


def _records(args: argparse.Namespace, span: tuple[Any, Any]) -> tuple[list[bytes], str]:
    """The records of the chosen source and the order they are replayed in."""
    if args.from_file is not None:
        from ct_cli.replay import read_jsonl

        return read_jsonl(args.from_file), "in event-time order (a file is sorted by occurred_at)"
    if args.from_archive is not None:
        from ct_aggregator.archive_reader import read_archive

        return read_archive(args.from_archive, *span), "in the order the topic recorded them"
    from ct_broker.settings import KafkaSettings
    from ct_cli.replay import read_topic

    bootstrap = KafkaSettings().kafka_bootstrap_servers
    return read_topic(bootstrap, *span), "in the order the topic recorded them"


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    """Write report.json, report.csv, report.html and charts/*.png into ``out``."""
    from ct_aggregator.report_charts_detail import all_charts
    from ct_aggregator.report_csv import render_csv
    from ct_aggregator.report_html import render_html

    charts = all_charts(report)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    written = [out / "report.json", out / "report.csv", out / "report.html"]
    written[0].write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    written[1].write_text(render_csv(report), encoding="utf-8")
    written[2].write_text(render_html(report, charts), encoding="utf-8")
    for chart in charts:
        path = out / "charts" / f"{chart.key}.png"
        path.write_bytes(chart.png)
        written.append(path)
    return written


def run_report(args: argparse.Namespace) -> int:
    """Run ``ct report`` as parsed: read, replay, write; a summary on stdout."""
    from tqdm import tqdm

    from ct_aggregator.archive_format import ArchiveFormatError
    from ct_aggregator.report_build import (
        NoEventsForMonth,
        build_monthly_report,
        month_selection,
        replayed_events,
    )
    from ct_aggregator.report_period import ReportMonth, record_span
    from ct_sla_monitor.standards_file import default_standards, load_standards

    book = load_standards(args.standards) if args.standards else default_standards()
    try:
        month = ReportMonth.parse(args.month, book.default.calls.tz)
    except ValueError as exc:
        print(f"ct report: {exc}", file=sys.stderr)
        return 2
    if args.from_file is not None and not args.from_file.is_file():
        print(f"ct report: no such file: {args.from_file}", file=sys.stderr)
        return 2
    try:
        records, order = _records(args, record_span(month))
        selection = month_selection(records, month.key, book)
    except (ArchiveFormatError, OSError) as exc:
        print(f"ct report: cannot read the events: {exc}", file=sys.stderr)
        return 2
    except NoEventsForMonth as exc:
        print(f"ct report: {exc}", file=sys.stderr)
        return 1
    with tqdm(
        total=replayed_events(selection),
        unit="ev",
        unit_scale=True,
        desc="report",
        disable=args.no_progress,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        report = build_monthly_report(selection, book, order, on_event=lambda: bar.update(1))
    written = write_report(report, args.out)
    events, late = report["events"], report["late"]
    print(
        f"{report['month']} ({report['timezone']}), standards {report['standards_version']}: "
        f"{events['contacts']} contacts, {events['of_the_month']} events, "
        f"{len(report['standards'])} standard figures; {late['statement']}"
    )
    for path in written[:3]:
        print(f"  wrote {path}")
    print(f"  wrote {len(written) - 3} charts in {args.out / 'charts'}")
    return 0

"""``ct``: one entry point for the pipeline's processes and tools.

Run ``ct --help`` or ``ct COMMAND --help``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ct_cli.archive_command import add_archive_parser, run_archive
from ct_cli.audit_command import add_audit_parser, run_audit
from ct_cli.config_docs import add_config_parser, run_config
from ct_cli.healthcheck import add_healthcheck_parser, run_healthcheck
from ct_cli.importer import add_parsers as add_import_parsers
from ct_cli.importer import import_calls, ingest_queue_log
from ct_cli.replay_command import add_replay_parser, run_replay
from ct_cli.report_command import add_report_parser, run_report
from ct_cli.simulator.command import add_simulate_parser, run_simulate

DESCRIPTION = """\
contact-telemetry: live service-standard figures for contact centres.

Telephony and web systems post contact events to ingest; a faust stream processor
turns them into answer-ring, wait, abandonment and service-level figures by event
time; the aggregator serves them as Prometheus metrics and a JSON API.
"""

EPILOG = """\
examples:
  ct run                         everything on an embedded broker, with demo traffic
  KAFKA_BOOTSTRAP_SERVERS=kafka:9092 ct run --no-demo
  ct sla-monitor                 one stream-processor worker (run more to scale out)
  ct simulate --duration 1d --out day.jsonl   a realistic day of traffic in a file
  ct import-calls october.txt --format anonymous-bank --out events.jsonl
  ct replay --from-file events.jsonl --window all --json
  ct report --month 2026-10 --from-file events.jsonl --out report-2026-10
  ct ingest-queue-log /var/log/asterisk/queue_log --follow --api-key KEY
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ct",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="start broker, services and demo traffic",
        description="Start the whole pipeline. Without KAFKA_BOOTSTRAP_SERVERS an embedded "
        "in-memory Tansu broker is started. Prints the URLs; Ctrl-C stops every process.",
    )
    run.add_argument("--no-demo", action="store_true", help="do not post demo traffic")
    run.add_argument("--demo-rate", type=float, help="demo calls per second (default 2)")

    broker = sub.add_parser(
        "broker",
        help="run only the embedded broker",
        description="Run the embedded Tansu broker in the foreground and create the topics.",
    )
    broker.add_argument("--port", type=int, default=9092, help="listen port (default 9092)")
    broker.add_argument("--partitions", type=int, default=4, help="partitions of keyed topics")

    topics = sub.add_parser(
        "topics",
        help="create the pipeline's topics",
        description="Create the topics on KAFKA_BOOTSTRAP_SERVERS (existing ones are kept).",
    )
    topics.add_argument("--partitions", type=int, default=4, help="partitions of keyed topics")

    sub.add_parser(
        "ingest",
        help="run the HTTP ingest service",
        description="Serve POST /v1/events (settings: CT_INGEST_*, KAFKA_*).",
    )
    sub.add_parser(
        "sla-monitor",
        help="run one stream-processor worker",
        description="Run one faust worker of the SLA monitor (settings: "
        "CT_MONITOR_*, KAFKA_*). Workers with the same app id share the work.",
    )
    sub.add_parser(
        "aggregator",
        help="run the metrics and KPI API",
        description="Serve /metrics and /v1/kpis (settings: CT_AGGREGATOR_*, KAFKA_*).",
    )

    standards = sub.add_parser(
        "standards",
        help="check a standards file and show the charter",
        description="Validate a standards file (TOML) and print the charter it publishes, as "
        "GET /v1/standards serves it. Without FILE: the built-in default charter. A bad file "
        "is reported with the line and field of every problem, and the exit code is 2.",
    )
    standards.add_argument("file", nargs="?", type=Path, help="the standards file to check")

    add_simulate_parser(sub)
    add_import_parsers(sub)
    add_replay_parser(sub)
    add_report_parser(sub)
    add_archive_parser(sub)
    add_audit_parser(sub)
    add_config_parser(sub)
    add_healthcheck_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ct_sla_monitor.standards_file import StandardsFileError

    try:
        return _dispatch(args)
    except StandardsFileError as exc:
        print(f"ct {args.command}: the standards file cannot be used:\n{exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "standards":
        return _standards(args.file)
    if args.command == "run":
        return _run(args)
    if args.command == "broker":
        return _broker(args.port, args.partitions)
    if args.command == "topics":
        from ct_broker.settings import KafkaSettings
        from ct_broker.topics import ensure_topics, pipeline_topics

        bootstrap = KafkaSettings().kafka_bootstrap_servers
        created = asyncio.run(ensure_topics(bootstrap, pipeline_topics(args.partitions)))
        print("created: " + (", ".join(created) or "nothing, all exist"))
        return 0
    if args.command == "ingest":
        from ct_ingest.server import serve as serve_ingest

        serve_ingest()
        return 0
    if args.command == "sla-monitor":
        from ct_sla_monitor.agents import run_worker

        run_worker()
        return 0
    if args.command == "aggregator":
        from ct_aggregator.server import serve as serve_aggregator

        serve_aggregator()
        return 0
    if args.command == "simulate":
        return run_simulate(args)
    if args.command == "import-calls":
        return import_calls(args)
    if args.command == "ingest-queue-log":
        return ingest_queue_log(args)
    if args.command == "replay":
        return run_replay(args)
    if args.command == "report":
        return run_report(args)
    if args.command == "archive":
        return run_archive(args)
    if args.command == "audit":
        return run_audit(args)
    if args.command == "config":
        return run_config(args)
    if args.command == "healthcheck":
        return run_healthcheck(args)
    raise AssertionError(args.command)


def _standards(path: Path | None) -> int:
    import orjson

    from ct_sla_monitor.standards_file import default_standards, load_standards

    book = load_standards(path) if path is not None else default_standards()
    print(orjson.dumps(book.public_view(), option=orjson.OPT_INDENT_2).decode())
    print(f"{path or 'built-in default'}: valid, version {book.version}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from ct_aggregator.settings import AggregatorSettings
    from ct_cli.settings import RunSettings
    from ct_cli.supervisor import run_pipeline
    from ct_ingest.settings import IngestSettings

    overrides: dict[str, object] = {}
    if args.no_demo:
        overrides["demo"] = False
    if args.demo_rate is not None:
        overrides["demo_rate"] = args.demo_rate
    settings = RunSettings(**overrides)  # type: ignore[arg-type]
    ingest, aggregator = IngestSettings(), AggregatorSettings()
    return run_pipeline(
        settings,
        ingest_url=f"http://{ingest.host}:{ingest.port}",
        api_url=f"http://{aggregator.host}:{aggregator.port}",
    )


def _broker(port: int, partitions: int) -> int:
    from ct_broker.embedded import EmbeddedBroker
    from ct_broker.topics import ensure_topics, pipeline_topics

    with EmbeddedBroker(port=port) as broker:
        asyncio.run(ensure_topics(broker.bootstrap_servers, pipeline_topics(partitions)))
        print(f"broker on {broker.bootstrap_servers}; Ctrl-C stops it", flush=True)
        try:
            return broker.wait()
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())

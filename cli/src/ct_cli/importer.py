"""``ct import-calls`` and ``ct ingest-queue-log``: the file adapters on the command line.

Both map a file to canonical events (``ct_ingest.adapters``) and deliver them to ingest
over HTTP (``--ingest-url``, ``--api-key``) or, with ``--out``, to a JSON-lines file. A
progress bar goes to stderr; the summary (rows or lines read, what was skipped and why,
what was delivered) to stdout.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

# The adapters, pydantic and tqdm are imported when a command runs, so `ct` starts fast.
if TYPE_CHECKING:
    from ct_ingest.adapters.call_import import ImportReport
    from ct_ingest.adapters.queue_log import QueueLogMapper, QueueLogStats
    from ct_ingest.adapters.sinks import Delivery, EventSink
    from ct_ingest.adapters.tailing import LineFollower, StateFile

FORMATS = ("anonymous-bank", "plain")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``import-calls`` and ``ingest-queue-log`` subcommands."""
    calls = sub.add_parser(
        "import-calls",
        help="import per-call CSV records",
        description="Turn per-call records into call events. Built-in formats: "
        f"{', '.join(FORMATS)}; or a format file (TOML). Malformed rows are reported with "
        "their line numbers and skipped.",
    )
    calls.add_argument("file", type=Path, help="the records file")
    calls.add_argument("--format", required=True, help="a built-in format name or a .toml file")
    calls.add_argument("--tz", help="the site's time zone (default: the format's)")
    calls.add_argument("--source", help="the events' source (default: the format's name)")
    _delivery_arguments(calls)

    qlog = sub.add_parser(
        "ingest-queue-log",
        help="read an Asterisk queue_log (once, or following it)",
        description="Map an Asterisk queue_log to call events. With --follow, keep reading "
        "as it grows, through rotation and truncation; the position is kept in a state "
        "file, so a restart goes on where it stopped. Unknown events are counted and skipped.",
    )
    qlog.add_argument("file", type=Path, help="the queue_log file")
    qlog.add_argument("--follow", action="store_true", help="keep reading as the file grows")
    qlog.add_argument(
        "--state",
        type=Path,
        help="position file (default with --follow: ./<file name>.ct-state.json; without: none)",
    )
    qlog.add_argument("--source", default="asterisk", help="the events' source (default asterisk)")
    qlog.add_argument("--pbx", help="the PBX's name in contact ids (default: the source)")
    qlog.add_argument("--poll-interval", type=float, default=0.5, help="seconds between checks")
    _delivery_arguments(qlog)


def _delivery_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="write events to this JSON-lines file instead")
    parser.add_argument(
        "--ingest-url",
        help="ingest base URL (default $CT_IMPORT_INGEST_URL or http://127.0.0.1:8000)",
    )
    parser.add_argument("--api-key", help="the source's API key (default $CT_IMPORT_API_KEY)")
    parser.add_argument("--batch", type=int, default=500, help="events per request (default 500)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def import_calls(args: argparse.Namespace) -> int:
    """``ct import-calls``: read, map, deliver, summarise."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tqdm import tqdm

    from ct_ingest.adapters.call_formats import FormatUnknown, load_format
    from ct_ingest.adapters.call_import import ImportReport, count_lines, read_call_records
    from ct_ingest.adapters.call_records import FormatMismatch
    from ct_ingest.adapters.sinks import SinkRefused, SinkUnavailable

    try:
        fmt = load_format(args.format)
        tz = ZoneInfo(args.tz or fmt.timezone)
    except (FormatUnknown, ZoneInfoNotFoundError, ValueError) as exc:
        return _fail(f"ct import-calls: {exc}")
    if not args.file.is_file():
        return _fail(f"ct import-calls: no such file: {args.file}")
    report = ImportReport()
    sink = _sink(args, append=False, patient=False)
    bar = tqdm(
        total=count_lines(args.file),
        unit="line",
        file=sys.stderr,
        disable=args.quiet,
        desc=args.file.name,
    )
    try:
        for batch in read_call_records(
            args.file,
            fmt,
            tz,
            args.source or fmt.name,
            report,
            batch_size=args.batch,
            progress=bar.update,
        ):
            sink.send(batch)
    except FormatMismatch as exc:
        return _fail(f"ct import-calls: {args.file}: {exc} (format {fmt.name})")
    except (SinkRefused, SinkUnavailable) as exc:
        return _fail(f"ct import-calls: {exc}; nothing after the last acknowledged batch was sent")
    finally:
        bar.close()
        sink.close()
    print(calls_summary(args.file, fmt.name, str(tz), report, sink.delivery, _where(args)))
    return 0


def calls_summary(
    path: Path, fmt: str, tz: str, report: ImportReport, delivery: Delivery, where: str
) -> str:
    """The summary of an import: rows, calls offered, rows skipped and why, delivery."""
    lines = [
        f"{path.name} (format {fmt}, time zone {tz}): {report.rows:,} rows read",
        f"  calls offered: {report.offered:,} (answered {report.answered:,}, "
        f"abandoned {report.abandoned:,})",
        f"  not offered (hung up before reaching a queue): {report.not_offered:,}",
        f"  rows skipped: {report.skipped:,}",
    ]
    for label, count in sorted(report.ignored.items()):
        lines.append(f"    {count:,} ignored: outcome {label}")
    if report.malformed:
        lines.append(f"    {len(report.malformed):,} malformed:")
        lines += [f"      line {line}: {reason}" for line, reason in report.malformed]
    lines.append(_delivered(report.events, delivery, where))
    return "\n".join(lines)


def ingest_queue_log(args: argparse.Namespace) -> int:
    """``ct ingest-queue-log``: once to the end, or following the file."""
    from tqdm import tqdm

    from ct_ingest.adapters.queue_log import QueueLogMapper
    from ct_ingest.adapters.sinks import SinkRefused, SinkUnavailable
    from ct_ingest.adapters.tailing import LineFollower, StateFile

    state_path = args.state or (Path(f"{args.file.name}.ct-state.json") if args.follow else None)
    state = StateFile(state_path) if state_path else None
    try:
        position, mapper_state = state.load() if state else (None, {})
    except ValueError as exc:
        return _fail(f"ct ingest-queue-log: {exc}")
    if not args.follow and not args.file.is_file():
        return _fail(f"ct ingest-queue-log: no such file: {args.file}")
    mapper = QueueLogMapper(source=args.source, pbx=args.pbx, state=mapper_state)
    follower = LineFollower(args.file, position)
    sink = _sink(args, append=True, patient=args.follow)
    bar = tqdm(unit="line", file=sys.stderr, disable=args.quiet, desc=args.file.name)
    try:
        with _stop_on_sigterm():
            follow_queue_log(
                follower,
                mapper,
                sink,
                state,
                follow=args.follow,
                poll_s=args.poll_interval,
                batch=args.batch,
                progress=bar.update,
            )
    except KeyboardInterrupt:
        pass  # the position of the last delivered batch is saved
    except (SinkRefused, SinkUnavailable) as exc:
        return _fail(f"ct ingest-queue-log: {exc}; the position stays at the last delivery")
    finally:
        bar.close()
        sink.close()
        follower.close()
    for notice in follower.notices:
        print(f"note: {notice}", file=sys.stderr)
    print(queue_log_summary(args.file, mapper.stats, sink.delivery, _where(args)))
    return 0


def follow_queue_log(
    follower: LineFollower,
    mapper: QueueLogMapper,
    sink: EventSink,
    state: StateFile | None,
    *,
    follow: bool,
    poll_s: float = 0.5,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Read, map and deliver until the end of the file (or, following, until ``stop()``).

    After every delivery the position and the mapper's state are saved, so a restart goes
    on after the last line whose events were delivered. Transfers held back for their next
    queue are sent once the log has been quiet for the mapper's grace time.
    """
    quiet_since = time.monotonic()
    while not stop():
        lines = list(follower.lines(limit=batch))
        if lines:
            events = [e for number, text in lines for e in mapper.feed(text, number)]
            _deliver(sink, events, follower, mapper, state)
            if progress:
                progress(len(lines))
            quiet_since = time.monotonic()
            continue
        grace_s = mapper.transfer_grace_ms / 1000
        if not follow or time.monotonic() - quiet_since >= grace_s:
            held = mapper.flush()
            if held:
                _deliver(sink, held, follower, mapper, state)
        if not follow:
            return
        time.sleep(poll_s)


def queue_log_summary(path: Path, stats: QueueLogStats, delivery: Delivery, where: str) -> str:
    """The summary of a queue_log run: lines, events by type, what was skipped and why."""
    by_type = ", ".join(f"{kind} {n:,}" for kind, n in sorted(stats.events.items())) or "none"
    lines = [f"{path.name}: {stats.lines:,} lines read; events: {by_type}"]
    unknown = sum(stats.unknown.values())
    named = ", ".join(f"{name} {n:,}" for name, n in sorted(stats.unknown.items()))
    lines.append(f"  unknown events skipped: {unknown:,}" + (f" ({named})" if named else ""))
    lines.append(f"  malformed lines skipped: {stats.malformed_count:,}")
    lines += [f"    line {line}: {reason}" for line, reason in stats.malformed]
    lines.append(_delivered(sum(stats.events.values()), delivery, where))
    return "\n".join(lines)


def _deliver(
    sink: EventSink,
    events: list[dict[str, object]],
    follower: LineFollower,
    mapper: QueueLogMapper,
    state: StateFile | None,
) -> None:
    if events:
        sink.send(events)
        sink.flush()
    if state is not None:
        state.save(follower.position, mapper.state())


def _delivered(events: int, delivery: Delivery, where: str) -> str:
    text = f"  events: {events:,} mapped, {delivery.accepted:,} delivered to {where}"
    if delivery.duplicates:
        text += f", {delivery.duplicates:,} duplicates"
    if delivery.invalid:
        reasons = ", ".join(f"{f}: {r} ({n})" for (f, r), n in sorted(delivery.invalid.items()))
        text += f", refused: {reasons}"
    return text


def _sink(args: argparse.Namespace, *, append: bool, patient: bool) -> EventSink:
    from ct_ingest.adapters.settings import ImportSettings
    from ct_ingest.adapters.sinks import IngestSink, JsonLinesSink

    if args.out is not None:
        return JsonLinesSink(args.out, append=append)
    settings = ImportSettings()
    key = args.api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
    return IngestSink(
        args.ingest_url or settings.ingest_url,
        api_key=key,
        signing_secret=secret,
        batch_size=args.batch,
        give_up_after_s=None if patient else 300.0,
    )


def _where(args: argparse.Namespace) -> str:
    return str(args.out) if args.out is not None else (args.ingest_url or "ingest")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM stops the loop like Ctrl-C: between deliveries, with the position saved."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

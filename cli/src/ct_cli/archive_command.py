"""``ct archive run`` (the archiver process) and ``ct archive verify``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ct_aggregator.archive_consumer import Archiver
    from ct_aggregator.archive_settings import ArchiveSettings

DESCRIPTION = """\
The raw-event archive: contact.events.v1 copied to daily files of compressed JSON lines,
each line with the record's topic, partition, offset, timestamp, key and exact value.
A record belongs to the UTC date of its Kafka record timestamp.

  ct archive run     follow the topic and write the archive (Ctrl-C or SIGTERM flush and stop)
  ct archive verify  check every file against its manifest and every partition for gaps
"""

RUN_DESCRIPTION = """\
Follow contact.events.v1 with a group-less consumer (it never joins the live consumer
group) and write its records to DIR/<UTC date>/segment-NNNNNN.jsonl.gz, listed with their
offsets, counts and SHA-256 in DIR/<UTC date>/manifest.json. A flush is atomic (temp files,
then renames), every CT_ARCHIVE_FLUSH_RECORDS records or CT_ARCHIVE_FLUSH_SECONDS seconds.
A restart, even after a crash or SIGKILL, resumes after the last archived offset of each
partition, read from the files: no gap, no duplicate. Ctrl-C or SIGTERM flush and stop.

settings: KAFKA_BOOTSTRAP_SERVERS, CT_ARCHIVE_DATA_DIR (default var/archive),
CT_ARCHIVE_FLUSH_RECORDS (1000), CT_ARCHIVE_FLUSH_SECONDS (1.0),
CT_ARCHIVE_SEGMENT_MAX_RECORDS (50000).
"""

VERIFY_DESCRIPTION = """\
Check an archive: each segment's size, SHA-256, record count, timestamps and per-partition
offsets against its day's manifest, each record on the day of its timestamp, files not in
a manifest, and that each partition's offsets run on from the first archived one with no
gap and no duplicate. Prints a report; exit code 0 when sound, 1 otherwise.
"""


def add_archive_parser(sub: Any) -> None:
    """Register ``ct archive run`` and ``ct archive verify``."""
    archive = sub.add_parser(
        "archive",
        help="archive the raw events to daily files, and verify the archive",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = archive.add_subparsers(dest="archive_command", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run",
        help="follow the topic and write the archive",
        description=RUN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify = actions.add_parser(
        "verify",
        help="check the archive's files, checksums and offsets",
        description=VERIFY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for parser in (run, verify):
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="the archive's directory (default: CT_ARCHIVE_DATA_DIR, else var/archive)",
        )


def run_archive_dir(in_memory_broker: bool) -> Path:
    """Where ``ct run`` archives: CT_ARCHIVE_DATA_DIR (default var/archive), or with the
    in-memory embedded broker, whose log starts afresh each run, a new ``embedded-<UTC
    time>`` directory under it (an archive holds one log)."""
    from ct_aggregator.archive_settings import ArchiveSettings

    base = ArchiveSettings().data_dir
    if not in_memory_broker:
        return base
    return base / time.strftime("embedded-%Y%m%dT%H%M%SZ", time.gmtime())


def run_archive(args: argparse.Namespace) -> int:
    """Run ``ct archive ACTION`` as parsed."""
    from ct_aggregator.archive_settings import ArchiveSettings

    overrides = {} if args.data_dir is None else {"data_dir": args.data_dir}
    settings = ArchiveSettings(**overrides)
    if args.archive_command == "verify":
        return _verify(settings.data_dir)
    return _run(settings)


def _verify(data_dir: Path) -> int:
    from ct_aggregator.archive_verify import verify_archive

    report = verify_archive(data_dir)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _run(settings: ArchiveSettings) -> int:
    from ct_aggregator.archive_consumer import Archiver
    from ct_aggregator.archive_store import ArchiveError, ArchiveStore

    logging.basicConfig(level=logging.INFO, format="ct archive: %(message)s", stream=sys.stderr)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    store = ArchiveStore(settings.data_dir, settings.topic, settings.segment_max_records)
    try:
        with store.open():
            archiver = Archiver(settings, store)
            asyncio.run(_until_signalled(archiver))
            print(f"ct archive: stopped; {archiver.archived:,} records archived", file=sys.stderr)
    except ArchiveError as exc:
        print(f"ct archive: {exc}", file=sys.stderr)
        return 2
    return 0


async def _until_signalled(archiver: Archiver) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await archiver.run(stop)

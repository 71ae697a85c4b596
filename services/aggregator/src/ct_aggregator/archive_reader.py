"""Reading the archive back: the raw event values of a period, in the order a replay from the
topic takes them (``ct replay --from-archive``).

The selection is the topic reader's: with a start time, each partition from its first offset
whose timestamp is at or after the start (and everything after that offset); with an end
time, only records stamped at or before it. Partitions are merged by (timestamp, partition,
offset). A record's day directory is its timestamp's UTC date, so only the days that can
hold such records are read.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ct_aggregator.archive_format import (
    ArchivedRecord,
    ArchiveFormatError,
    day_of,
    decompress_records,
    sha256_hex,
)
from ct_aggregator.archive_store import day_dirs, read_manifest

#: a record as the readers sort it: (timestamp, partition, offset, value)
Sortable = tuple[int, int, int, bytes | None]


def merge_in_topic_order(records: Iterable[Sortable]) -> list[bytes]:
    """The values of ``records``, each partition's records in offset order, merged across
    partitions by (timestamp, partition, offset): the order every replay source gives."""
    by_partition: dict[int, list[Sortable]] = {}
    for record in records:
        by_partition.setdefault(record[1], []).append(record)
    for records_of_partition in by_partition.values():
        records_of_partition.sort(key=lambda r: r[2])
    merged = heapq.merge(*by_partition.values())
    return [value for *_, value in merged]  # type: ignore[misc]


def _segments(data_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for day_dir in day_dirs(data_dir):
        manifest = read_manifest(day_dir)
        found += [(day_dir, entry) for entry in (manifest or {}).get("segments", ())]
    return found


def _load(day_dir: Path, entry: dict[str, Any]) -> list[ArchivedRecord]:
    data = (day_dir / entry["file"]).read_bytes()
    if sha256_hex(data) != entry["sha256"]:
        raise ArchiveFormatError(
            f"{day_dir.name}/{entry['file']}: SHA-256 differs from the manifest "
            "(run `ct archive verify`)"
        )
    return decompress_records(data)


def _first_offsets(segments: list[tuple[Path, dict[str, Any]]], start_ms: int) -> dict[int, int]:
    """Per partition, the first offset whose timestamp is at or after ``start_ms``."""
    start_day = day_of(start_ms)
    firsts: dict[int, int] = {}

    def lower(partition: int, offset: int) -> None:
        firsts[partition] = min(firsts.get(partition, offset), offset)

    for day_dir, entry in segments:
        if day_dir.name > start_day:  # every record of a later day is after the start
            for partition, stats in entry["partitions"].items():
                lower(int(partition), int(stats["first"]))
        elif day_dir.name == start_day and entry["max_timestamp"] >= start_ms:
            for record in _load(day_dir, entry):
                if record.timestamp >= start_ms:
                    lower(record.partition, record.offset)
    return firsts


def read_archive(
    data_dir: Path, start: datetime | None = None, end: datetime | None = None
) -> list[bytes]:
    """The raw values archived in ``data_dir`` between two times (by record timestamp),
    in topic-replay order. :class:`ArchiveFormatError` if a segment is damaged."""
    segments = _segments(data_dir)
    start_ms = None if start is None else int(start.timestamp() * 1000)
    end_ms = None if end is None else int(end.timestamp() * 1000)
    firsts = None if start_ms is None else _first_offsets(segments, start_ms)
    end_day = None if end_ms is None else day_of(end_ms)
    selected: list[Sortable] = []
    for day_dir, entry in segments:
        if end_day is not None and day_dir.name > end_day:
            continue
        if firsts is not None and not any(
            int(stats["last"]) >= firsts.get(int(p), int(stats["last"]) + 1)
            for p, stats in entry["partitions"].items()
        ):
            continue
        for r in _load(day_dir, entry):
            if end_ms is not None and r.timestamp > end_ms:
                continue
            if firsts is not None and r.offset < firsts.get(r.partition, r.offset + 1):
                continue
            selected.append((r.timestamp, r.partition, r.offset, r.value))
    return merge_in_topic_order(selected)

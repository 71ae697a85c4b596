"""``ct archive verify``: every segment against its day's manifest (size, SHA-256, record
count, timestamps and per-partition first/last offset and count, each record on the right
day), and every partition's offsets contiguous from the first one archived: no gap, no
duplicate. Read-only; verify an archive no archiver is writing to, or it may see a flush
half-way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ct_aggregator.archive_format import (
    ArchivedRecord,
    ArchiveFormatError,
    decompress_records,
    segment_sequence,
    sha256_hex,
)
from ct_aggregator.archive_manifest import summarize
from ct_aggregator.archive_store import (
    JOURNAL_FILE,
    MANIFEST_FILE,
    TMP_SUFFIX,
    day_dirs,
    read_manifest,
    read_meta,
)

#: at most this many gaps or duplicates are listed per partition
MAX_LISTED = 20

Run = tuple[int, int]


@dataclass
class VerifyReport:
    """What verify found: problems (any makes it fail), notes, and what the archive holds."""

    data_dir: Path
    topic: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    days: dict[str, tuple[int, int]] = field(default_factory=dict)
    runs: dict[int, list[Run]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as printed by ``ct archive verify``."""
        out = [f"archive {self.data_dir} (topic {self.topic or '?'})"]
        out += [
            f"  {day}: {segs:,} segments, {n:,} records" for day, (segs, n) in self.days.items()
        ]
        for partition, runs in sorted(self.runs.items()):
            first, last = min(r[0] for r in runs), max(r[1] for r in runs)
            count = sum(end - start + 1 for start, end in runs)
            out.append(f"  partition {partition}: offsets {first}-{last}, {count:,} records")
        out += [f"  note: {note}" for note in self.notes]
        segments = sum(s for s, _ in self.days.values())
        records = sum(n for _, n in self.days.values())
        if self.ok:
            out.append(
                f"OK: {len(self.days)} days, {segments:,} segments, {records:,} records; "
                "every file matches its manifest; offsets contiguous, no gap, no duplicate"
            )
        else:
            out += [f"  problem: {problem}" for problem in self.problems]
            out.append(f"FAILED: {len(self.problems)} problem(s), listed above")
        return out


def _runs(offsets: Iterable[int]) -> list[Run]:
    """Sorted offsets as runs of consecutive offsets; a repeated offset starts a new run."""
    runs: list[Run] = []
    for offset in sorted(offsets):
        if runs and offset == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], offset)
        else:
            runs.append((offset, offset))
    return runs


def offset_problems(partition: int, runs: list[Run]) -> list[str]:
    """The gaps and duplicates among a partition's runs of archived offsets."""
    found: list[str] = []
    ordered = sorted(runs)
    end = ordered[0][1]
    for start, last in ordered[1:]:
        if start <= end:
            found.append(f"partition {partition}: offsets {start}-{min(last, end)} archived twice")
        elif start > end + 1:
            found.append(f"partition {partition}: gap, offsets {end + 1}-{start - 1} missing")
        end = max(end, last)
    if len(found) > MAX_LISTED:
        found = [*found[:MAX_LISTED], f"partition {partition}: ... {len(found) - MAX_LISTED} more"]
    return found


def _check_segment(
    report: VerifyReport, day_dir: Path, entry: dict[str, Any]
) -> list[ArchivedRecord]:
    where = f"{day_dir.name}/{entry['file']}"
    path = day_dir / entry["file"]
    if not path.is_file():
        report.problems.append(f"{where}: listed in the manifest but missing")
        return []
    data = path.read_bytes()
    if len(data) != entry["bytes"] or sha256_hex(data) != entry["sha256"]:
        report.problems.append(
            f"{where}: size or SHA-256 differs from the manifest (changed, truncated or damaged)"
        )
    try:
        records = decompress_records(data)
    except ArchiveFormatError as exc:
        report.problems.append(f"{where}: {exc}")
        return []
    found = summarize(entry["file"], data, records)
    for name in ("records", "min_timestamp", "max_timestamp", "partitions"):
        if found[name] != entry[name]:
            report.problems.append(f"{where}: {name} in the file differ from the manifest")
    wrong_day = sum(1 for r in records if r.day != day_dir.name)
    if wrong_day:
        report.problems.append(f"{where}: {wrong_day} records are not of day {day_dir.name}")
    wrong_topic = sum(1 for r in records if r.topic != report.topic)
    if wrong_topic:
        report.problems.append(f"{where}: {wrong_topic} records of another topic")
    return records


def _check_day(report: VerifyReport, day_dir: Path, offsets: dict[int, list[Run]]) -> None:
    try:
        manifest = read_manifest(day_dir)
    except orjson.JSONDecodeError:
        report.problems.append(f"{day_dir.name}/{MANIFEST_FILE}: not valid JSON")
        return
    files = {p.name for p in day_dir.iterdir()} - {MANIFEST_FILE}
    if manifest is None:
        if any(segment_sequence(name) for name in files):
            report.problems.append(f"{day_dir.name}: segment files but no manifest")
        return
    listed = {str(s["file"]) for s in manifest["segments"]}
    for name in sorted(files - listed):
        if name.endswith(TMP_SUFFIX):
            report.notes.append(f"{day_dir.name}/{name}: temp file of an interrupted flush")
        else:
            report.problems.append(f"{day_dir.name}/{name}: not in the manifest")
    count = 0
    for entry in manifest["segments"]:
        records = _check_segment(report, day_dir, entry)
        count += len(records)
        by_partition: dict[int, list[int]] = {}
        for record in records:
            by_partition.setdefault(record.partition, []).append(record.offset)
        for partition, found in by_partition.items():
            offsets.setdefault(partition, []).extend(_runs(found))
    report.days[day_dir.name] = (len(manifest["segments"]), count)


def verify_archive(data_dir: Path) -> VerifyReport:
    """Check the archive in ``data_dir``; the report's ``ok`` says whether it is sound."""
    report = VerifyReport(data_dir)
    meta = read_meta(data_dir) if data_dir.is_dir() else None
    if meta is None:
        report.problems.append(f"{data_dir}: no archive.json, not an archive directory")
        return report
    report.topic = meta.get("topic")
    if (data_dir / JOURNAL_FILE).exists():
        report.problems.append(
            f"{JOURNAL_FILE}: a flush was interrupted; `ct archive run` completes it at start"
        )
    offsets: dict[int, list[Run]] = {}
    for day_dir in day_dirs(data_dir):
        _check_day(report, day_dir, offsets)
    for partition, runs in sorted(offsets.items()):
        report.problems += offset_problems(partition, runs)
        report.runs[partition] = runs
    return report

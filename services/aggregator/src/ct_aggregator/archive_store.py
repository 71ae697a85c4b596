"""The archive on disk, and its atomic flush.

Layout under the data directory::

    archive.json                        {"format": 1, "topic": "contact.events.v1"}
    2026-11-23/manifest.json            the day's segments (see archive_manifest)
    2026-11-23/segment-000001.jsonl.gz  records of that UTC day (see archive_format)
    pending-flush.json                  only while a flush is being committed
    .lock                               held by the one archiver writing here

A flush is all-or-nothing, across every day it touches: each new segment version is
written to ``<segment>.tmp`` and fsynced; then the journal ``pending-flush.json`` names
them (written to a temp file and renamed: the commit point); then each temp file is renamed
over its segment and each manifest is rewritten (temp file, rename); then the journal is
removed. After a crash, :meth:`ArchiveStore.open` rolls a committed flush forward from the
journal and deletes the temp files of one that was not committed. So the archive of each
partition is always a prefix of the partition, and the next offset to fetch is read from
the manifests: no gap, no duplicate.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from io import BufferedWriter
from pathlib import Path
from typing import Any

import orjson

from ct_aggregator.archive_format import (
    ArchivedRecord,
    compress_records,
    decompress_records,
    segment_name,
    segment_sequence,
    sha256_hex,
)
from ct_aggregator.archive_manifest import (
    FORMAT_VERSION,
    Entry,
    Manifest,
    new_manifest,
    next_offsets,
    summarize,
    upsert,
)

META_FILE = "archive.json"
MANIFEST_FILE = "manifest.json"
JOURNAL_FILE = "pending-flush.json"
LOCK_FILE = ".lock"
TMP_SUFFIX = ".tmp"


class ArchiveError(RuntimeError):
    """The archive directory cannot be used as asked (the message says why)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically: a temp file, fsync, rename, fsync the dir."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    _write_synced(tmp, data)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def day_dirs(data_dir: Path) -> Iterator[Path]:
    """The day directories of an archive, oldest first."""
    if data_dir.is_dir():
        for child in sorted(data_dir.iterdir()):
            if child.is_dir() and len(child.name) == 10 and child.name[4] == "-":
                yield child


def read_manifest(day_dir: Path) -> Manifest | None:
    """A day directory's manifest, or None when it has none."""
    path = day_dir / MANIFEST_FILE
    if not path.is_file():
        return None
    manifest: Manifest = orjson.loads(path.read_bytes())
    return manifest


def read_meta(data_dir: Path) -> dict[str, Any] | None:
    """The archive's ``archive.json`` (format and topic), or None if there is none."""
    path = data_dir / META_FILE
    if not path.is_file():
        return None
    meta: dict[str, Any] = orjson.loads(path.read_bytes())
    return meta


class ArchiveStore:
    """The one writer of an archive directory. :meth:`open` before use, :meth:`close`
    after (or use it as a context manager)."""

    def __init__(self, data_dir: Path, topic: str, segment_max_records: int = 50_000) -> None:
        self.data_dir = data_dir
        self.topic = topic
        self.segment_max_records = segment_max_records
        self._lock: BufferedWriter | None = None
        self._manifests: dict[str, Manifest] = {}
        self._positions: dict[int, int] = {}

    def open(self) -> ArchiveStore:
        """Take the directory's lock, check its topic, finish or discard an interrupted
        flush, and read the manifests."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = (self.data_dir / LOCK_FILE).open("ab")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise ArchiveError(f"another archiver is writing to {self.data_dir}") from None
        self._lock = lock
        meta = read_meta(self.data_dir)
        if meta is None:
            write_atomic(
                self.data_dir / META_FILE,
                orjson.dumps({"format": FORMAT_VERSION, "topic": self.topic}),
            )
        elif meta.get("topic") != self.topic:
            self.close()
            raise ArchiveError(
                f"{self.data_dir} archives topic {meta.get('topic')!r}, not {self.topic!r}"
            )
        self._recover()
        self._manifests = {
            day.name: manifest
            for day in day_dirs(self.data_dir)
            if (manifest := read_manifest(day)) is not None
        }
        self._positions = next_offsets(self._manifests.values())
        return self

    def close(self) -> None:
        """Release the lock."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> ArchiveStore:
        return self.open() if self._lock is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def positions(self) -> dict[int, int]:
        """Per archived partition, the next offset to archive."""
        return dict(self._positions)

    def last_records(self) -> dict[int, ArchivedRecord]:
        """Per archived partition, its last archived record (read back from its segment)."""
        found: dict[int, ArchivedRecord] = {}
        for day, manifest in self._manifests.items():
            for segment in manifest["segments"]:
                wanted = {
                    int(p)
                    for p, stats in segment["partitions"].items()
                    if stats["last"] + 1 == self._positions[int(p)]
                }
                if wanted:
                    data = (self.data_dir / day / segment["file"]).read_bytes()
                    for record in decompress_records(data):
                        if (
                            record.partition in wanted
                            and record.offset + 1 == self._positions[record.partition]
                        ):
                            found[record.partition] = record
        return found

    def _recover(self) -> None:
        journal = self.data_dir / JOURNAL_FILE
        if journal.is_file():
            self._apply(orjson.loads(journal.read_bytes()))
        for day in day_dirs(self.data_dir):
            for tmp in day.glob("*" + TMP_SUFFIX):
                tmp.unlink()
        for tmp in self.data_dir.glob("*" + TMP_SUFFIX):
            tmp.unlink()

    def _apply(self, flush: list[dict[str, Any]]) -> None:
        """Rename each segment's temp file into place and record it in its manifest, then
        drop the journal (idempotent: run again after a crash half-way)."""
        for item in flush:
            day_dir = self.data_dir / item["day"]
            tmp = day_dir / (item["entry"]["file"] + TMP_SUFFIX)
            if tmp.exists():
                os.replace(tmp, day_dir / item["entry"]["file"])
            _fsync_dir(day_dir)
        for item in flush:
            day_dir = self.data_dir / item["day"]
            manifest = read_manifest(day_dir) or new_manifest(self.topic, item["day"])
            manifest = upsert(manifest, item["entry"])
            write_atomic(day_dir / MANIFEST_FILE, orjson.dumps(manifest))
            self._manifests[item["day"]] = manifest
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / JOURNAL_FILE).unlink()
        _fsync_dir(self.data_dir)

    def commit(self, records: list[ArchivedRecord]) -> None:
        """Archive ``records`` (each partition's next offsets, in order) in one atomic flush."""
        if not records:
            return
        by_day: dict[str, list[ArchivedRecord]] = {}
        for record in records:
            by_day.setdefault(record.day, []).append(record)
        flush = []
        for day, day_records in sorted(by_day.items()):
            day_records.sort(key=lambda r: (r.partition, r.offset))
            entry = self._write_segment(day, day_records)
            flush.append({"day": day, "entry": entry})
        write_atomic(self.data_dir / JOURNAL_FILE, orjson.dumps(flush))
        self._apply(flush)
        for record in records:
            self._positions[record.partition] = max(
                self._positions.get(record.partition, 0), record.offset + 1
            )

    def _write_segment(self, day: str, records: list[ArchivedRecord]) -> Entry:
        """Write the next version of the day's open segment (or a new one) to its temp file;
        return its manifest entry."""
        day_dir = self.data_dir / day
        day_dir.mkdir(exist_ok=True)
        segments = self._manifests.get(day, new_manifest(self.topic, day))["segments"]
        last: Entry | None = segments[-1] if segments else None
        old = b""
        if last is not None and last["records"] < self.segment_max_records:
            old = (day_dir / last["file"]).read_bytes()
            if sha256_hex(old) != last["sha256"]:
                last, old = None, b""  # damaged on disk: leave it to `verify`, start anew
        if last is None or not old:
            numbers = [segment_sequence(str(s["file"])) or 0 for s in segments]
            numbers += [segment_sequence(p.name) or 0 for p in day_dir.iterdir()]
            name, base = segment_name(max(numbers, default=0) + 1), None
        else:
            name, base = last["file"], last
        data = old + compress_records(records)
        _write_synced(day_dir / (name + TMP_SUFFIX), data)
        return summarize(name, data, records, base)

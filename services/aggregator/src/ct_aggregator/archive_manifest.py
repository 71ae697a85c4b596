"""A day's manifest: the segments of that day with, for each, its record count, size,
SHA-256, timestamp range and, per partition, the first and last offset and the count.

``manifest.json`` in a day directory::

    {"format": 1, "topic": "contact.events.v1", "day": "2026-11-23",
     "segments": [{"file": "segment-000001.jsonl.gz", "records": 2, "bytes": 181,
                   "sha256": "...", "min_timestamp": ..., "max_timestamp": ...,
                   "partitions": {"0": {"first": 0, "last": 1, "count": 2}}}]}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ct_aggregator.archive_format import ArchivedRecord, sha256_hex

FORMAT_VERSION = 1

Entry = dict[str, Any]
Manifest = dict[str, Any]


def new_manifest(topic: str, day: str) -> Manifest:
    """An empty manifest for ``day``."""
    return {"format": FORMAT_VERSION, "topic": topic, "day": day, "segments": []}


def summarize(
    file: str, data: bytes, records: Iterable[ArchivedRecord], base: Entry | None = None
) -> Entry:
    """The manifest entry of segment ``file`` whose bytes are ``data``: ``base`` (the entry
    of the bytes it extends, if any) plus ``records``, the records appended to it."""
    partitions: dict[str, dict[str, int]] = {
        p: dict(stats) for p, stats in (base or {}).get("partitions", {}).items()
    }
    count = int((base or {}).get("records", 0))
    low: int | None = (base or {}).get("min_timestamp")
    high: int | None = (base or {}).get("max_timestamp")
    for record in records:
        count += 1
        low = record.timestamp if low is None else min(low, record.timestamp)
        high = record.timestamp if high is None else max(high, record.timestamp)
        stats = partitions.setdefault(
            str(record.partition), {"first": record.offset, "last": record.offset, "count": 0}
        )
        stats["first"] = min(stats["first"], record.offset)
        stats["last"] = max(stats["last"], record.offset)
        stats["count"] += 1
    return {
        "file": file,
        "records": count,
        "bytes": len(data),
        "sha256": sha256_hex(data),
        "min_timestamp": low,
        "max_timestamp": high,
        "partitions": dict(sorted(partitions.items(), key=lambda item: int(item[0]))),
    }


def upsert(manifest: Manifest, entry: Entry) -> Manifest:
    """``manifest`` with ``entry`` replacing the segment of the same file, or added;
    segments stay sorted by file name."""
    others = [s for s in manifest["segments"] if s["file"] != entry["file"]]
    segments = sorted([*others, entry], key=lambda s: str(s["file"]))
    return {**manifest, "segments": segments}


def next_offsets(manifests: Iterable[Manifest]) -> dict[int, int]:
    """Per partition, the offset after the last one archived in any of ``manifests``."""
    positions: dict[int, int] = {}
    for manifest in manifests:
        for segment in manifest["segments"]:
            for partition, stats in segment["partitions"].items():
                p = int(partition)
                positions[p] = max(positions.get(p, 0), int(stats["last"]) + 1)
    return positions

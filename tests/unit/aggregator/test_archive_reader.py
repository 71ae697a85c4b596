"""Reading the archive back: topic-replay order, and the topic reader's time selection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ct_aggregator.archive_format import ArchiveFormatError
from ct_aggregator.archive_reader import merge_in_topic_order, read_archive
from ct_aggregator.archive_store import ArchiveStore
from tests.unit.aggregator.archive_records import LATE_23RD, TOPIC, record


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _names(values: list[bytes]) -> list[str]:
    return [v.decode() for v in values]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Partition 0 stamped 0, 2000, 1000 (out of order), 3000 ms after LATE_23RD (offsets
    0-3; across midnight); partition 1 stamped 1000 and 2000 (offsets 0-1)."""
    stamps = {0: (0, 2000, 1000, 3000), 1: (1000, 2000)}
    records = [
        record(p, o, LATE_23RD + ms, value=b"p%do%d" % (p, o))
        for p, times in stamps.items()
        for o, ms in enumerate(times)
    ]
    with ArchiveStore(tmp_path, TOPIC).open() as store:
        store.commit(records[:3])
        store.commit(records[3:])
    return tmp_path


def test_everything_in_topic_order(archive: Path) -> None:
    # per partition in offset order, merged by (timestamp, partition, offset)
    assert _names(read_archive(archive)) == ["p0o0", "p1o0", "p0o1", "p0o2", "p1o1", "p0o3"]


@pytest.mark.parametrize(
    ("start_ms", "end_ms", "expected"),
    [
        # from the first offset stamped at or after the start, as the topic reader seeks:
        # p0o2 (stamped 1000) comes after p0o1 (2000), so it is in
        (2000, None, ["p0o1", "p0o2", "p1o1", "p0o3"]),
        (None, 1000, ["p0o0", "p0o2", "p1o0"]),
        (1000, 2000, ["p1o0", "p0o1", "p0o2", "p1o1"]),
        (3001, None, []),
        (None, -1, []),
    ],
)
def test_a_period_selects_like_the_topic_reader(
    archive: Path, start_ms: int | None, end_ms: int | None, expected: list[str]
) -> None:
    start = None if start_ms is None else _at(LATE_23RD + start_ms)
    end = None if end_ms is None else _at(LATE_23RD + end_ms)
    assert _names(read_archive(archive, start, end)) == expected


def test_merge_order_of_tuples() -> None:
    records = [(5, 1, 0, b"a"), (1, 0, 1, b"c"), (1, 0, 0, b"b"), (1, 1, 1, b"d")]
    # partition 0 in offset order: b (ts 1), c (ts 1); partition 1: a (ts 5), d (ts 1)
    assert merge_in_topic_order(records) == [b"b", b"c", b"a", b"d"]


def test_a_damaged_segment_is_refused(archive: Path) -> None:
    segment = next(archive.glob("*/segment-*.jsonl.gz"))
    segment.write_bytes(segment.read_bytes() + b"x")
    with pytest.raises(ArchiveFormatError, match="SHA-256 differs"):
        read_archive(archive)

"""The archive on disk: daily segments and manifests, atomic flushes, recovery after a
crash at each step, and the resume position read from the files."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from ct_aggregator.archive_format import decompress_records
from ct_aggregator.archive_store import (
    JOURNAL_FILE,
    ArchiveError,
    ArchiveStore,
    read_manifest,
    write_atomic,
)
from tests.unit.aggregator.archive_records import LATE_23RD, TOPIC, run_of


def _store(path: Path, segment_max_records: int = 1000) -> ArchiveStore:
    return ArchiveStore(path, TOPIC, segment_max_records).open()


def test_a_flush_splits_records_by_utc_day_and_lists_them(tmp_path: Path) -> None:
    # partition 0's offsets 0..3 run from 23:59:59 UTC over midnight
    after_midnight = run_of(0, 2, 3, ts=LATE_23RD + 1000)
    store = _store(tmp_path)
    store.commit([*run_of(0, 0, 1), *run_of(1, 0, 2), *after_midnight])
    store.close()
    days = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert days == ["2026-11-23", "2026-11-24"]
    first = read_manifest(tmp_path / "2026-11-23")
    second = read_manifest(tmp_path / "2026-11-24")
    assert first is not None and second is not None
    (entry,) = first["segments"]
    assert entry["file"] == "segment-000001.jsonl.gz"
    assert entry["records"] == 5
    assert entry["partitions"] == {
        "0": {"first": 0, "last": 1, "count": 2},
        "1": {"first": 0, "last": 2, "count": 3},
    }
    assert second["segments"][0]["partitions"] == {"0": {"first": 2, "last": 3, "count": 2}}
    stored = decompress_records((tmp_path / "2026-11-24" / "segment-000001.jsonl.gz").read_bytes())
    assert [(r.partition, r.offset) for r in stored] == [(0, 2), (0, 3)]
    assert not (tmp_path / JOURNAL_FILE).exists()


def test_flushes_extend_a_segment_up_to_its_size_then_number_the_next(tmp_path: Path) -> None:
    store = _store(tmp_path, segment_max_records=4)
    for first in range(0, 10, 3):  # flushes of 3, 3, 3 and 1 records
        store.commit(run_of(0, first, min(first + 2, 9)))
    store.close()
    manifest = read_manifest(tmp_path / "2026-11-23")
    assert manifest is not None
    assert [(s["file"][-15:-9], s["records"]) for s in manifest["segments"]] == [
        ("000001", 6),
        ("000002", 4),
    ]
    assert manifest["segments"][0]["partitions"]["0"] == {"first": 0, "last": 5, "count": 6}


def test_restart_resumes_after_the_last_archived_offset(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        store.commit([*run_of(0, 0, 4), *run_of(2, 0, 1)])
        store.commit(run_of(0, 5, 6))
    with _store(tmp_path) as store:
        assert store.positions() == {0: 7, 2: 2}


def _crash_after_writing_segments(store: ArchiveStore, commit_journal: bool) -> None:
    """What a SIGKILL leaves: temp segments written, the journal written or not."""
    records = [*run_of(0, 3, 5), *run_of(1, 0, 0)]
    flush = [{"day": "2026-11-23", "entry": store._write_segment("2026-11-23", records)}]
    if commit_journal:
        write_atomic(store.data_dir / JOURNAL_FILE, orjson.dumps(flush))


@pytest.mark.parametrize("committed", [True, False])
def test_a_crash_mid_flush_leaves_a_prefix_and_no_temp_file(
    tmp_path: Path, committed: bool
) -> None:
    store = _store(tmp_path)
    store.commit(run_of(0, 0, 2))
    _crash_after_writing_segments(store, commit_journal=committed)
    store.close()
    assert list((tmp_path / "2026-11-23").glob("*.tmp"))
    with _store(tmp_path) as reopened:
        # committed: rolled forward; not committed: the temp files are dropped
        assert reopened.positions() == ({0: 6, 1: 1} if committed else {0: 3})
    assert not list((tmp_path / "2026-11-23").glob("*.tmp"))
    assert not (tmp_path / JOURNAL_FILE).exists()
    data = (tmp_path / "2026-11-23" / "segment-000001.jsonl.gz").read_bytes()
    assert len(decompress_records(data)) == (7 if committed else 3)


def test_a_crash_after_the_rename_before_the_manifest_is_rolled_forward(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.commit(run_of(0, 0, 2))
    _crash_after_writing_segments(store, commit_journal=True)
    tmp = next((tmp_path / "2026-11-23").glob("*.tmp"))
    tmp.replace(tmp.with_suffix(""))  # the segment renamed, then the crash
    store.close()
    with _store(tmp_path) as reopened:
        assert reopened.positions() == {0: 6, 1: 1}
    manifest = read_manifest(tmp_path / "2026-11-23")
    assert manifest is not None and manifest["segments"][0]["records"] == 7


def test_one_writer_per_directory_and_one_topic(tmp_path: Path) -> None:
    first = _store(tmp_path)
    with pytest.raises(ArchiveError, match="another archiver"):
        ArchiveStore(tmp_path, TOPIC).open()
    first.close()
    with pytest.raises(ArchiveError, match=re.escape(f"archives topic '{TOPIC}', not 'other'")):
        ArchiveStore(tmp_path, "other").open()


def test_a_damaged_open_segment_is_not_extended(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.commit(run_of(0, 0, 2))
    segment = tmp_path / "2026-11-23" / "segment-000001.jsonl.gz"
    damaged = segment.read_bytes()[:-5]
    segment.write_bytes(damaged)
    store.commit(run_of(0, 3, 4))
    store.close()
    assert segment.read_bytes() == damaged  # left as found, for verify to report
    manifest = read_manifest(tmp_path / "2026-11-23")
    assert manifest is not None
    assert [s["file"] for s in manifest["segments"]][-1] == "segment-000002.jsonl.gz"

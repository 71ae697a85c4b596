"""``ct archive verify``: a sound archive passes; every kind of damage, gap and duplicate
fails with a message that names the file or the offsets."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ct_aggregator.archive_format import compress_records
from ct_aggregator.archive_manifest import summarize, upsert
from ct_aggregator.archive_store import JOURNAL_FILE, ArchiveStore, read_manifest
from ct_aggregator.archive_verify import offset_problems, verify_archive
from ct_cli.main import main
from tests.unit.aggregator.archive_records import LATE_23RD, TOPIC, record, run_of

DAY = "2026-11-23"
SEGMENT = "segment-000001.jsonl.gz"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Partitions 0 and 1, offsets 0-9 and 0-4, over two days and three flushes."""
    with ArchiveStore(tmp_path, TOPIC).open() as store:
        store.commit([*run_of(0, 0, 3), *run_of(1, 0, 4)])
        store.commit(run_of(0, 4, 6))
        store.commit(run_of(0, 7, 9, ts=LATE_23RD + 5000))
    return tmp_path


def test_a_sound_archive_passes(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = verify_archive(archive)
    assert report.ok, report.problems
    assert report.days == {DAY: (1, 12), "2026-11-24": (1, 3)}
    assert main(["archive", "verify", "--data-dir", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "partition 0: offsets 0-9, 10 records" in out
    assert "partition 1: offsets 0-4, 5 records" in out
    assert out.splitlines()[-1].startswith("OK: 2 days, 2 segments, 15 records")


def _fails_with(archive: Path, *fragments: str) -> None:
    report = verify_archive(archive)
    assert not report.ok
    for fragment in fragments:
        assert any(fragment in problem for problem in report.problems), report.problems
    assert report.lines()[-1].startswith("FAILED")


def test_a_truncated_segment_fails(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    segment = archive / DAY / SEGMENT
    segment.write_bytes(segment.read_bytes()[:-20])
    _fails_with(
        archive,
        f"{DAY}/{SEGMENT}: size or SHA-256 differs from the manifest",
        f"{DAY}/{SEGMENT}: truncated or corrupt gzip data",
    )
    assert main(["archive", "verify", "--data-dir", str(archive)]) == 1
    assert "truncated or corrupt gzip data" in capsys.readouterr().out


def test_a_changed_byte_fails_on_the_checksum(archive: Path) -> None:
    segment = archive / DAY / SEGMENT
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0x01
    segment.write_bytes(bytes(data))
    _fails_with(archive, f"{DAY}/{SEGMENT}: size or SHA-256 differs")


def test_missing_unlisted_and_leftover_files(archive: Path) -> None:
    (archive / "2026-11-24" / SEGMENT).unlink()
    (archive / DAY / "segment-000009.jsonl.gz").write_bytes(compress_records([record(0, 0)]))
    (archive / DAY / "segment-000002.jsonl.gz.tmp").write_bytes(b"")
    (archive / JOURNAL_FILE).write_bytes(b"[]")
    _fails_with(
        archive,
        f"2026-11-24/{SEGMENT}: listed in the manifest but missing",
        f"{DAY}/segment-000009.jsonl.gz: not in the manifest",
        "a flush was interrupted",
    )
    assert any("temp file of an interrupted flush" in n for n in verify_archive(archive).notes)


def _add_segment(archive: Path, day: str, name: str, records: list) -> None:  # type: ignore[type-arg]
    data = compress_records(records)
    (archive / day).mkdir(exist_ok=True)
    (archive / day / name).write_bytes(data)
    manifest = read_manifest(archive / day) or {"topic": TOPIC, "day": day, "segments": []}
    manifest = upsert(manifest, summarize(name, data, records))
    (archive / day / "manifest.json").write_bytes(orjson.dumps(manifest))


def test_gaps_and_duplicates_are_named_by_offset(archive: Path) -> None:
    _add_segment(archive, DAY, "segment-000002.jsonl.gz", [*run_of(1, 3, 4), *run_of(1, 8, 8)])
    _fails_with(
        archive,
        "partition 1: offsets 3-4 archived twice",
        "partition 1: gap, offsets 5-7 missing",
    )


def test_a_record_filed_under_another_day_fails(archive: Path) -> None:
    _add_segment(archive, "2026-11-25", SEGMENT, run_of(1, 5, 5))
    _fails_with(archive, f"2026-11-25/{SEGMENT}: 1 records are not of day 2026-11-25")


def test_a_manifest_that_disagrees_with_its_file_fails(archive: Path) -> None:
    path = archive / DAY / "manifest.json"
    manifest = orjson.loads(path.read_bytes())
    manifest["segments"][0]["partitions"]["1"]["last"] = 5
    path.write_bytes(orjson.dumps(manifest))
    _fails_with(archive, f"{DAY}/{SEGMENT}: partitions in the file differ from the manifest")


def test_not_an_archive(tmp_path: Path) -> None:
    _fails_with(tmp_path, "no archive.json, not an archive directory")


@pytest.mark.parametrize(
    ("runs", "problems"),
    [
        ([(0, 4), (5, 9)], []),
        ([(5, 9), (0, 4)], []),
        ([(0, 4), (4, 6)], ["partition 2: offsets 4-4 archived twice"]),
        ([(0, 9), (3, 5)], ["partition 2: offsets 3-5 archived twice"]),
        ([(0, 4), (7, 9)], ["partition 2: gap, offsets 5-6 missing"]),
        ([(10, 12)], []),  # contiguous from the first archived offset
    ],
)
def test_offset_runs(runs: list[tuple[int, int]], problems: list[str]) -> None:
    assert offset_problems(2, runs) == problems

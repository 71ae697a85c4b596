"""The archive's line and segment format: exact bytes back, the UTC day, damaged data."""

from __future__ import annotations

import gzip

import orjson
import pytest

from ct_aggregator.archive_format import (
    ArchivedRecord,
    ArchiveFormatError,
    compress_records,
    day_of,
    decode_record,
    decompress_records,
    encode_record,
    segment_name,
    segment_sequence,
)
from tests.unit.aggregator.archive_records import LATE_23RD, TOPIC, record


@pytest.mark.parametrize(
    ("key", "value", "stored_as_text"),
    [
        (b"c-1", b'{"event_id": "e1",  "note": "caf\xc3\xa9"}', True),  # spacing kept
        (b"c-2", b'{"a":1}\n', True),
        (None, b"\xff\xfe not utf-8", False),
        (b"\x00\x9f", None, False),
    ],
)
def test_values_come_back_byte_identical(
    key: bytes | None, value: bytes | None, stored_as_text: bool
) -> None:
    original = ArchivedRecord(TOPIC, 3, 17, LATE_23RD, key, value, (("h", b"\x01\x02"),))
    line = encode_record(original)
    assert decode_record(line) == original
    stored = orjson.loads(line)
    assert stored["topic"] == TOPIC and stored["partition"] == 3 and stored["offset"] == 17
    assert stored["timestamp"] == LATE_23RD
    if value is not None and stored_as_text:
        assert stored["value"] == value.decode() and "value_b64" not in stored
    elif value is not None:
        assert stored["value_b64"] is True


@pytest.mark.parametrize(
    ("offset_ms", "day"),
    [(-1, "2026-11-23"), (0, "2026-11-23"), (999, "2026-11-23"), (1000, "2026-11-24")],
)
def test_a_record_belongs_to_the_utc_date_of_its_timestamp(offset_ms: int, day: str) -> None:
    assert day_of(LATE_23RD + offset_ms) == day


def test_a_segment_of_several_flushes_reads_as_one_stream() -> None:
    first, second = [record(0, 0), record(1, 0)], [record(0, 1)]
    data = compress_records(first) + compress_records(second)
    assert decompress_records(data) == [*first, *second]
    assert gzip.decompress(data).count(b"\n") == 3


def test_truncated_or_malformed_data_is_reported() -> None:
    data = compress_records([record(0, o) for o in range(50)])
    with pytest.raises(ArchiveFormatError, match="truncated or corrupt gzip"):
        decompress_records(data[: len(data) // 2])
    bad_line = gzip.compress(encode_record(record(0, 0)) + b"\n" + b'{"topic": "x"}\n')
    with pytest.raises(ArchiveFormatError, match="line 2: not an archive line"):
        decompress_records(bad_line)
    negative = orjson.dumps({**orjson.loads(encode_record(record(0, 0))), "offset": -1})
    with pytest.raises(ArchiveFormatError, match="wrong type"):
        decode_record(negative)


@pytest.mark.parametrize(
    ("name", "sequence"),
    [(segment_name(7), 7), ("segment-000007.jsonl.gz.tmp", None), ("manifest.json", None)],
)
def test_segment_names(name: str, sequence: int | None) -> None:
    assert segment_sequence(name) == sequence

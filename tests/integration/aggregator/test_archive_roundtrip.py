"""The archiver on the embedded broker: a 4-partition topic archived and read back byte for
byte in the topic reader's order; a restart goes on where the files end; --offsets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ct_aggregator.archive_reader import read_archive
from ct_aggregator.archive_verify import verify_archive
from ct_cli.replay import read_topic
from tests.integration.aggregator.archive_kafka import (
    Message,
    archive_until,
    consume_all,
    new_topic,
    produce,
    settings_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _messages(first: int, count: int) -> list[Message]:
    """JSON events on every partition, plus some values that are not UTF-8 and null keys."""
    found: list[Message] = []
    for n in range(first, first + count):
        value = b'{"event_id": "e-%d",  "n": %d}' % (n, n)
        if n % 97 == 0:
            value = b"\xff\x00raw-%d" % n
        found.append((n % 4, None if n % 50 == 0 else b"contact-%d" % (n % 37), value, None))
    return found


def test_archive_reads_back_byte_identical_in_topic_order(
    kafka_broker: str, tmp_path: Path
) -> None:
    topic = new_topic(kafka_broker)
    first = _messages(0, 1500)
    asyncio.run(produce(kafka_broker, topic, first))
    settings = settings_for(kafka_broker, topic, tmp_path / "archive")

    assert archive_until(settings, 1500) == 1500
    from_archive = read_archive(settings.data_dir)
    assert from_archive == consume_all(kafka_broker, topic, 1500)
    assert sorted(from_archive) == sorted(value for *_, value, _ in first)
    report = verify_archive(settings.data_dir)
    assert report.ok, report.problems
    assert sorted(report.runs) == [0, 1, 2, 3]

    # a second run resumes after the last archived offset of each partition
    more = _messages(1500, 500)
    asyncio.run(produce(kafka_broker, topic, more))
    assert archive_until(settings, 2000) == 500
    report = verify_archive(settings.data_dir)
    assert report.ok, report.problems
    assert {p: runs for p, runs in report.runs.items()} == {p: [(0, 499)] for p in range(4)}
    assert read_archive(settings.data_dir) == consume_all(kafka_broker, topic, 2000)


def test_topic_replay_takes_offset_ranges_per_partition(kafka_broker: str) -> None:
    topic = new_topic(kafka_broker)
    # offsets 0-9 per partition; one record per batch, for the end offsets Tansu reports
    asyncio.run(produce(kafka_broker, topic, _messages(0, 40), one_by_one=True))
    chosen = read_topic(kafka_broker, topic=topic, offsets={1: (2, 4), 3: (9, 20)})
    # partition 1 holds n = 1, 5, 9, ...: offsets 2-4 are n = 9, 13, 17; partition 3's
    # offset 9 is n = 39; merged by timestamp, then partition
    values = {v.split(b",")[0] for v in chosen}
    assert values == {b'{"event_id": "e-%d"' % n for n in (9, 13, 17, 39)}
    assert len(chosen) == 4

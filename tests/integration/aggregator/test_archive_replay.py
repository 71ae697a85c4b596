"""``ct replay --from-archive`` gives the same JSON as ``ct replay --from-file`` of the same
events, and its --from-time/--to-time select by record timestamp."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from ct_cli.main import main
from ct_cli.replay import read_jsonl
from tests.integration.aggregator.archive_kafka import (
    archive_until,
    new_topic,
    produce,
    settings_for,
)
from tests.phone_scenario import POSTS

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

#: record timestamps one second apart from 2026-11-23T09:00:00Z
BASE_MS = int(datetime(2026, 11, 23, 9, tzinfo=UTC).timestamp() * 1000)


def _replay(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["replay", *args, "--json", "--no-progress"]) == 0
    return capsys.readouterr().out


def test_replay_from_archive_equals_replay_from_file(
    kafka_broker: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the scenario's calls a day earlier too, so the period spans two days
    earlier = [
        {
            **b,
            "event_id": f"d1-{b['event_id']}",
            "contact_id": f"d1-{b['contact_id']}",
            "occurred_at": str(b["occurred_at"]).replace("2026-11-23", "2026-11-22"),
        }
        for b in POSTS
    ]
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"".join(orjson.dumps(b) + b"\n" for b in [*earlier, *POSTS]))
    # on the topic in the order a file replay takes them, keyed by contact, stamped in turn
    ordered = read_jsonl(events)
    topic = new_topic(kafka_broker)
    messages = [
        (None, orjson.loads(value)["contact_id"].encode(), value, BASE_MS + 1000 * n)
        for n, value in enumerate(ordered)
    ]
    asyncio.run(produce(kafka_broker, topic, messages))
    archive = tmp_path / "archive"
    archive_until(settings_for(kafka_broker, topic, archive), len(messages))

    from_file = _replay(capsys, "--from-file", str(events))
    from_archive = _replay(capsys, "--from-archive", str(archive))
    assert from_archive == from_file
    figures = orjson.loads(from_archive)["scopes"]["phone/council_tax"]
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (20, 16, 4)

    # the first half of the records by record timestamp: fewer calls
    k = len(messages) // 2
    half = datetime.fromtimestamp((BASE_MS + 1000 * (k - 1)) / 1000, UTC).isoformat()
    first_half = orjson.loads(_replay(capsys, "--from-archive", str(archive), "--to-time", half))
    assert first_half["events"] == k
    second_half = orjson.loads(_replay(capsys, "--from-archive", str(archive), "--from-time", half))
    assert second_half["events"] == len(messages) - k + 1


def test_a_damaged_archive_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = tmp_path / "2026-11-23"
    day.mkdir()
    (tmp_path / "archive.json").write_bytes(b'{"format": 1, "topic": "contact.events.v1"}')
    (day / "manifest.json").write_bytes(
        orjson.dumps(
            {
                "segments": [
                    {"file": "segment-000001.jsonl.gz", "sha256": "0" * 64, "partitions": {}}
                ]
            }
        )
    )
    (day / "segment-000001.jsonl.gz").write_bytes(b"not gzip")
    assert main(["replay", "--from-archive", str(tmp_path), "--no-progress"]) == 2
    assert "SHA-256 differs from the manifest" in capsys.readouterr().err

"""A real faust worker against the embedded broker: poison records land in the
dead-letter topic with their reason in headers, and the worker keeps counting."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contact_events import encode_event, parse_event
from ct_broker.embedded import EmbeddedBroker
from ct_broker.topics import (
    CONTACT_EVENTS,
    CONTACT_EVENTS_DLQ,
    SLA_METRICS,
    ensure_topics,
    pipeline_topics,
)
from tests.phone_scenario import POSTS

pytestmark = pytest.mark.integration

POISON = [
    b"not json at all",
    b'{"valid": "json", "wrong": "shape"}',
    orjson.dumps({**POSTS[0], "type": "call.teleported", "event_id": "poison-1"}),
    orjson.dumps({**POSTS[0], "occurred_at": "2026-11-23T10:00:00", "event_id": "poison-2"}),
]


async def _produce(bootstrap: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        good = [parse_event(body) for body in POSTS]
        half = len(good) // 2
        for event in good[:half]:
            await producer.send_and_wait(
                CONTACT_EVENTS, encode_event(event), key=event.contact_id.encode()
            )
        for raw in POISON:
            await producer.send_and_wait(CONTACT_EVENTS, raw, key=b"poison")
        for event in good[half:]:
            await producer.send_and_wait(
                CONTACT_EVENTS, encode_event(event), key=event.contact_id.encode()
            )
    finally:
        await producer.stop()


async def _read(bootstrap: str, topic: str, until: int, timeout_s: float) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(records) < until and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


@pytest.fixture
def kafka_broker(tmp_path: Path) -> Iterator[str]:
    """A broker of its own: the session's carries other tests' records on the same topics,
    and this test counts every dead letter and every call."""
    with EmbeddedBroker(log_path=tmp_path / "broker.log") as broker:
        yield broker.bootstrap_servers


def test_poison_goes_to_dlq_and_good_events_are_counted(kafka_broker: str, tmp_path: Path) -> None:
    asyncio.run(ensure_topics(kafka_broker, pipeline_topics(4)))
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_broker,
        "CT_MONITOR_APP_ID": "dlq-test",
        "CT_MONITOR_DATA_DIR": str(tmp_path),
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "ct_cli.main", "sla-monitor"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        asyncio.run(_produce(kafka_broker))
        dead = asyncio.run(_read(kafka_broker, CONTACT_EVENTS_DLQ, len(POISON), 60))
        assert [r.value for r in dead] == POISON
        for record in dead:
            headers = dict(record.headers)
            assert headers["ct-reason"] == b"invalid_event"
            rules = {e["rule"] for e in orjson.loads(headers["ct-errors"])}
            assert rules  # each names at least one rule
        rules_by_record = [
            {e["rule"] for e in orjson.loads(dict(r.headers)["ct-errors"])} for r in dead
        ]
        assert "json_invalid" in rules_by_record[0]
        assert "union_tag_invalid" in rules_by_record[2]
        assert "timezone_aware" in rules_by_record[3]

        # the good events around the poison are all counted: the final snapshot is exact
        deadline = time.monotonic() + 60
        offered = None
        while time.monotonic() < deadline and offered != 10:
            snaps = asyncio.run(_read(kafka_broker, SLA_METRICS, 10_000, 2))
            latest = [orjson.loads(r.value) for r in snaps if r.key == b"phone/council_tax"]
            if latest:
                offered = latest[-1]["windows"]["today"]["offered"]
        assert offered == 10
        assert worker.poll() is None, "the worker stopped"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()

"""#6: poison written straight to ``contact.events.v1``, between good events: binary that
is not UTF-8, JSON that is not an object, 900 KB values, timestamps far in the future or
the past or beyond the calendar, a tombstone. Each lands in ``contact.events.dlq.v1`` with
its reason in headers; the worker never stops; every good event around them is counted.

(``tests/integration/sla_monitor/test_worker_dead_letters.py`` already covers plain text,
a wrong-shaped object, an unknown type and a timestamp without offset.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer

from ct_broker.topics import CONTACT_EVENTS, CONTACT_EVENTS_DLQ
from tests.reliability.support import FaultyPipeline, kpi_rows, read_topic, wait_until
from tests.reliability.traffic import call_events, clean_run_rows, comparable, post_all

pytestmark = pytest.mark.timeout(180)

GOOD = call_events("poison-good", 60, queue="housing")
TEMPLATE = GOOD[0]
BIG = 900 * 1024


def _event(**changes: object) -> bytes:
    return orjson.dumps({**TEMPLATE, "event_id": f"poison-{len(str(changes))}", **changes})


#: (value, the ct-errors rule expected; None: any reason the monitor gives)
POISON: list[tuple[bytes | None, str | None]] = [
    (b"\xff\xfe\x00binary, not UTF-8", "json_invalid"),
    (b"[1, 2, 3]", "object_type"),
    (b"null", "object_type"),
    (b"", "json_invalid"),
    (b"x" * BIG, "json_invalid"),
    (_event(contact_id="c" * BIG), "string_too_long"),
    (orjson.dumps({"type": "call.queued", "padding": "p" * BIG}), None),
    (_event(type="call.beamed_up", rings=3), "union_tag_invalid"),
    (_event(occurred_at="2199-01-01T00:00:00+00:00"), "too_far_in_future"),
    (_event(occurred_at="9999-12-31T23:59:59-05:00"), "out_of_range"),
    (_event(occurred_at="1970-01-01T00:00:00+00:00"), "too_far_in_past"),
    (_event(occurred_at="0001-01-01T00:00:00+00:00"), "too_far_in_past"),
    (_event(occurred_at="0001-01-01T00:30:00+01:00"), "out_of_range"),
    (None, None),  # a tombstone
]


async def _write_poison(bootstrap: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=2**21)
    await producer.start()
    try:
        for n, (value, _) in enumerate(POISON):
            await producer.send_and_wait(CONTACT_EVENTS, value, key=f"poison-{n}".encode())
    finally:
        await producer.stop()


def test_poison_goes_to_the_dlq_with_its_reason_and_good_events_count(tmp_path: Path) -> None:
    with FaultyPipeline(tmp_path) as pipeline:
        post_all(pipeline.ingest_url, GOOD[:90])
        asyncio.run(_write_poison(pipeline.bootstrap))
        post_all(pipeline.ingest_url, GOOD[90:])
        dead = asyncio.run(
            read_topic(pipeline.bootstrap, CONTACT_EVENTS_DLQ, min_records=len(POISON))
        )
        wanted = comparable(clean_run_rows(GOOD))
        live = wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == wanted,
            timeout_s=60,
        )
        stats = wait_until(
            lambda: httpx.get(f"{pipeline.api_url}/v1/dlq/stats", timeout=5).json(),
            lambda body: body["total"] >= len(POISON),
            timeout_s=30,
        )
        assert pipeline.alive()["sla-monitor"], "the worker stopped"

    assert len(dead) == len(POISON)
    by_key = {r.key: r for r in dead}
    for n, (value, rule) in enumerate(POISON):
        record = by_key[f"poison-{n}".encode()]
        assert record.value == value, f"poison {n} was not kept as it came"
        headers = dict(record.headers)
        assert headers["ct-reason"] in (b"invalid_event", b"processing_error")
        rules = {e["rule"] for e in orjson.loads(headers["ct-errors"])}
        if rule is not None:
            assert headers["ct-reason"] == b"invalid_event"
            assert rule in rules, (n, rules)
    assert stats["total"] == len(POISON)
    assert live == wanted

"""#3: the same event posted three times, and a whole batch re-sent after a 503 whose
records the broker had in fact written (the acknowledgement came too late), are counted
once: the figures equal a clean run of the events, each processed once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import orjson
import pytest

from ct_broker.topics import CONTACT_EVENTS
from tests.reliability.support import FaultyPipeline, kpi_rows, read_topic, wait_until
from tests.reliability.traffic import (
    call_events,
    clean_run_rows,
    comparable,
    post_all,
    post_batch,
)

pytestmark = pytest.mark.timeout(180)

#: ingest waits this long for an acknowledgement; the link holds each chunk longer
ACK_TIMEOUT_S = 1.0
LINK_DELAY_S = 1.6


def test_repeated_posts_and_a_batch_resent_after_503_count_once(tmp_path: Path) -> None:
    events = call_events("dup", 120)
    thrice, resent, rest = events[:30], events[30:90], events[90:]
    env = {"KAFKA_REQUEST_TIMEOUT_S": str(ACK_TIMEOUT_S)}
    with (
        FaultyPipeline(tmp_path, env) as pipeline,
        httpx.Client(base_url=pipeline.ingest_url, timeout=30) as client,
    ):
        for event in thrice:
            for _ in range(3):
                response = client.post("/v1/events", content=orjson.dumps(event))
                assert response.status_code == 202, response.text

        pipeline.link.delay(LINK_DELAY_S)  # the broker writes, ingest gives up waiting
        refused = post_batch(client, resent)
        pipeline.link.heal()
        assert refused.status_code == 503, refused.text[:300]
        assert refused.headers["retry-after"]
        assert refused.json()["accepted"] < len(resent)
        accepted = wait_until(
            lambda: post_batch(client, resent),
            lambda r: r.status_code == 200,
            timeout_s=30,
            every_s=1.0,
        )
        assert accepted.json()["accepted"] == len(resent)
        post_all(pipeline.ingest_url, rest)

        wanted = comparable(clean_run_rows(events))
        live = wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == wanted,
            timeout_s=60,
        )
        on_topic = asyncio.run(read_topic(pipeline.bootstrap, CONTACT_EVENTS, min_records=1))

    ids = [orjson.loads(r.value)["event_id"] for r in on_topic]
    # the faults really put duplicates on the topic: 3 copies of each, and the re-sent batch
    assert all(ids.count(e["event_id"]) == 3 for e in thrice)
    assert sum(ids.count(e["event_id"]) for e in resent) > len(resent)
    assert set(ids) == {e["event_id"] for e in events}
    assert live == wanted
    assert sum(r["offered"] for k, r in live.items() if k[1:] == ("all", "today")) > 0

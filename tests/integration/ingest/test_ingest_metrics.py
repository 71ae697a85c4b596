"""Ingest's own GET /metrics: requests by route and code, events by source and outcome,
publish durations. Without configured sources every event counts as source "unknown"."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.timeout(30)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_requests_events_and_publish_time_are_counted(
    client: httpx.AsyncClient, make_event: Any
) -> None:
    event, other = make_event(), make_event()
    batch = {"events": [other, other, make_event(queue="")]}

    assert (await client.post("/v1/events", content=orjson.dumps(event))).status_code == 202
    assert (await client.post("/v1/events", content=b"{")).status_code == 422
    assert (await client.post("/v1/events:batch", content=orjson.dumps(batch))).status_code == 200
    assert (await client.get("/no/such/path/4711")).status_code == 404
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)

    def value(name: str, **labels: str) -> float | None:
        return found.get((name, frozenset(labels.items())))

    assert value("ct_ingest_requests_total", route="/v1/events", code="202") == 1
    assert value("ct_ingest_requests_total", route="/v1/events", code="422") == 1
    assert value("ct_ingest_requests_total", route="/v1/events:batch", code="200") == 1
    assert value("ct_ingest_requests_total", route="unmatched", code="404") == 1
    assert "/no/such/path/4711" not in response.text
    for outcome, count in [
        ("accepted", 2),
        ("invalid", 2),
        ("duplicate_in_batch", 1),
        ("unavailable", 0),
        ("unauthorized", 0),
        ("rate_limited", 0),
    ]:
        assert value("ct_ingest_events_total", source="unknown", outcome=outcome) == count
    assert value("ct_ingest_publish_seconds_count") == 2  # one event, one batch
    assert (value("ct_ingest_publish_seconds_sum") or 0) > 0

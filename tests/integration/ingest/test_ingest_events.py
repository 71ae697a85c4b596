"""POST /v1/events against a real broker: a 202 event is on the topic; the rest is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from contact_events import encode_event, parse_event

pytestmark = pytest.mark.timeout(30)

PHONE = "+447700900123"  # a distinctive value that must never be echoed back
LIMIT = 16_384  # max_body_bytes of the test settings


async def test_accepted_event_is_on_the_topic_keyed_by_contact(
    client: httpx.AsyncClient, kafka_broker: str, make_event: Any, read_records: Any
) -> None:
    event = make_event(occurred_at="2026-03-29T02:30:00+02:00")

    response = await client.post("/v1/events", content=orjson.dumps(event))

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "event_id": event["event_id"]}
    [record] = await read_records(kafka_broker, {event["contact_id"].encode()})
    assert record.key == event["contact_id"].encode()
    assert record.value == encode_event(parse_event(event))
    assert orjson.loads(record.value)["occurred_at"] == "2026-03-29T00:30:00Z"


@pytest.mark.parametrize(
    ("change", "field", "rule", "secret"),
    [
        pytest.param({"phone": PHONE}, "phone", "extra_forbidden", PHONE, id="unknown-field"),
        pytest.param(
            {"queue": 447700900123}, "queue", "string_type", "447700900123", id="wrong-type"
        ),
        pytest.param(
            {"customer_ref": PHONE},
            "customer_ref",
            "string_pattern_mismatch",
            PHONE,
            id="raw-phone-as-customer-ref",
        ),
        pytest.param(
            {"occurred_at": "2026-03-29T02:30:00"},
            "occurred_at",
            "timezone_aware",
            "2026-03-29T02:30:00",
            id="naive-timestamp",
        ),
    ],
)
async def test_invalid_event_names_the_field_not_the_value(
    client: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
    change: dict[str, Any],
    field: str,
    rule: str,
    secret: str,
) -> None:
    event = make_event(**change)

    response = await client.post("/v1/events", content=orjson.dumps(event))

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_event"
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in body["errors"]
    ]
    assert all(set(e) == {"field", "rule", "message"} for e in body["errors"])
    assert secret not in response.text
    assert await read_records(kafka_broker, {event["contact_id"].encode()}) == []


async def test_malformed_json_is_422_without_echo(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/events", content=b'{"customer_ref": "' + PHONE.encode())

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "(body)", "rule": "json_invalid", "message": "not valid JSON"}
    ]
    assert PHONE not in response.text


async def test_body_at_the_limit_is_read_whole(client: httpx.AsyncClient, make_event: Any) -> None:
    raw = orjson.dumps(make_event())
    response = await client.post("/v1/events", content=raw + b" " * (LIMIT - len(raw)))

    assert response.status_code == 202


async def test_declared_body_over_the_limit_is_413(
    client: httpx.AsyncClient, make_event: Any
) -> None:
    raw = orjson.dumps(make_event())
    response = await client.post("/v1/events", content=raw + b" " * (LIMIT + 1 - len(raw)))

    assert response.status_code == 413
    assert response.json() == {"error": "body_too_large", "limit_bytes": LIMIT}


async def test_streamed_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    chunk, pulled = b" " * 1024, 0

    async def endless_body() -> AsyncIterator[bytes]:  # 1 MiB, no Content-Length
        nonlocal pulled
        for _ in range(1024):
            pulled += 1
            yield chunk

    response = await client.post("/v1/events", content=endless_body())

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert response.json() == {"error": "body_too_large", "limit_bytes": LIMIT}
    assert pulled == LIMIT // len(chunk) + 1  # stopped reading right after the limit


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    health, ready = await client.get("/healthz"), await client.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_openapi_documents_the_contract(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    assert {"/v1/events", "/v1/events:batch", "/healthz", "/readyz"} <= set(document["paths"])
    post = document["paths"]["/v1/events"]["post"]
    assert post["summary"] and {"202", "413", "422", "503"} <= set(post["responses"])
    schemas = document["components"]["schemas"]
    assert "ContactEventInput" in schemas
    called = schemas["CallQueuedInput"]["properties"]
    assert {"customer_ref", "customer_phone", "customer_email"} <= set(called)
    assert (await client.get("/docs")).status_code == 200

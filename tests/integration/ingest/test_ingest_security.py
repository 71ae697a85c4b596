"""Security acceptance: every refused request is answered 401/403/429 and publishes nothing.

Ingest runs in-process against the session broker with three sources (see ``sources.py``).
Each refused case posts an otherwise valid event with a contact_id of its own, then a real
consumer reads contact.events.v1 to its end: 0 records of that contact.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import CollectorRegistry

from ct_ingest.auth import Gatekeeper
from ct_ingest.rate_limit import RateLimiter
from tests.integration.ingest.sources import (
    KIOSK_KEY,
    PBX_KEY,
    PBX_NEXT_KEY,
    SECURE,
    SOURCES,
    WEB_KEY,
    signed_headers,
)

pytestmark = pytest.mark.timeout(30)


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def secure(
    kafka_broker: str,
    contact_topic: str,
    make_settings: Any,
    open_ingest: Any,
    registry: CollectorRegistry,
    clock: FrozenClock,
) -> AsyncIterator[httpx.AsyncClient]:
    """Ingest with sources configured; the rate limiter's clock is frozen."""
    settings = make_settings(kafka_broker, **SECURE)
    limits = {name: (s["rate_per_s"], s["burst"]) for name, s in SOURCES.items()}
    gatekeeper = Gatekeeper(settings, limiter=RateLimiter(limits, clock=clock))
    async with open_ingest(settings, registry=registry, gatekeeper=gatekeeper) as client:
        yield client


def events_of(registry: CollectorRegistry) -> Callable[[str, str], float]:
    def value(source: str, outcome: str) -> float:
        found = registry.get_sample_value(
            "ct_ingest_events_total", {"source": source, "outcome": outcome}
        )
        return found or 0.0

    return value


async def assert_nothing_published(kafka_broker: str, read_records: Any, *events: Any) -> None:
    keys = {event["contact_id"].encode() for event in events}
    assert await read_records(kafka_broker, keys) == []


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        pytest.param({}, "missing_api_key", id="no-key"),
        pytest.param({"X-Api-Key": ""}, "missing_api_key", id="empty-key"),
        pytest.param({"X-Api-Key": "sk_test_pbx1_kez"}, "unknown_api_key", id="bad-key"),
        pytest.param(
            {"X-Api-Key": SOURCES["pbx-1"]["key_hashes"][0]},
            "unknown_api_key",
            id="the-stored-hash",
        ),
        pytest.param(
            {"Authorization": f"Bearer {PBX_KEY}"}, "missing_api_key", id="key-in-another-header"
        ),
    ],
)
async def test_no_or_bad_key_is_401(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
    registry: CollectorRegistry,
    headers: dict[str, str],
    reason: str,
) -> None:
    event = make_event()

    response = await secure.post("/v1/events", content=orjson.dumps(event), headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "reason": reason}
    assert events_of(registry)("unknown", "unauthorized") == 1
    await assert_nothing_published(kafka_broker, read_records, event)


async def test_the_authenticated_source_is_stamped_and_both_rotation_keys_work(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
    registry: CollectorRegistry,
) -> None:
    first, second = make_event(source="somebody-else"), make_event(source="pbx-1")

    for event, key in [(first, PBX_KEY), (second, PBX_NEXT_KEY)]:
        response = await secure.post(
            "/v1/events", content=orjson.dumps(event), headers={"X-Api-Key": key}
        )
        assert response.status_code == 202

    records = await read_records(kafka_broker, {e["contact_id"].encode() for e in (first, second)})
    assert sorted(orjson.loads(r.value)["source"] for r in records) == ["pbx-1", "pbx-1"]
    assert events_of(registry)("pbx-1", "accepted") == 2


async def test_a_type_the_source_may_not_post_is_403(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
    registry: CollectorRegistry,
) -> None:
    visit = make_event(type="visit.ticketed", channel="face_to_face", queue="reception")
    call = make_event()
    key = {"X-Api-Key": PBX_KEY}

    single = await secure.post("/v1/events", content=orjson.dumps(visit), headers=key)
    batch = await secure.post(
        "/v1/events:batch", content=orjson.dumps({"events": [call, visit]}), headers=key
    )

    assert single.status_code == 403
    assert single.json() == {"error": "forbidden", "reason": "event_type_not_allowed"}
    assert batch.status_code == 403  # the whole batch: nothing of it is written
    assert batch.json() == {
        "error": "forbidden",
        "reason": "event_type_not_allowed",
        "indexes": [1],
    }
    assert events_of(registry)("pbx-1", "forbidden") == 2
    await assert_nothing_published(kafka_broker, read_records, visit, call)


def webform(make_event: Any) -> dict[str, Any]:
    return make_event(type="webform.submitted", channel="web", queue="contact_us")


async def test_a_signed_request_is_accepted(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
) -> None:
    event = webform(make_event)
    body = orjson.dumps(event)

    response = await secure.post("/v1/events", content=body, headers=signed_headers(body))

    assert response.status_code == 202
    [record] = await read_records(kafka_broker, {event["contact_id"].encode()})
    assert orjson.loads(record.value)["source"] == "webform"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("unsigned", "signature_missing"),
        ("wrong-secret", "signature_mismatch"),
        ("six-minutes-old", "timestamp_out_of_tolerance"),
        ("six-minutes-ahead", "timestamp_out_of_tolerance"),
        ("body-altered-after-signing", "signature_mismatch"),
        ("signed-for-another-id", "signature_mismatch"),
    ],
)
async def test_a_bad_signature_is_401(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
    registry: CollectorRegistry,
    case: str,
    reason: str,
) -> None:
    event = webform(make_event)
    body = orjson.dumps(event)
    headers = signed_headers(body)
    if case == "unsigned":
        headers = {"X-Api-Key": WEB_KEY}
    elif case == "wrong-secret":
        headers = signed_headers(body, secret="whsec_" + "c2VjcmV0LW9mLXNvbWVib2R5LWVsc2U=")
    elif case == "six-minutes-old":
        headers = signed_headers(body, timestamp=int(time.time()) - 360)
    elif case == "six-minutes-ahead":
        headers = signed_headers(body, timestamp=int(time.time()) + 360)
    elif case == "body-altered-after-signing":
        body = orjson.dumps(event | {"queue": "complaints"})
    elif case == "signed-for-another-id":
        headers["webhook-id"] = "msg_another"

    response = await secure.post("/v1/events", content=body, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "reason": reason}
    assert events_of(registry)("webform", "unauthorized") == 1
    await assert_nothing_published(kafka_broker, read_records, event)


async def test_a_reused_webhook_id_is_401_and_publishes_nothing_more(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
) -> None:
    event = webform(make_event)
    body = orjson.dumps(event)
    headers = signed_headers(body)

    first = await secure.post("/v1/events", content=body, headers=headers)
    replay = await secure.post("/v1/events", content=body, headers=headers)
    resigned = await secure.post(  # same id, fresh timestamp and signature: still refused
        "/v1/events", content=body, headers=signed_headers(body, msg_id=headers["webhook-id"])
    )

    assert first.status_code == 202
    assert (replay.status_code, replay.json()) == (
        401,
        {"error": "unauthorized", "reason": "webhook_id_reused"},
    )
    assert resigned.status_code == 401
    records = await read_records(kafka_broker, {event["contact_id"].encode()})
    assert len(records) == 1  # the first post only


async def test_a_webhook_id_whose_request_failed_may_be_retried(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
) -> None:
    event = webform(make_event)
    broken = orjson.dumps(event | {"queue": ""})
    fixed = orjson.dumps(event)
    headers = signed_headers(broken)

    refused = await secure.post("/v1/events", content=broken, headers=headers)
    retried = await secure.post(
        "/v1/events", content=fixed, headers=signed_headers(fixed, msg_id=headers["webhook-id"])
    )

    assert refused.status_code == 422
    assert retried.status_code == 202
    assert len(await read_records(kafka_broker, {event["contact_id"].encode()})) == 1


async def test_a_flood_is_429_with_retry_after_and_publishes_nothing(
    secure: httpx.AsyncClient,
    kafka_broker: str,
    make_event: Any,
    read_records: Any,
    registry: CollectorRegistry,
    clock: FrozenClock,
) -> None:
    visits = [
        make_event(type="visit.ticketed", channel="face_to_face", queue="reception")
        for _ in range(10)
    ]
    key = {"X-Api-Key": KIOSK_KEY}

    answers = [
        await secure.post("/v1/events", content=orjson.dumps(v), headers=key) for v in visits[:8]
    ]
    clock.now += 1.0  # one more token (1 a second)
    after_a_second = [
        await secure.post("/v1/events", content=orjson.dumps(v), headers=key) for v in visits[8:]
    ]

    assert [a.status_code for a in answers] == [202] * 3 + [429] * 5  # the burst is 3
    assert all(a.headers["retry-after"] == "1" for a in answers[3:])
    assert answers[3].json() == {"error": "rate_limited", "retry_after_s": 1}
    assert [a.status_code for a in after_a_second] == [202, 429]
    value = events_of(registry)
    assert (value("kiosk", "accepted"), value("kiosk", "rate_limited")) == (4, 6)
    refused = visits[3:8] + visits[9:]
    await assert_nothing_published(kafka_broker, read_records, *refused)
    assert len(await read_records(kafka_broker, {v["contact_id"].encode() for v in visits})) == 4

"""The webhook adapters' routes against a real broker: authentication and rights, Twilio's
signature, refusals that name field and rule, and what reaches the topic (no raw
identifiers; nothing at all for a refused request)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest

from ct_ingest.adapters.settings import AdapterSettings
from ct_ingest.api import create_ingest_api
from ct_ingest.core.credentials import hash_api_key
from ct_ingest.publisher import EventPublisher
from ct_ingest.settings import IngestSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

TOKEN = "routes-twilio-token-0001"
MAIL_KEY, KIOSK_KEY = "sk_routes_mail", "sk_routes_kiosk"
SOURCES = {
    "email-gw": {
        "key_hashes": [hash_api_key(MAIL_KEY)],
        "allowed": ["/v1/adapters/email-gateway", "email."],
    },
    "kiosk": {"key_hashes": [hash_api_key(KIOSK_KEY)], "allowed": ["/v1/adapters/kiosk"]},
}
SECURE: dict[str, Any] = {
    "sources": SOURCES,
    "pseudonymisation_keys": {"k2": "routes-pseudonymisation-key"},
    "pseudonymisation_current": "k2",
}
TASKROUTER = "/v1/adapters/twilio/taskrouter"


@asynccontextmanager
async def ingest(
    settings: IngestSettings, adapters: AdapterSettings
) -> AsyncIterator[httpx.AsyncClient]:
    publisher = EventPublisher(settings)
    await publisher.start()
    try:
        app = create_ingest_api(settings, publisher)
        app.state.adapter_settings = adapters
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            assert (await client.get("/readyz")).status_code == 200
            yield client
    finally:
        await publisher.stop()


def ticket(**overrides: str) -> dict[str, str]:
    return {
        "event": "ticket_issued",
        "occurred_at": "2026-11-16T09:00:00Z",
        "site": "routes",
        "ticket": f"T{uuid.uuid4().hex[:8]}",
        "issued_on": "2026-11-16",
    } | overrides


def callback(**overrides: str) -> dict[str, str]:
    task = f"WT{uuid.uuid4().hex}"
    return {
        "EventType": "task.created",
        "Sid": f"EV{uuid.uuid4().hex}",
        "TaskSid": task,
        "Timestamp": "1794826800",
        "TaskAttributes": orjson.dumps(
            {"call_sid": f"CA{task[2:]}", "from": "+442079460958", "queue": "routes"}
        ).decode(),
    } | overrides


def twilio(url: str, params: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    text = url + "".join(name + params[name] for name in sorted(params))
    mac = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return {"X-Twilio-Signature": base64.b64encode(mac).decode()}


def kiosk_key(data: dict[str, str]) -> bytes:
    return f"kiosk-routes-2026-11-16-{data['ticket']}".encode()


async def test_open_ingest_takes_adapters_without_keys(
    kafka_broker: str, contact_topic: str, make_settings: Any, read_records: Any
) -> None:
    async with ingest(make_settings(kafka_broker), AdapterSettings()) as client:
        step = ticket()
        response = await client.post("/v1/adapters/kiosk", json=step)
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["status"] == "accepted"
        unsigned = callback()  # no auth token and no sources: taken unsigned (development)
        assert (await client.post(TASKROUTER, data=unsigned)).status_code == 200
    [record] = await read_records(kafka_broker, {kiosk_key(step)}, expect=1)
    assert orjson.loads(record.value)["source"] == "kiosk"


async def test_keys_rights_and_refusals(
    kafka_broker: str, contact_topic: str, make_settings: Any, read_records: Any
) -> None:
    settings = make_settings(kafka_broker, **SECURE)
    async with ingest(settings, AdapterSettings()) as client:
        no_key, wrong_route, no_visits = ticket(), ticket(), ticket()
        assert (await client.post("/v1/adapters/kiosk", json=no_key)).json() == {
            "error": "unauthorized",
            "reason": "missing_api_key",
        }
        response = await client.post(
            "/v1/adapters/kiosk", json=wrong_route, headers={"X-Api-Key": MAIL_KEY}
        )
        assert (response.status_code, response.json()["reason"]) == (403, "route_not_allowed")
        # the kiosk source may call its route but was given no event types
        response = await client.post(
            "/v1/adapters/kiosk", json=no_visits, headers={"X-Api-Key": KIOSK_KEY}
        )
        assert (response.status_code, response.json()["reason"]) == (403, "event_type_not_allowed")
        bad = ticket(ticket="A 1 secret-value")
        response = await client.post(
            "/v1/adapters/kiosk", json=bad, headers={"X-Api-Key": KIOSK_KEY}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "ticket"
        assert "secret-value" not in response.text
        huge = b'{"event": "' + b"x" * (settings.max_body_bytes + 1) + b'"}'
        response = await client.post(
            "/v1/adapters/email-gateway", content=huge, headers={"X-Api-Key": MAIL_KEY}
        )
        assert response.status_code == 413
        # TaskRouter with sources configured but no auth token: nothing can be checked
        assert (await client.post(TASKROUTER, data=callback())).json()["reason"] == (
            "twilio_auth_token_not_configured"
        )
    keys = {kiosk_key(s) for s in (no_key, wrong_route, no_visits, bad)}
    assert await read_records(kafka_broker, keys) == []


async def test_email_identifiers_become_customer_refs(
    kafka_broker: str, contact_topic: str, make_settings: Any, read_records: Any
) -> None:
    address = f"Someone.{uuid.uuid4().hex[:6]}@Example.org"
    step = {
        "event": "received",
        "occurred_at": "2026-11-16T09:00:00Z",
        "mailbox": "routes",
        "message_id": f"<{uuid.uuid4().hex}@mail.example.org>",
        "from": address,
    }
    async with ingest(make_settings(kafka_broker, **SECURE), AdapterSettings()) as client:
        response = await client.post(
            "/v1/adapters/email-gateway", json=step, headers={"X-Api-Key": MAIL_KEY}
        )
    assert response.status_code == 200, response.text
    assert address.lower() not in response.text.lower()
    [result] = response.json()["results"]
    records = await read_records(kafka_broker, None)
    [record] = [r for r in records if orjson.loads(r.value)["event_id"] == result["event_id"]]
    event = orjson.loads(record.value)
    assert event["customer_ref"].startswith("k2:")
    assert event["source"] == "email-gw"
    assert address.lower().encode() not in record.value.lower()


async def test_twilio_signatures(
    kafka_broker: str, contact_topic: str, make_settings: Any, read_records: Any
) -> None:
    adapters = AdapterSettings(twilio_auth_token=TOKEN)
    url = f"http://ingest{TASKROUTER}"
    good, unsigned, forged, altered, withheld = (callback() for _ in range(5))
    withheld["TaskAttributes"] = orjson.dumps({"from": "anonymous", "queue": "routes"}).decode()
    async with ingest(make_settings(kafka_broker), adapters) as client:
        response = await client.post(TASKROUTER, data=good, headers=twilio(url, good))
        assert (response.status_code, response.json()["accepted"]) == (200, 1)
        response = await client.post(TASKROUTER, data=unsigned)
        assert (response.status_code, response.json()["reason"]) == (401, "signature_missing")
        response = await client.post(
            TASKROUTER, data=forged, headers=twilio(url, forged, "not-the-token")
        )
        assert (response.status_code, response.json()["reason"]) == (401, "signature_mismatch")
        headers = twilio(url, altered)
        response = await client.post(
            TASKROUTER, data=altered | {"TaskSid": "WTother"}, headers=headers
        )
        assert response.status_code == 401
        response = await client.post(TASKROUTER, json=good, headers=twilio(url, good))
        assert response.status_code == 415
        # a withheld caller id cannot be pseudonymised: dropped, and the call still counts
        response = await client.post(TASKROUTER, data=withheld, headers=twilio(url, withheld))
        assert (response.status_code, response.json()["accepted"]) == (200, 1)
    keys = {f"tr-CA{p['TaskSid'][2:]}".encode() for p in (good, unsigned, forged)}
    keys |= {
        f"tr-{altered['TaskSid']}".encode(),
        b"tr-WTother",
        f"tr-{withheld['TaskSid']}".encode(),
    }
    records = await read_records(kafka_broker, keys)
    events = {orjson.loads(r.value)["contact_id"]: orjson.loads(r.value) for r in records}
    assert sorted(events) == sorted([f"tr-CA{good['TaskSid'][2:]}", f"tr-{withheld['TaskSid']}"])
    assert events[f"tr-CA{good['TaskSid'][2:]}"]["customer_ref"].startswith("dev:")
    assert "customer_ref" not in events[f"tr-{withheld['TaskSid']}"]
    assert all(b"+442079460958" not in r.value for r in records)


def test_fuzzing_the_adapter_routes_finds_no_5xx(kafka_broker: str, contact_topic: str) -> None:
    """schemathesis against the adapter operations, on open ingest so that every request
    (TaskRouter's unsigned too) reaches the mappers."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis.python import asgi

    ingest_settings = IngestSettings(
        kafka_bootstrap_servers=kafka_broker, kafka_request_timeout_s=2.0, max_body_bytes=16_384
    )
    app = create_ingest_api(ingest_settings, EventPublisher(ingest_settings))
    app.state.adapter_settings = AdapterSettings()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/v1/adapters/")]
    assert len(operations) == 4
    seen: dict[str, set[int]] = {}
    try:
        for operation in operations:
            modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)

            @given(case=st.one_of(operation.as_strategy(mode) for mode in modes))
            @settings(
                max_examples=60,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case: schemathesis.Case) -> None:
                response = case.call()
                seen.setdefault(case.operation.path, set()).add(response.status_code)
                assert response.status_code < 500, case.as_curl_command()

            no_server_error()
    finally:
        asgi.shutdown_lifespans()
    assert all(422 in codes for codes in seen.values()), seen

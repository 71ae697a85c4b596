"""POST /v1/events:batch against a real broker: per-item outcomes, and exactly the accepted
items on the topic."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from contact_events import encode_event, parse_event

pytestmark = pytest.mark.timeout(30)

PHONE = "+447700900123"


def batch(*events: Any) -> bytes:
    return orjson.dumps({"events": list(events)})


async def test_items_are_judged_one_by_one(
    client: httpx.AsyncClient, kafka_broker: str, make_event: Any, read_records: Any
) -> None:
    first, second = make_event(), make_event(type="call.answered", rings=2)
    same_contact = make_event(contact_id=first["contact_id"], type="call.abandoned")
    unknown_field = make_event(phone=PHONE)
    naive = make_event(occurred_at="2026-03-29T02:30:00")
    repeat = first | {"queue": "benefits"}  # same event_id as an earlier valid item
    items = [first, unknown_field, second, repeat, naive, same_contact]

    response = await client.post("/v1/events:batch", content=batch(*items))

    assert response.status_code == 200
    body = response.json()
    assert [(r["index"], r["event_id"], r["status"]) for r in body["results"]] == [
        (0, first["event_id"], "accepted"),
        (1, None, "invalid"),
        (2, second["event_id"], "accepted"),
        (3, first["event_id"], "duplicate_in_batch"),
        (4, None, "invalid"),
        (5, same_contact["event_id"], "accepted"),
    ]
    assert [r.get("errors") is not None for r in body["results"]] == [
        False,
        True,
        False,
        False,
        True,
        False,
    ]
    assert body["results"][1]["errors"][0]["field"] == "phone"
    assert body["results"][4]["errors"][0]["field"] == "occurred_at"
    assert (body["accepted"], body["invalid"], body["duplicate_in_batch"], body["unavailable"]) == (
        3,
        2,
        1,
        0,
    )
    assert PHONE not in response.text
    keys = {item["contact_id"].encode() for item in items}
    records = await read_records(kafka_broker, keys)
    assert sorted(r.value for r in records) == sorted(
        encode_event(parse_event(e)) for e in (first, second, same_contact)
    )
    first_contact = [r for r in records if r.key == first["contact_id"].encode()]
    assert [orjson.loads(r.value)["event_id"] for r in first_contact] == [
        first["event_id"],
        same_contact["event_id"],
    ]


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (b"not json", "json_invalid"),
        (b"[]", "missing"),
        (b'{"evts": []}', "missing"),
        (b'{"events": {}}', "list_type"),
        (b'{"events": [], "extra": 1}', "extra_forbidden"),
    ],
)
async def test_a_body_that_is_not_a_batch_is_422(
    client: httpx.AsyncClient, raw: bytes, rule: str
) -> None:
    response = await client.post("/v1/events:batch", content=raw)

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_event"
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [("events", rule)]


async def test_too_many_events_is_413_and_nothing_is_written(
    client: httpx.AsyncClient, kafka_broker: str, make_event: Any, read_records: Any
) -> None:
    items = [make_event() for _ in range(21)]  # the test settings allow 20

    response = await client.post("/v1/events:batch", content=batch(*items))

    assert response.status_code == 413
    assert response.json() == {"error": "batch_too_large", "limit": 20}
    assert await read_records(kafka_broker, {e["contact_id"].encode() for e in items}) == []


async def test_a_full_batch_is_accepted(
    client: httpx.AsyncClient, kafka_broker: str, make_event: Any, read_records: Any
) -> None:
    items = [make_event() for _ in range(20)]

    response = await client.post("/v1/events:batch", content=batch(*items))

    assert response.status_code == 200
    assert response.json()["accepted"] == 20
    records = await read_records(kafka_broker, {e["contact_id"].encode() for e in items})
    assert len(records) == 20


async def test_an_empty_batch_is_fine(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/events:batch", content=batch())

    assert response.status_code == 200
    assert response.json() == {
        "results": [],
        "accepted": 0,
        "invalid": 0,
        "duplicate_in_batch": 0,
        "unavailable": 0,
    }

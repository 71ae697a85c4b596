"""Raw customer identifiers never leave ingest: not in answers, not in its log (at debug
level), not on contact.events.v1, not on the dead-letter topic.

Ingest runs as a real process with sources and a pseudonymisation key. Valid inputs carry a
phone number or an e-mail address and are accepted with the keyed reference; invalid ones
carry them in every place a sender might put them. Every answer, the whole log, and every
record (key, value, headers) of both topics are then scanned for the identifiers in any
form. Ingest never writes the dead-letter topic itself (sla_monitor does, for records it
cannot decode); it is scanned as it stands on the session broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiokafka.structs import ConsumerRecord

from ct_broker.topics import CONTACT_EVENTS, CONTACT_EVENTS_DLQ
from tests.integration.ingest.running_ingest import IngestProcess, running_ingest
from tests.integration.ingest.sources import PBX_KEY, SECURE

pytestmark = pytest.mark.timeout(60)

PHONE = "020 7946 0321"  # Ofcom's drama range: a valid London number nobody has
EMAIL = "  Ada.Lovelace+PII@Example.ORG "
# printf '%s' <normalised> | openssl dgst -sha256 -hmac test-pseudonymisation-key-2026
PHONE_REF = "k2:fb3b4512b4eee7683f114bbbe4456016c9d91b0c7550a87a052066d521286cf8"
EMAIL_REF = "k2:97fbcbe50788828abd091c185630421d5beb8a6c0a13850d6a49c39733efa022"
#: Every form of the identifiers, lower-cased: raw, E.164 (+442079460321), national digits.
NEEDLES = ("79460321", "7946 0321", "7946-0321", "lovelace", "ada.l")


def found_in(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle in lowered]


def record_text(record: ConsumerRecord[bytes, bytes]) -> str:
    parts = [record.key or b"", record.value or b""]
    parts += [name.encode() + value for name, value in record.headers]
    return b" ".join(parts).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def ingest(
    kafka_broker: str, contact_topic: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IngestProcess]:
    log = tmp_path_factory.mktemp("ingest") / "ingest.log"
    with running_ingest(kafka_broker, log, SECURE | {"log_level": "debug"}) as process:
        yield process


def invalid_inputs(make_event: Any) -> list[dict[str, Any]]:
    """Inputs refused for one reason or another, each carrying an identifier."""
    return [
        make_event(customer_phone=PHONE, queue=""),  # valid phone, another field bad
        make_event(customer_phone=PHONE + "9"),  # not a valid number
        make_event(customer_phone="+44 20 7946 0321 ext. 12 and more text " * 3),
        make_event(customer_email=EMAIL.replace("@", " at ")),  # not an address
        make_event(customer_phone=PHONE, customer_email=EMAIL),  # both
        make_event(customer_ref=EMAIL.strip()),  # raw address where the reference goes
        make_event(caller_phone=PHONE),  # an unknown field
        make_event(queue="+442079460321"),  # in a named field, against its pattern
        make_event(customer_email=EMAIL, occurred_at="2026-03-29T02:30:00"),  # naive time
    ]


async def test_identifiers_go_nowhere_but_into_the_keyed_reference(
    ingest: IngestProcess, kafka_broker: str, make_event: Any, read_records: Any
) -> None:
    by_phone, by_email = make_event(customer_phone=PHONE), make_event(customer_email=EMAIL)
    invalid = invalid_inputs(make_event)
    in_batch = [make_event(customer_phone="+44 20 7946 0321"), *invalid[:4]]
    key = {"X-Api-Key": PBX_KEY}
    answers: list[httpx.Response] = []
    async with httpx.AsyncClient(base_url=ingest.url, timeout=10) as client:
        for event in (by_phone, by_email):
            answers.append(await client.post("/v1/events", json=event, headers=key))
        assert [a.status_code for a in answers] == [202, 202]
        for event in invalid:
            answers.append(await client.post("/v1/events", json=event, headers=key))
        assert [a.status_code for a in answers[2:]] == [422] * len(invalid)
        batch = await client.post("/v1/events:batch", json={"events": in_batch}, headers=key)
        assert (batch.status_code, batch.json()["accepted"], batch.json()["invalid"]) == (200, 1, 4)
        answers.append(batch)
        refused = [  # malformed JSON, a bad key, a type pbx-1 may not post
            await client.post(
                "/v1/events", content=b'{"customer_phone": "' + PHONE.encode(), headers=key
            ),
            await client.post("/v1/events", json=by_phone, headers={"X-Api-Key": PHONE}),
            await client.post(
                "/v1/events",
                json=make_event(
                    type="visit.ticketed", channel="face_to_face", customer_email=EMAIL
                ),
                headers=key,
            ),
        ]
        assert [r.status_code for r in refused] == [422, 401, 403]
        answers += refused

    accepted = await read_records(
        kafka_broker, {e["contact_id"].encode() for e in (by_phone, by_email, in_batch[0])}
    )
    refs = sorted(orjson.loads(r.value)["customer_ref"] for r in accepted)
    assert refs == sorted([PHONE_REF, EMAIL_REF, PHONE_REF])  # the scan below reads these

    for answer in answers:
        text = answer.text + " ".join(f"{k}: {v}" for k, v in answer.headers.items())
        assert found_in(text) == [], answer.text
    log = Path(ingest.log).read_text()
    assert "connected to the broker" in log  # the log is captured, at debug level
    assert found_in(log) == []
    for topic in (CONTACT_EVENTS, CONTACT_EVENTS_DLQ):
        records = await read_records(kafka_broker, None, topic=topic)
        leaks = [record_text(r) for r in records if found_in(record_text(r))]
        assert leaks == [], topic

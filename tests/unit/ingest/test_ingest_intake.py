"""From posted input to canonical event: pseudonymised, source stamped, errors without values."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from contact_events import InvalidEvent, encode_event
from ct_ingest.core.intake import decode_input, prepare_event
from ct_ingest.core.pseudonyms import Pseudonymiser

PSEUDONYMISER = Pseudonymiser("k2", b"test-pseudonymisation-key-2026", "GB")
PHONE_REF = "k2:9ae830d2e34689f0bd7cb445bed4ee4860f3b8a3ef018221f770fe1bfe774bde"


def posted(**changes: Any) -> dict[str, Any]:
    event = {
        "event_id": "pbx1-000123-q",
        "type": "call.queued",
        "occurred_at": "2026-11-23T10:04:00+00:00",
        "contact_id": "pbx1-000123",
        "channel": "phone",
        "queue": "council_tax",
        "source": "claimed-by-body",
    }
    return {k: v for k, v in (event | changes).items() if v is not None}


def test_the_authenticated_source_replaces_the_claimed_one() -> None:
    event = prepare_event(posted(), PSEUDONYMISER, source="pbx-1")
    assert event.source == "pbx-1"
    assert prepare_event(posted(source=None), PSEUDONYMISER, source="pbx-1").source == "pbx-1"


def test_without_authentication_the_body_source_stays() -> None:
    assert prepare_event(posted(), PSEUDONYMISER, source=None).source == "claimed-by-body"


def test_a_raw_phone_number_becomes_the_reference_in_the_canonical_bytes() -> None:
    event = prepare_event(posted(customer_phone="020 7946 0958"), PSEUDONYMISER, "pbx-1")

    canonical = orjson.loads(encode_event(event))
    assert canonical["customer_ref"] == PHONE_REF
    assert "customer_phone" not in canonical
    assert b"7946" not in encode_event(event)


def test_every_problem_is_named_together_without_values() -> None:
    raw = orjson.dumps(posted(customer_phone="020 7946", queue="", rings=3))

    with pytest.raises(InvalidEvent) as caught:
        decode_input(raw, PSEUDONYMISER, "pbx-1")

    found = {(e.field, e.rule) for e in caught.value.errors}
    assert found == {
        ("customer_phone", "phone_invalid"),
        ("queue", "string_too_short"),
        ("rings", "extra_forbidden"),
    }
    assert "7946" not in str(caught.value) + repr([e.message for e in caught.value.errors])


@pytest.mark.parametrize(("raw", "rule"), [(b"[1, 2]", "object_type"), (b"{", "json_invalid")])
def test_not_an_object(raw: bytes, rule: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        decode_input(raw, PSEUDONYMISER, "pbx-1")
    assert [e.rule for e in caught.value.errors] == [rule]

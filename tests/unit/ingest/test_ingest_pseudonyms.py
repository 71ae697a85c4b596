"""Raw customer identifiers become a keyed, versioned customer_ref; errors never hold values.

Expected references were computed outside Python:
``printf '%s' '+442079460958' | openssl dgst -sha256 -hmac test-pseudonymisation-key-2026``.
"""

from __future__ import annotations

import re

import pytest

from contact_events import EventError
from ct_ingest.core.pseudonyms import (
    IdentifierInvalid,
    Pseudonymiser,
    normalise_email,
    normalise_phone,
)

KEY = b"test-pseudonymisation-key-2026"
PHONE_REF = "k2:9ae830d2e34689f0bd7cb445bed4ee4860f3b8a3ef018221f770fe1bfe774bde"
EMAIL_REF = "k2:ab9a196983260d06df6ce490f325ed88bd4abd95f4389960771742474df8b1ee"
CONTRACT_PATTERN = re.compile(r"^[A-Za-z0-9]{1,16}:[0-9a-f]{64}$")  # schemas' CustomerRef
PSEUDONYMISER = Pseudonymiser("k2", KEY, "GB")


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+442079460958", "GB", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(020) 7946-0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "GB", "+442079460958"),
        ("0044 20 7946 0958", "GB", "+442079460958"),
        ("+1 202-555-0143", "GB", "+12025550143"),
        ("202-555-0143", "US", "+12025550143"),
        ("01 23 45 67 89", "FR", "+33123456789"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, region: str, e164: str) -> None:
    assert normalise_phone(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("not a number", "phone_unparseable"),
        ("12345", "phone_invalid"),
        ("+44 20 7946 09581234", "phone_invalid"),
    ],
)
def test_bad_phone_numbers_are_refused_by_rule(raw: str, rule: str) -> None:
    with pytest.raises(IdentifierInvalid) as caught:
        normalise_phone(raw, "GB")
    assert caught.value.rule == rule
    assert raw not in str(caught.value) and raw not in caught.value.message


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Jo.Bloggs+PII@Example.ORG", "jo.bloggs+pii@example.org"),
        ("  jo.bloggs+pii@example.org\t", "jo.bloggs+pii@example.org"),
    ],
)
def test_emails_are_stripped_and_lower_cased(raw: str, normalised: str) -> None:
    assert normalise_email(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    ["jo.bloggs", "jo@", "@example.org", "jo bloggs@example.org", "jo@example", "jo@@example.org"],
)
def test_bad_emails_are_refused(raw: str) -> None:
    with pytest.raises(IdentifierInvalid) as caught:
        normalise_email(raw)
    assert caught.value.rule == "email_invalid"


def test_reference_is_the_versioned_hmac_and_fits_the_contract() -> None:
    assert PSEUDONYMISER.ref("+442079460958") == PHONE_REF
    assert PSEUDONYMISER.ref("jo.bloggs+pii@example.org") == EMAIL_REF
    assert CONTRACT_PATTERN.match(PHONE_REF)
    other_key = Pseudonymiser("k3", b"another-key-entirely-0000", "GB")
    assert other_key.ref("+442079460958")[3:] != PHONE_REF[3:]


@pytest.mark.parametrize(
    ("given", "ref"),
    [
        ({"customer_phone": "020 7946 0958"}, PHONE_REF),
        ({"customer_phone": "+44 20 7946 0958"}, PHONE_REF),
        ({"customer_email": " Jo.Bloggs+PII@example.org "}, EMAIL_REF),
        ({"customer_email": "jo.bloggs+pii@EXAMPLE.org", "customer_phone": None}, EMAIL_REF),
    ],
)
def test_apply_replaces_the_raw_field_with_the_reference(
    given: dict[str, object], ref: str
) -> None:
    data, errors = PSEUDONYMISER.apply({"event_id": "e1", **given})

    assert (data, errors) == ({"event_id": "e1", "customer_ref": ref}, [])


def test_apply_leaves_inputs_without_raw_identifiers_alone() -> None:
    data = {"event_id": "e1", "customer_ref": PHONE_REF}
    assert PSEUDONYMISER.apply(data) == (data, [])
    assert PSEUDONYMISER.apply({"customer_phone": None}) == ({}, [])


@pytest.mark.parametrize(
    ("given", "error"),
    [
        (
            {"customer_phone": "+44 20 7946 0958", "customer_email": "jo@example.org"},
            EventError(
                "customer_ref",
                "conflicting_identifiers",
                "give at most one of customer_ref, customer_phone, customer_email",
            ),
        ),
        (
            {"customer_phone": "+44 20 7946 0958", "customer_ref": PHONE_REF},
            EventError(
                "customer_ref",
                "conflicting_identifiers",
                "give at most one of customer_ref, customer_phone, customer_email",
            ),
        ),
        (
            {"customer_phone": "020 7946"},
            EventError("customer_phone", "phone_invalid", "not a valid phone number"),
        ),
        (
            {"customer_phone": 442079460958},
            EventError("customer_phone", "string_type", "Input should be a valid string"),
        ),
        (
            {"customer_email": "jo.bloggs at example.org"},
            EventError("customer_email", "email_invalid", "not an e-mail address"),
        ),
        (
            {"customer_email": "j" * 250 + "@example.org"},
            EventError("customer_email", "string_too_long", "at most 254 characters"),
        ),
    ],
)
def test_apply_refuses_by_field_and_rule_and_drops_the_raw_value(
    given: dict[str, object], error: EventError
) -> None:
    data, errors = PSEUDONYMISER.apply({"event_id": "e1", **given})

    assert errors == [error]
    assert "customer_phone" not in data and "customer_email" not in data
    assert all(str(value) not in error.message for value in given.values())


@pytest.mark.parametrize(
    ("version", "key"), [("", KEY), ("v-1", KEY), ("v" * 17, KEY), ("v1", b"")]
)
def test_bad_key_versions_and_empty_keys_are_refused(version: str, key: bytes) -> None:
    with pytest.raises(ValueError):
        Pseudonymiser(version, key)

"""API keys are matched by their SHA-256; rights are event types, type prefixes or routes."""

from __future__ import annotations

import pytest

from ct_ingest.core.credentials import find_source, hash_api_key, may_call, may_post

# printf '%s' sk_test_pbx1_key | sha256sum
PBX_KEY_HASH = "0c451d4146f1be2e8a9aedc62a15c32b4e020bc2b4f3adbff7ec18a76fb049ff"


def test_hash_is_the_sha256_hex_of_the_key() -> None:
    assert hash_api_key("sk_test_pbx1_key") == PBX_KEY_HASH


def test_either_of_two_keys_finds_its_source_during_a_rotation() -> None:
    table = {
        "pbx-1": [PBX_KEY_HASH, hash_api_key("sk_test_pbx1_next")],
        "kiosk": [hash_api_key("sk_test_kiosk")],
    }

    assert find_source("sk_test_pbx1_key", table) == "pbx-1"
    assert find_source("sk_test_pbx1_next", table) == "pbx-1"
    assert find_source("sk_test_kiosk", table) == "kiosk"
    assert find_source("sk_test_pbx1_ke", table) is None
    assert find_source(PBX_KEY_HASH, table) is None  # the stored hash is not a key


@pytest.mark.parametrize(
    ("allowed", "event_type", "expected"),
    [
        (["*"], "survey.answered", True),
        (["call."], "call.queued", True),
        (["call."], "case.opened", False),
        (["call"], "call.queued", False),  # a prefix must end in a dot
        (["call.queued"], "call.queued", True),
        (["call.queued"], "call.queuedx", False),
        (["email.", "webform.submitted"], "webform.submitted", True),
        (["/v1/adapters/kiosk"], "visit.ticketed", False),  # a route is not a type
        (["/v1/"], "visit.ticketed", False),
    ],
)
def test_may_post(allowed: list[str], event_type: str, expected: bool) -> None:
    assert may_post(allowed, event_type) is expected


@pytest.mark.parametrize(
    ("allowed", "route", "expected"),
    [
        (["*"], "/v1/adapters/kiosk", True),
        (["/v1/adapters/kiosk"], "/v1/adapters/kiosk", True),
        (["/v1/adapters/kiosk"], "/v1/adapters/email", False),
        (["visit."], "/v1/adapters/kiosk", False),
    ],
)
def test_may_call(allowed: list[str], route: str, expected: bool) -> None:
    assert may_call(allowed, route) is expected

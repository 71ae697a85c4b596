"""Test sources of ingest: their API keys, a signing secret, and how to sign a request."""

from __future__ import annotations

import time
import uuid
from typing import Any

from ct_ingest.core.credentials import hash_api_key
from ct_ingest.core.signatures import sign, signing_key

PBX_KEY = "sk_test_pbx1_key"
PBX_NEXT_KEY = "sk_test_pbx1_next"
WEB_KEY = "sk_test_webform_key"
KIOSK_KEY = "sk_test_kiosk_key"
WEB_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PSEUDONYMISATION_KEYS = {"k1": "an-older-key-of-2025", "k2": "test-pseudonymisation-key-2026"}

#: pbx-1 may post calls (two keys: a rotation); webform signs and posts web forms and emails;
#: kiosk posts visits at one request a second, three at once.
SOURCES: dict[str, Any] = {
    "pbx-1": {
        "key_hashes": [hash_api_key(PBX_KEY), hash_api_key(PBX_NEXT_KEY)],
        "allowed": ["call."],
        "rate_per_s": 1000,
        "burst": 1000,
    },
    "webform": {
        "key_hashes": [hash_api_key(WEB_KEY)],
        "signing_secret": WEB_SECRET,
        "allowed": ["webform.", "email."],
        "rate_per_s": 1000,
        "burst": 1000,
    },
    "kiosk": {
        "key_hashes": [hash_api_key(KIOSK_KEY)],
        "allowed": ["visit."],
        "rate_per_s": 1,
        "burst": 3,
    },
}
SECURE = {
    "sources": SOURCES,
    "pseudonymisation_keys": PSEUDONYMISATION_KEYS,
    "pseudonymisation_current": "k2",
}


def signed_headers(
    body: bytes,
    *,
    secret: str = WEB_SECRET,
    msg_id: str | None = None,
    timestamp: int | None = None,
    key: str = WEB_KEY,
) -> dict[str, str]:
    """Headers of a request signed the Standard Webhooks way (now, a fresh id by default)."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "X-Api-Key": key,
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(signing_key(secret), msg_id, timestamp, body),
    }

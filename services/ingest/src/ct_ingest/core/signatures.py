"""Standard Webhooks request signatures (https://www.standardwebhooks.com/), pure.

The sender puts three headers on the request:

- ``webhook-id``: a unique id of the message (a retry of the same message keeps it);
- ``webhook-timestamp``: integer Unix seconds when it was signed;
- ``webhook-signature``: space-separated ``v1,<base64 HMAC-SHA256>`` entries, each over
  ``id + "." + timestamp + "." + body`` with the source's secret. Several entries allow a
  secret rotation; entries of other versions (``v1a,...``) are ignored.

The secret is base64, optionally prefixed ``whsec_``; the HMAC key is its decoded bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

#: The Standard Webhooks default: a timestamp more than 5 minutes away is refused.
TOLERANCE_S = 300
SECRET_PREFIX = "whsec_"
_MSG_ID = re.compile(r"^[\x21-\x7e]{1,256}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class SignatureRejected(ValueError):
    """The request is not signed as required. ``reason`` is a short, value-free code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret: base64-decoded, after an optional ``whsec_`` prefix."""
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a signing secret is base64, optionally prefixed 'whsec_'") from None


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message: ``v1,<base64 HMAC-SHA256>``."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    key: bytes,
    msg_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> int:
    """Check one request's signature; return its timestamp, or raise :class:`SignatureRejected`.

    Reasons: ``signature_missing`` (a header is absent), ``webhook_id_invalid``,
    ``timestamp_invalid``, ``timestamp_out_of_tolerance`` (more than ``tolerance_s`` away
    from ``now``, either way), ``signature_mismatch`` (no ``v1`` entry matches).
    """
    if not msg_id or not timestamp or not signature:
        raise SignatureRejected("signature_missing")
    if not _MSG_ID.match(msg_id):
        raise SignatureRejected("webhook_id_invalid")
    if not _TIMESTAMP.match(timestamp):
        raise SignatureRejected("timestamp_invalid")
    signed_at = int(timestamp)
    if abs(now - signed_at) > tolerance_s:
        raise SignatureRejected("timestamp_out_of_tolerance")
    expected = sign(key, msg_id, signed_at, body).encode()
    matched = False
    for entry in signature.split(" "):
        if entry.startswith("v1,"):
            matched |= hmac.compare_digest(expected, entry.encode())
    if not matched:
        raise SignatureRejected("signature_mismatch")
    return signed_at

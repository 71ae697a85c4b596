"""API keys and what a source may post: pure lookups, no I/O.

Keys are stored as SHA-256 hex digests. An API key is a random token of at least 128 bits,
so a fast hash is enough: a slow password hash (scrypt, argon2) protects guessable
passwords, and would only make every request cost tens of milliseconds of CPU.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence

#: In an ``allowed`` list: every event type and every route.
ALLOW_ALL = "*"


def hash_api_key(key: str) -> str:
    """The SHA-256 hex digest of ``key`` (UTF-8), as stored in the configuration."""
    return hashlib.sha256(key.encode()).hexdigest()


def find_source(key: str, key_hashes: Mapping[str, Iterable[str]]) -> str | None:
    """The source whose stored hashes include ``key``'s, or None.

    Every stored hash is compared, in constant time, so the answer's timing says nothing
    about which hash came close.
    """
    digest = hash_api_key(key)
    found = None
    for source, hashes in key_hashes.items():
        for stored in hashes:
            if hmac.compare_digest(digest, stored):
                found = source
    return found


def may_post(allowed: Sequence[str], event_type: str) -> bool:
    """Whether ``allowed`` covers ``event_type``.

    An entry is ``*`` (everything), an exact type (``call.queued``), or a prefix ending in a
    dot (``call.`` covers every call event). Route entries (starting with ``/``) are ignored.
    """
    for entry in allowed:
        if entry in (ALLOW_ALL, event_type):
            return True
        if entry.endswith(".") and not entry.startswith("/") and event_type.startswith(entry):
            return True
    return False


def may_call(allowed: Sequence[str], route_path: str) -> bool:
    """Whether ``allowed`` lists the route ``route_path`` (e.g. ``/v1/adapters/kiosk``) or ``*``."""
    return ALLOW_ALL in allowed or route_path in allowed

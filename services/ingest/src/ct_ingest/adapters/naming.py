"""Deterministic ids and contract-safe names, shared by the adapters (pure).

Every adapter derives ``event_id`` and ``contact_id`` from what the source itself says, so
the same input always gives the same ids and a re-read or a re-sent webhook changes
nothing downstream.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

_NAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
_ID_BAD = re.compile(r"[^\x21-\x7e]+")
NAME_MAX = 64
ID_MAX = 128
#: The queue name the contract reserves for "every queue".
RESERVED_QUEUE = "all"


def digest(*parts: str, length: int = 24) -> str:
    """A short, stable hex digest (SHA-256) of ``parts``, joined unambiguously."""
    joined = "\x1f".join(parts).encode()
    return hashlib.sha256(joined).hexdigest()[:length]


def safe_name(raw: str, fallback: str = "unknown") -> str:
    """``raw`` as a contract name (queue, service type, source): letters, digits, ``_.-``,
    starting with a letter or digit, at most 64 characters; ``all`` becomes ``all_``."""
    name = _NAME_BAD.sub("_", raw.strip()).strip("_.-")[:NAME_MAX] or fallback
    if not name[0].isalnum():
        name = ("x" + name)[:NAME_MAX]
    return name + "_" if name == RESERVED_QUEUE else name


def safe_id(raw: str) -> str:
    """``raw`` as a contract identifier: printable ASCII without spaces, at most 128
    characters; a longer one keeps its head and a digest of the whole."""
    ident = _ID_BAD.sub("_", raw.strip())
    if len(ident) > ID_MAX:
        ident = ident[: ID_MAX - 25] + "~" + digest(raw)
    return ident or digest(raw)


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC, as canonical events carry it."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp needs a time zone")
    return moment.astimezone(UTC).isoformat()


def from_epoch(seconds: float) -> datetime:
    """The UTC instant of a Unix time."""
    return datetime.fromtimestamp(seconds, UTC)

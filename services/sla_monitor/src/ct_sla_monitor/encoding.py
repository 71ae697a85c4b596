"""Bytes on the internal and output topics: deterministic JSON."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Canonical JSON: sorted keys, so equal values give identical bytes."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(raw: bytes) -> Any:
    return orjson.loads(raw)

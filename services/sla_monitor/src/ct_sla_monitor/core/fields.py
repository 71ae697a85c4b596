"""Reading one field of a record's JSON form, checked: bad data is always a ValueError.

Every ``from_dict`` of the core reads its fields with these, so each kind of field is
checked, and reported, the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def required_text(d: Mapping[str, Any], key: str) -> str:
    """``d[key]`` as a non-empty string; anything else is a ValueError."""
    value = d.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string, got {value!r}")
    return value


def optional_text(d: Mapping[str, Any], key: str) -> str | None:
    """Like :func:`required_text`, with a missing or null value giving None."""
    return None if d.get(key) is None else required_text(d, key)


def required_int(d: Mapping[str, Any], key: str) -> int:
    """``d[key]`` as an integer (a bool is not one); anything else is a ValueError."""
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer, got {value!r}")
    return value


def optional_int(d: Mapping[str, Any], key: str) -> int | None:
    """``d[key]`` as an integer, a missing or null value giving None; anything else (a bool
    included) is a ValueError."""
    value = d.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{key} must be an integer or null, got {value!r}")
    return value


def optional_float(d: Mapping[str, Any], key: str) -> float | None:
    """``d[key]`` (an int or a float) as a float, a missing or null value giving None;
    anything else (a bool included) is a ValueError."""
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number or null, got {value!r}")
    return float(value)


def id_tuple(d: Mapping[str, Any], key: str = "event_ids") -> tuple[str, ...]:
    """``d[key]`` (a list or tuple of strings) as a tuple, a missing value giving ();
    anything else is a ValueError."""
    value = d.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(i, str) for i in value):
        raise ValueError(f"{key} must be a list of strings, got {value!r}")
    return tuple(value)

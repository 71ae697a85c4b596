"""Timezone-aware instants: checking, parsing and formatting them in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_ONE_MICROSECOND = timedelta(microseconds=1)


def require_aware(t: datetime, name: str = "datetime") -> datetime:
    """Return ``t`` in UTC; a naive datetime is a ValueError."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {t.isoformat()}")
    return t.astimezone(UTC)


def parse_timestamp(value: object, name: str = "timestamp") -> datetime:
    """An RFC 3339 string or an aware datetime, in UTC; anything else is a ValueError."""
    if isinstance(value, datetime):
        return require_aware(value, name)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be an RFC 3339 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip().upper())
    except ValueError as exc:
        raise ValueError(f"{name} is not an RFC 3339 timestamp: {value!r}") from exc
    return require_aware(parsed, name)


def format_timestamp(t: datetime) -> str:
    """``t`` as an ISO 8601 string in UTC (``+00:00``)."""
    return require_aware(t).isoformat()


def parse_optional_timestamp(value: object, name: str = "timestamp") -> datetime | None:
    """Like :func:`parse_timestamp`, with None passing through."""
    return None if value is None else parse_timestamp(value, name)


def format_optional_timestamp(t: datetime | None) -> str | None:
    """Like :func:`format_timestamp`, with None passing through."""
    return None if t is None else format_timestamp(t)


def microseconds_between(start: datetime, end: datetime) -> int:
    """Whole microseconds from ``start`` to ``end`` (exact integer arithmetic)."""
    return (end - start) // _ONE_MICROSECOND


def seconds_between(start: datetime, end: datetime) -> float:
    """Seconds from ``start`` to ``end`` as a float."""
    return microseconds_between(start, end) / 1_000_000

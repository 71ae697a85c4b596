"""Records for the archive's unit tests: timestamps around a UTC midnight."""

from __future__ import annotations

from datetime import UTC, datetime

from ct_aggregator.archive_format import ArchivedRecord

TOPIC = "contact.events.v1"
#: 2026-11-23T23:59:59Z in ms: a second before the UTC day changes
LATE_23RD = int(datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC).timestamp() * 1000)


def record(
    partition: int, offset: int, ts: int = LATE_23RD, value: bytes | None = None
) -> ArchivedRecord:
    """A record whose value names its partition and offset (unless given)."""
    return ArchivedRecord(
        topic=TOPIC,
        partition=partition,
        offset=offset,
        timestamp=ts,
        key=f"c-{partition}-{offset}".encode(),
        value=value if value is not None else b'{"p": %d, "o": %d}' % (partition, offset),
    )


def run_of(partition: int, first: int, last: int, ts: int = LATE_23RD) -> list[ArchivedRecord]:
    """Records ``first``..``last`` (inclusive) of a partition, one ms apart from ``ts``."""
    return [record(partition, o, ts + (o - first)) for o in range(first, last + 1)]

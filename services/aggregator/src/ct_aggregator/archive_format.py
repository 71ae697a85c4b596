"""The raw-event archive's file format: one JSON line per Kafka record, gzip-compressed.

A line holds ``topic``, ``partition``, ``offset``, ``timestamp`` (the record timestamp, ms
since the epoch), ``key`` and ``value``. Key and value are kept as strings when they are
UTF-8 text (the bytes come back exactly by encoding the string as UTF-8), else as base64
with ``key_b64`` / ``value_b64`` true; ``null`` stays ``null``. Record headers, when there
are any, are ``headers``: ``[[name, base64 value], ...]``.

A segment file is one or more concatenated gzip members (one per flush); any gzip reader
reads it as one stream. A record belongs to the day (``YYYY-MM-DD``) of its timestamp in UTC.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

SEGMENT_SUFFIX = ".jsonl.gz"


class ArchiveFormatError(ValueError):
    """A line or file that is not in the archive's format (the message says where)."""


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    """One Kafka record as the archive keeps it."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def day(self) -> str:
        """The UTC date of the record timestamp, the day file it belongs to."""
        return day_of(self.timestamp)


def day_of(timestamp_ms: int) -> str:
    """``YYYY-MM-DD``: the UTC date of a record timestamp in milliseconds."""
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).date().isoformat()


def segment_name(sequence: int) -> str:
    """The file name of a day's ``sequence``-th segment (numbered from 1)."""
    return f"segment-{sequence:06d}{SEGMENT_SUFFIX}"


def segment_sequence(name: str) -> int | None:
    """The sequence number in a segment file name, or None for any other name."""
    if not (name.startswith("segment-") and name.endswith(SEGMENT_SUFFIX)):
        return None
    digits = name[len("segment-") : -len(SEGMENT_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def _put_bytes(line: dict[str, Any], name: str, raw: bytes | None) -> None:
    if raw is None:
        line[name] = None
        return
    try:
        line[name] = raw.decode("utf-8")
    except UnicodeDecodeError:
        line[name] = base64.b64encode(raw).decode("ascii")
        line[f"{name}_b64"] = True


def _get_bytes(line: dict[str, Any], name: str) -> bytes | None:
    text = line[name]
    if text is None:
        return None
    if not isinstance(text, str):
        raise ArchiveFormatError(f"{name} is not a string")
    if line.get(f"{name}_b64"):
        return base64.b64decode(text, validate=True)
    return text.encode("utf-8")


def encode_record(record: ArchivedRecord) -> bytes:
    """The JSON line (without newline) that stores ``record``."""
    line: dict[str, Any] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
    }
    _put_bytes(line, "key", record.key)
    _put_bytes(line, "value", record.value)
    if record.headers:
        line["headers"] = [
            [name, base64.b64encode(value).decode("ascii")] for name, value in record.headers
        ]
    return orjson.dumps(line)


def decode_record(raw: bytes) -> ArchivedRecord:
    """The record a JSON line stores; :class:`ArchiveFormatError` if it is malformed."""
    try:
        line = orjson.loads(raw)
        headers = tuple(
            (str(name), base64.b64decode(value, validate=True))
            for name, value in line.get("headers", ())
        )
        record = ArchivedRecord(
            topic=line["topic"],
            partition=line["partition"],
            offset=line["offset"],
            timestamp=line["timestamp"],
            key=_get_bytes(line, "key"),
            value=_get_bytes(line, "value"),
            headers=headers,
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise ArchiveFormatError(f"not an archive line ({type(exc).__name__})") from exc
    numbers = (record.partition, record.offset, record.timestamp)
    if not isinstance(record.topic, str) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers
    ):
        raise ArchiveFormatError("topic, partition, offset or timestamp has a wrong type")
    return record


def compress_records(records: Iterable[ArchivedRecord]) -> bytes:
    """One gzip member holding the lines of ``records``, in the order given."""
    body = b"".join(encode_record(record) + b"\n" for record in records)
    return gzip.compress(body, compresslevel=6, mtime=0)


def decompress_records(data: bytes) -> list[ArchivedRecord]:
    """Every record of a segment file's bytes; :class:`ArchiveFormatError` when the gzip
    stream is truncated or corrupt, or a line is malformed (with its line number)."""
    try:
        body = gzip.decompress(data)
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise ArchiveFormatError(f"truncated or corrupt gzip data ({exc})") from exc
    records = []
    for number, line in enumerate(body.splitlines(), start=1):
        try:
            records.append(decode_record(line))
        except ArchiveFormatError as exc:
            raise ArchiveFormatError(f"line {number}: {exc}") from exc
    return records


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()

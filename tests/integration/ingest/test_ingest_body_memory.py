"""A 10 MB body is refused with 413 while it streams in, and ingest's memory does not grow by
more than 20 MB, even with four such uploads at once (read whole, they need over 50 MB).
Ingest runs as a real uvicorn process; its peak resident memory (VmHWM, reset before the
uploads) is read from /proc."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests.integration.ingest.running_ingest import IngestProcess, raw_post, running_ingest
from tests.integration.ingest.sources import PBX_KEY, SECURE

pytestmark = pytest.mark.timeout(60)

TEN_MB = 10 * 1024 * 1024
CHUNK = 64 * 1024
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def ingest(
    kafka_broker: str, contact_topic: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IngestProcess]:
    log = tmp_path_factory.mktemp("ingest") / "ingest.log"
    with running_ingest(kafka_broker, log, SECURE) as process:  # the default 1 MiB limit
        yield process


def padded(event: dict[str, Any], chunked: bool) -> Iterator[bytes]:
    """A valid event followed by spaces up to 10 MB: accepted, were it read whole."""
    raw = orjson.dumps(event)
    full, rest = divmod(TEN_MB - len(raw), CHUNK)
    pieces = [raw] + [b" " * CHUNK] * full + [b" " * rest]
    for piece in pieces:
        yield (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
    if chunked:
        yield b"0\r\n\r\n"


def headers(chunked: bool, length: int) -> list[tuple[str, str]]:
    framing = ("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(length))
    return [("X-Api-Key", PBX_KEY), ("Content-Type", "application/json"), framing]


async def test_ten_megabytes_are_refused_without_being_buffered(
    ingest: IngestProcess, kafka_broker: str, make_event: Any, read_records: Any
) -> None:
    # warm up: a first accepted post loads everything a request needs
    warm = make_event()
    status, _ = await raw_post(
        ingest, headers(False, len(orjson.dumps(warm))), iter([orjson.dumps(warm)])
    )
    assert status == 202
    events = [make_event() for _ in range(4)]
    before = ingest.status("VmRSS")
    ingest.reset_peak_memory()

    answers = await asyncio.gather(
        raw_post(ingest, headers(False, TEN_MB), padded(events[0], chunked=False)),
        *[raw_post(ingest, headers(True, 0), padded(e, chunked=True)) for e in events[1:]],
    )

    peak = ingest.status("VmHWM")
    for status, body in answers:
        assert status == 413
        assert orjson.loads(body) == {"error": "body_too_large", "limit_bytes": MIB}
    assert peak - before < 20 * MIB, f"grew by {(peak - before) / MIB:.1f} MiB"
    assert await read_records(kafka_broker, {e["contact_id"].encode() for e in events}) == []
    async with httpx.AsyncClient(base_url=ingest.url) as client:
        text = (await client.get("/metrics")).text
    assert 'ct_ingest_events_total{outcome="too_large",source="pbx-1"} 4.0' in text

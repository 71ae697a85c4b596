"""The broker becomes unreachable under a steady load, then reachable again: posts get 503
with Retry-After while it is cut off, every event answered 202 is on the topic (0
acknowledged-but-missing), and posts get 202 again without restarting ingest.

The embedded broker keeps its data only in memory, so it is not stopped: a fault-injecting
TCP proxy sits between ingest and the broker, which advertises the proxy's address.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics
from tests.integration.ingest.fault_proxy import FaultProxy

pytestmark = pytest.mark.timeout(60)

CUT_S = 4.0
POSTERS = 3


@dataclass(frozen=True)
class Post:
    event: dict[str, Any]
    sent: float
    answered: float
    status: int
    retry_after: str | None


async def post_steadily(
    client: httpx.AsyncClient, make_event: Any, stop: asyncio.Event, posts: list[Post]
) -> None:
    while not stop.is_set():
        event = make_event()
        sent = time.monotonic()
        response = await client.post("/v1/events", content=orjson.dumps(event))
        posts.append(
            Post(
                event,
                sent,
                time.monotonic(),
                response.status_code,
                response.headers.get("retry-after"),
            )
        )
        await asyncio.sleep(0.05)


async def test_cut_off_broker_gives_503_then_202_and_loses_nothing_acknowledged(
    make_settings: Any, open_ingest: Any, make_event: Any, read_records: Any
) -> None:
    proxy_port = free_port()
    broker = EmbeddedBroker(advertised_port=proxy_port).start()
    proxy = FaultProxy(proxy_port, broker.host, broker.port)
    await proxy.start()
    bootstrap = f"127.0.0.1:{proxy_port}"
    posts: list[Post] = []
    stop = asyncio.Event()
    try:
        await ensure_topics(bootstrap, pipeline_topics())
        async with open_ingest(make_settings(bootstrap)) as client:
            assert (await client.get("/readyz")).status_code == 200
            load = [
                asyncio.create_task(post_steadily(client, make_event, stop, posts))
                for _ in range(POSTERS)
            ]
            await asyncio.sleep(1.0)
            cut_at = time.monotonic()
            await proxy.cut()
            await asyncio.sleep(CUT_S)
            restored_at = time.monotonic()
            await proxy.restore()
            deadline = restored_at + 15
            while time.monotonic() < deadline and not _accepting_again(posts, restored_at):
                await asyncio.sleep(0.1)
            stop.set()
            await asyncio.gather(*load)

        before = [p for p in posts if p.answered < cut_at]
        during = [p for p in posts if p.sent >= cut_at and p.answered < restored_at]
        assert before and {p.status for p in before} == {202}
        assert len(during) >= POSTERS, "the load went on while the broker was cut off"
        assert {(p.status, p.retry_after) for p in during} == {(503, "7")}
        assert _accepting_again(posts, restored_at), "no 202 within 15 s of the restore"

        acknowledged = {p.event["event_id"] for p in posts if p.status == 202}
        records = await read_records(bootstrap, {p.event["contact_id"].encode() for p in posts})
        on_topic = {orjson.loads(r.value)["event_id"] for r in records}
        assert acknowledged - on_topic == set()  # 0 acknowledged-but-missing
        assert {p.status for p in posts} <= {202, 503}
    finally:
        stop.set()
        await proxy.stop()
        await asyncio.to_thread(broker.stop)


def _accepting_again(posts: list[Post], restored_at: float) -> bool:
    """The last few posts, all sent after the restore, were accepted."""
    after = [p for p in posts if p.sent > restored_at]
    return len(after) >= 2 * POSTERS and all(p.status == 202 for p in after[-2 * POSTERS :])

"""The wallboard reconnects by itself: headless Chromium on a real uvicorn server (the
aggregator's own, fed directly instead of from Kafka). When the server stops, the open
stream ends at once and the page says it is reconnecting; when a server is back on the
same port, the page is live again and shows the new state, with no reload."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.event_hub import EventHub
from ct_aggregator.feed import LiveFeed
from ct_aggregator.intervals import IntervalStore
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.server import StreamEndingServer
from ct_aggregator.snapshots import SnapshotStore
from ct_broker.embedded import free_port
from ct_sla_monitor.standards_file import default_standards
from tests.e2e.chromium_cdp import CHROMIUM, Chromium

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(90),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian chromium (make system-deps)"
    ),
]


class IdleReader(MetricsReader):
    """A reader with no broker: the test feeds the stores itself."""

    def __init__(self) -> None:
        super().__init__("unused:9092", {})

    async def start(self) -> None:
        self.connected = True

    async def stop(self) -> None:
        self.connected = False


def visitor_queue(queue: str) -> dict[str, Any]:
    return {
        "scope": {"channel": "face_to_face", "queue": queue, "key": f"face_to_face/{queue}"},
        "as_of": "2026-11-23T10:00:00+00:00",
        "pending_as_of": "2026-11-23T10:01:00+00:00",
        "standards_version": "charter-2026.1",
        "windows": {},
        "pending": [
            {
                "standard": "visit.queue_time",
                "item_id": "v1",
                "started_at": "2026-11-23T10:00:00+00:00",
                "status": "pending",
                "seconds_to_due": 120.0,
            }
        ],
    }


def app(store: SnapshotStore) -> tuple[FastAPI, EventHub]:
    """A fresh aggregator app and its stream hub (new, as after a restart) over ``store``."""
    alerts, hub = AlertBook(), EventHub()
    feed = LiveFeed(store, alerts, IntervalStore(), hub, default_standards().for_scope)
    api = create_aggregator_api(store, IdleReader(), build_registry(store), alerts, {}, feed=feed)
    return api, hub


class Running:
    """The aggregator's uvicorn server in a thread."""

    def __init__(self, api_and_hub: tuple[FastAPI, EventHub], port: int) -> None:
        api, hub = api_and_hub
        config = uvicorn.Config(  # log_config=None: uvicorn's records reach caplog
            api, host="127.0.0.1", port=port, log_config=None, timeout_graceful_shutdown=5
        )
        self.server = StreamEndingServer(config, hub.close)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    async def started(self) -> None:
        for _ in range(200):
            if self.server.started:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("uvicorn did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive()


async def test_the_page_reconnects_by_itself(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    port = free_port()
    store = SnapshotStore()
    store.update(visitor_queue("front_desk"))
    first = Running(app(store), port)
    await first.started()
    tile = "!!document.querySelector('.tile[data-scope=\"face_to_face/%s\"]')"
    async with Chromium(width=1200, height=800) as page:
        await page.open(f"http://127.0.0.1:{port}/wallboard")
        await page.wait_for("document.body.dataset.connection === 'live'", timeout_s=15)
        await page.wait_for(tile % "front_desk", timeout_s=5)
        await page.evaluate("window.__sameDocument = 'yes'")

        await asyncio.to_thread(first.stop)
        await page.wait_for("document.body.dataset.connection === 'reconnecting'", timeout_s=10)
        assert await page.evaluate("document.getElementById('connection-text').textContent") == (
            "Reconnecting…"
        )

        store.update(visitor_queue("side_door"))  # what changed while it was away
        second = Running(app(store), port)
        try:
            await second.started()
            await page.wait_for("document.body.dataset.connection === 'live'", timeout_s=20)
            await page.wait_for(tile % "side_door", timeout_s=5)
            assert await page.evaluate("window.__sameDocument") == "yes"  # no reload
        finally:
            await asyncio.to_thread(second.stop)
    # the open streams ended when each server stopped: uvicorn did not have to give up on them
    assert "Shutting down" in caplog.text
    assert "timeout graceful shutdown exceeded" not in caplog.text

"""The wallboard in headless Chromium against the whole pipeline as processes (broker,
ingest, sla_monitor, aggregator), with a supervisor read token configured.

The page is opened once with ``?token=``; a few minutes of phone, email and reception
traffic is posted to ingest; then a visitor who took a ticket four minutes ago is posted
(the charter allows three). The reception tile must turn to breach within 2 s of ingest's
202, over the live stream, with no reload. A screenshot is saved to
``tests/artifacts/wallboard.png``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.chromium_cdp import CHROMIUM, Chromium
from tests.e2e.conftest import Pipeline

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(180),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian chromium (make system-deps)"
    ),
]

TOKEN = "wallboard-e2e-read-token-7f3a"
ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "wallboard.png"
TILE = '.tile[data-scope="face_to_face/front_desk"]'


@pytest.fixture(scope="module", autouse=True)
def read_token() -> Iterator[None]:
    """Configure the aggregator's read token: the module's ``pipeline`` processes take
    their environment from ``os.environ`` when they start, after this fixture."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CT_AGGREGATOR_READ_TOKENS", TOKEN)
        yield


def event(
    n: str, kind: str, at: datetime, channel: str, queue: str, **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": f"wb-{n}-{kind}",
        "type": kind,
        "occurred_at": at.isoformat(),
        "contact_id": f"wb-{n}",
        "channel": channel,
        "queue": queue,
        "service_type": queue if channel != "face_to_face" else "general",
        "source": "wallboard-test",
        **extra,
    }


def background_traffic(now: datetime) -> list[dict[str, Any]]:
    """Calls in two queues over the last 20 minutes (one caller still waiting), and two
    emails acknowledged but not yet answered."""
    posts = []
    for queue, waits in (
        ("council_tax", [4, 9, 12, 6, 15, 3, 8, 18, 11, 7, 5, 14]),
        ("housing", [12, 25, 31, 8, 19, 22, 40, 16, 9, 27, 35, 13]),
    ):
        for i, wait in enumerate(waits):
            start = now - timedelta(minutes=20) + timedelta(seconds=90 * i)
            n = f"{queue}-{i}"
            posts.append(event(n, "call.queued", start, "phone", queue))
            outcome = "call.abandoned" if wait >= 35 else "call.answered"
            posts.append(event(n, outcome, start + timedelta(seconds=wait), "phone", queue))
        posts.append(
            event(f"{queue}-wait", "call.queued", now - timedelta(seconds=12), "phone", queue)
        )
    for i in range(2):
        received = now - timedelta(minutes=30 - i)
        posts.append(event(f"mail-{i}", "email.received", received, "email", "benefits"))
        posts.append(
            event(
                f"mail-{i}",
                "email.acknowledged",
                received + timedelta(minutes=2),
                "email",
                "benefits",
            )
        )
    return posts


def post(ingest_url: str, bodies: list[dict[str, Any]]) -> None:
    with httpx.Client(base_url=ingest_url, timeout=10) as client:
        for body in bodies:
            response = client.post("/v1/events", json=body)
            assert response.status_code == 202, response.text


def measure(key: str) -> str:
    """JavaScript: the text of one measure of the front-desk tile ('' if not there)."""
    return (
        f"(document.querySelector('{TILE} [data-key=\"{key}\"] .value') || {{}}).textContent || ''"
    )


async def test_a_breach_shows_within_two_seconds_without_a_reload(pipeline: Pipeline) -> None:
    # the token guards the API and the page
    assert httpx.get(f"{pipeline.api_url}/v1/queues").status_code == 401
    assert httpx.get(f"{pipeline.api_url}/wallboard").status_code == 401

    async with Chromium(width=1600, height=1000) as page:
        await page.open(f"{pipeline.api_url}/wallboard?token={TOKEN}")
        await page.wait_for("document.body.dataset.connection === 'live'", timeout_s=15)
        # the token moved from the address bar into this tab's storage
        assert await page.evaluate("location.search") == ""
        assert await page.evaluate("sessionStorage.getItem('ct-read-token')") == TOKEN

        now = datetime.now(UTC)
        post(pipeline.ingest_url, background_traffic(now))
        # a visitor who has just taken a ticket: the tile appears, not in breach
        post(
            pipeline.ingest_url, [event("v1", "visit.ticketed", now, "face_to_face", "front_desk")]
        )
        await page.wait_for(f"{measure('waiting')} === '1'", timeout_s=60)
        assert await page.evaluate(f"document.querySelector('{TILE}').dataset.state") != "breach"
        await page.wait_for(
            "document.querySelectorAll('.tile[data-scope^=\"phone/\"]').length === 2", timeout_s=30
        )

        await page.evaluate("window.__sameDocument = 'yes'")
        navigations = page.navigations()
        ticketed = datetime.now(UTC) - timedelta(minutes=4)
        post(
            pipeline.ingest_url,
            [event("v2", "visit.ticketed", ticketed, "face_to_face", "front_desk")],
        )
        accepted = time.monotonic()
        await page.wait_for(
            f"document.querySelector('{TILE}').dataset.state === 'breach' && "
            f"{measure('breaches')} === '1' && {measure('waiting')} === '2'",
            timeout_s=2.0,
        )
        elapsed = time.monotonic() - accepted
        assert elapsed <= 2.0
        assert await page.evaluate("window.__sameDocument") == "yes"  # no reload
        assert page.navigations() == navigations
        longest = await page.evaluate(
            f"document.querySelector('{TILE} [data-key=\"longest_wait\"]').dataset.state"
        )
        assert longest == "breach"  # four minutes against three
        assert (
            await page.evaluate(f"document.querySelector('{TILE} .badge').textContent") == "Breach"
        )

        await page.wait_for(  # the sla_monitor's alert for the visitor reaches the list
            '!!document.querySelector(\'#alert-list [data-standard="visit.queue_time"]'
            '[data-scope="face_to_face/front_desk"]\')',
            timeout_s=15,
        )
        await page.evaluate("new Promise((done) => setTimeout(done, 1500))")  # let it settle
        png = await page.screenshot(ARTIFACT)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    print(f"wallboard screenshot: {ARTIFACT} ({elapsed:.2f} s from 202 to breach)")
    assert os.path.getsize(ARTIFACT) == len(png)

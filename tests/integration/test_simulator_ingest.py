"""The simulator against real processes: a past half hour posted in batches as fast as
ingest takes them (to its own queue), and ``ct run``'s demo command posting live (to the
default queues), both authenticated, both reaching /v1/kpis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ct_cli.simulator import SimConfig, generate, parse_queues
from ct_cli.simulator.output import post_events
from ct_ingest.core.credentials import hash_api_key
from tests.running_pipeline import running_pipeline, stop

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

KEY = "sk_simulator_test_key"
SOURCES = {"demo": {"key_hashes": [hash_api_key(KEY)], "rate_per_s": 200, "burst": 400}}


def _row(api_url: str, queue: str, window: str) -> dict[str, Any]:
    params = {"channel": "phone", "queue": queue}
    rows = httpx.get(f"{api_url}/v1/kpis", params=params, timeout=5).json()["kpis"]
    return next((row for row in rows if row["window"] == window), {})


def _await_answered(api_url: str, queue: str, window: str, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    row: dict[str, Any] = {}
    while time.monotonic() < deadline:
        row = _row(api_url, queue, window)
        if (row.get("answered") or 0) > 0:
            return row
        time.sleep(0.5)
    return row


def test_batches_and_live_demo_reach_the_figures(tmp_path: Path) -> None:
    env = {"CT_INGEST_SOURCES": orjson.dumps(SOURCES).decode()}
    with running_pipeline(tmp_path, extra_env=env) as pipeline:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
        config = SimConfig(
            seed=9,
            start=start,
            duration=timedelta(minutes=25),
            daily_contacts=8000,
            profile="flat",
            queues=parse_queues("batchq"),
        )
        events = list(generate(config))
        report = asyncio.run(
            post_events(events, pipeline.ingest_url, start.timestamp(), None, api_key=KEY)
        )
        assert (report.accepted, report.invalid, report.failed) == (len(events), 0, 0)
        assert len(events) > 300
        row = _await_answered(pipeline.api_url, "batchq", "rolling_60m", 60)
        assert row.get("answered", 0) > 0 and row["offered"] >= row["answered"]

        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ct_cli.main",
                "simulate",
                "--rate",
                "4",
                "--speed",
                "1",
                "--ingest-url",
                pipeline.ingest_url,
                "--no-progress",
            ],
            env={**os.environ, "CT_SIMULATE_API_KEY": KEY},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "simulate.log", "wb"),  # noqa: SIM115
        )
        try:
            began = time.monotonic()
            live = _await_answered(pipeline.api_url, "council_tax", "rolling_15m", 40)
            print(f"demo figures after {time.monotonic() - began:.1f} s")
            assert demo.poll() is None, (tmp_path / "simulate.log").read_text()
        finally:
            stop({"simulate": demo})
        assert live.get("answered", 0) > 0

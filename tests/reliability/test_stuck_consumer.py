"""#8: a silently stuck consumer. The sla_monitor worker is frozen (SIGSTOP: the process
lives, holds its sockets and does nothing) while events keep coming. Within 60 s the
aggregator's ``/readyz`` fails naming the stalled partitions, and the lag metric rises.
Resumed (SIGCONT), the worker catches up by itself and ``/readyz`` is ready again."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability.support import FaultyPipeline, kpi_rows, metric_samples, wait_until
from tests.reliability.traffic import call_events, clean_run_rows, comparable, post_all

pytestmark = pytest.mark.timeout(240)

DETECT_BOUND_S = 60.0


def _lag(api_url: str) -> float:
    text = httpx.get(f"{api_url}/metrics", timeout=5).text
    samples = metric_samples(text, ("ct_consumer_lag",))
    return sum(v for k, v in samples.items() if "topic=contact.events.v1" in k)


def test_frozen_worker_is_reported_within_60s_and_recovers(tmp_path: Path) -> None:
    events = call_events("stuck", 120)
    with FaultyPipeline(tmp_path) as pipeline:
        post_all(pipeline.ingest_url, events[:90])
        wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == comparable(clean_run_rows(events[:90])),
            timeout_s=60,
        )
        assert httpx.get(f"{pipeline.api_url}/readyz").status_code == 200
        assert wait_until(lambda: _lag(pipeline.api_url), lambda lag: lag == 0, 30) == 0

        pipeline.signal("sla-monitor", signal.SIGSTOP)
        frozen = time.monotonic()
        post_all(pipeline.ingest_url, events[90:])
        ready = wait_until(
            lambda: httpx.get(f"{pipeline.api_url}/readyz", timeout=5),
            lambda r: r.status_code == 503,
            timeout_s=DETECT_BOUND_S + 5,
            every_s=0.5,
        )
        detected_s = time.monotonic() - frozen
        lag_while_stuck = _lag(pipeline.api_url)

        pipeline.signal("sla-monitor", signal.SIGCONT)
        resumed = time.monotonic()
        wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == comparable(clean_run_rows(events)),
            timeout_s=90,
        )
        caught_up_s = time.monotonic() - resumed
        wait_until(
            lambda: httpx.get(f"{pipeline.api_url}/readyz", timeout=5).status_code,
            lambda status: status == 200,
            timeout_s=30,
        )
        assert pipeline.alive()["sla-monitor"]

    print(f"stall reported {detected_s:.1f} s after the freeze; caught up {caught_up_s:.1f} s")
    body = ready.json()
    assert body["reason"] == "consumer_stalled"
    stalled = body["stalled"]
    assert all(s["lag"] > 0 and s["stalled_s"] >= 30 for s in stalled)
    assert "contact.events.v1" in {s["topic"] for s in stalled}
    assert lag_while_stuck >= len(events[90:]) // 2
    assert detected_s <= DETECT_BOUND_S

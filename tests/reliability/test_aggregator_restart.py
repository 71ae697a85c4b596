"""#2: the aggregator is SIGKILLed mid-run. Started again, it serves the same figures as
before the kill (``/v1/kpis`` and the figure families of ``/metrics``), rebuilt from the
topics alone, within 10 s of its start."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.reliability.support import (
    FaultyPipeline,
    differences,
    figure_families,
    kpi_rows,
    wait_until,
)
from tests.reliability.traffic import call_events, clean_run_rows, comparable, post_all

pytestmark = pytest.mark.timeout(180)

CALLS = 300
REBUILD_BOUND_S = 10.0


def test_killed_aggregator_serves_the_same_figures_after_restart(tmp_path: Path) -> None:
    events = call_events("agg-restart", CALLS)
    half = len(events) // 2
    with FaultyPipeline(tmp_path) as pipeline:
        post_all(pipeline.ingest_url, events[:half])
        pipeline.signal("aggregator", signal.SIGKILL)  # mid-run: nothing is flushed
        post_all(pipeline.ingest_url, events[half:])
        pipeline.start("aggregator")
        pipeline.wait_ready("aggregator")
        wanted = comparable(clean_run_rows(events))
        before_rows = wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == wanted,
            timeout_s=60,
        )
        before_metrics = figure_families(pipeline.api_url)

        pipeline.signal("aggregator", signal.SIGKILL)
        restarted = time.monotonic()
        pipeline.start("aggregator")
        after_rows = wait_until(
            lambda: comparable(kpi_rows(pipeline.api_url, channel="phone")),
            lambda rows: rows == before_rows,
            timeout_s=30,
            every_s=0.05,
        )
        rebuilt_s = time.monotonic() - restarted
        after_metrics = figure_families(pipeline.api_url)
        assert pipeline.alive() == {"ingest": True, "sla-monitor": True, "aggregator": True}

    print(f"aggregator rebuilt its figures {rebuilt_s:.2f} s after its restart")
    assert after_rows == before_rows
    assert before_metrics, "no figure families before the kill"
    assert list(differences(before_metrics, after_metrics)) == []
    assert rebuilt_s <= REBUILD_BOUND_S, f"rebuilt in {rebuilt_s:.1f} s"

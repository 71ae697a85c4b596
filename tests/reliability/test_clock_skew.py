"""#7: clock skew. Calls stamped 10 minutes in the future (a source's clock ahead), then
calls stamped hours late (a source that buffered), after a few minutes of normal traffic.
The future ones are counted in ``sla_future_events_total``, the late ones in
``sla_late_events_total{lateness="too_late"}``; all of them still count in the figures,
which equal a clean run of the same events; no window breaks, the worker keeps going."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ct_sla_monitor.handlers import ContactStage
from ct_sla_monitor.standards_file import default_standards
from tests.reliability.support import FaultyPipeline, kpi_rows, metric_samples, wait_until
from tests.reliability.traffic import call_events, clean_run_rows, comparable, post_all

pytestmark = pytest.mark.timeout(180)

QUEUE = "benefits"


def _scopes_touched(events: list[dict[str, Any]], timed: bool = False) -> Counter[str]:
    """How many of ``events`` reach each scope (stage 1 in process); ``timed``: only the
    messages that carry an event time (those the lateness rules judge)."""
    stage1 = ContactStage({}, default_standards())
    touched: Counter[str] = Counter()
    for event in events:
        routed = stage1.handle(orjson.dumps(event))
        assert isinstance(routed, dict)
        touched.update(k for k, m in routed.items() if not timed or m.get("at") is not None)
    return touched


def _counters(api_url: str) -> dict[str, float]:
    text = httpx.get(f"{api_url}/metrics", timeout=5).text
    return metric_samples(text, ("sla_future_events", "sla_late_events"))


def _converged(api_url: str, events: list[dict[str, Any]]) -> None:
    wanted = comparable(clean_run_rows(events))
    wait_until(
        lambda: comparable(kpi_rows(api_url, channel="phone")),
        lambda rows: rows == wanted,
        timeout_s=60,
    )


def test_future_and_hours_late_events_are_counted_and_break_nothing(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    # 30 calls over the last 4 minutes (within the allowed lateness of each other)
    normal = call_events("skew-now", 30, QUEUE, start=now - timedelta(minutes=4))
    normal = [e for e in normal if datetime.fromisoformat(e["occurred_at"]) <= now]
    future = call_events("skew-ahead", 5, QUEUE, start=now + timedelta(minutes=10))
    late = call_events("skew-late", 8, QUEUE, start=now - timedelta(hours=3))
    with FaultyPipeline(tmp_path) as pipeline:
        post_all(pipeline.ingest_url, normal)
        _converged(pipeline.api_url, normal)
        post_all(pipeline.ingest_url, future)
        _converged(pipeline.api_url, normal + future)
        post_all(pipeline.ingest_url, late)
        _converged(pipeline.api_url, normal + future + late)
        counters = wait_until(
            lambda: _counters(pipeline.api_url),
            lambda c: (
                c.get(f"sla_late_events_total{{channel=phone,lateness=too_late,queue={QUEUE}}}", 0)
                > 0
            ),
            timeout_s=30,
        )
        assert pipeline.alive()["sla-monitor"]

    ahead = _scopes_touched(future)
    behind = _scopes_touched(late, timed=True)
    for scope in (f"phone/{QUEUE}", "phone/all"):
        channel, queue = scope.split("/")
        assert (
            counters[f"sla_future_events_total{{channel={channel},queue={queue}}}"] == ahead[scope]
        )
        too_late = f"sla_late_events_total{{channel={channel},lateness=too_late,queue={queue}}}"
        assert counters[too_late] == behind[scope]
    assert ahead[f"phone/{QUEUE}"] == len(future)

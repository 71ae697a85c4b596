"""Twelve scripted calls posted over HTTP to the running pipeline; the exact figures
(worked out by hand in tests/phone_scenario.py) must appear on /v1/kpis and /metrics."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Pipeline
from tests.phone_scenario import EXPECTED, POSTS, observed, wanted

pytestmark = pytest.mark.e2e


def _await_figures(api: str, queue: str, timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = httpx.get(f"{api}/v1/kpis", params={"channel": "phone", "queue": queue}).json()
        seen = observed(body["kpis"])
        if seen == wanted():
            return seen
        time.sleep(0.25)
    return seen


def test_twelve_calls_give_exact_figures(pipeline: Pipeline) -> None:
    with httpx.Client(base_url=pipeline.ingest_url, timeout=10) as client:
        for body in POSTS:
            response = client.post("/v1/events", json=body)
            assert response.status_code == 202, response.text

    for queue in ("council_tax", "all"):
        assert _await_figures(pipeline.api_url, queue) == wanted(), queue

    text = httpx.get(f"{pipeline.api_url}/metrics").text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }

    def metric(name: str, window: str | None = None, **labels: str) -> float:
        wanted = {"channel": "phone", "queue": "council_tax", **labels}
        if window:
            wanted["window"] = window
        return samples[(name, tuple(sorted(wanted.items())))]

    for window, figures in EXPECTED.items():
        assert metric("sla_offered_contacts", window) == figures["offered"]
        assert metric("sla_answered_contacts", window) == figures["answered"]
        assert metric("sla_abandoned_contacts", window) == figures["abandoned"]
        assert metric("sla_short_abandoned_contacts", window) == figures["short_abandoned"]
        assert (
            metric("sla_answered_within_rings_contacts", window) == figures["answered_within_rings"]
        )
        assert metric("sla_asa_seconds", window) == figures["asa_seconds"]
        for variant, value in figures["service_level"].items():
            assert metric("sla_service_level_ratio", window, variant=variant) == value
    assert metric("sla_waiting_contacts") == 1
    assert metric("sla_longest_wait_seconds") == 90.0
    assert metric("sla_offered_contacts", "today", queue="all") == 10

"""Scale-out on the embedded broker: two sla_monitor processes in one consumer group and two
aggregator replicas give the same figures as one of each, for the same events (the phone
scenario). Each run has its own broker; every aggregator's whole /v1/kpis answer is
compared with the single-worker run's."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics
from tests.deploy.service_processes import await_members, post_all, running_services
from tests.phone_scenario import POSTS, observed, wanted
from tests.running_pipeline import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

APP_ID = "ct-sla-monitor"
QUEUES = ("council_tax", "all")


def _kpis(api: str, queue: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/v1/kpis", params={"channel": "phone", "queue": queue}, timeout=10)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _settled(api: str, timeout_s: float = 90) -> dict[str, dict[str, Any]]:
    """Every queue's /v1/kpis once the scenario's figures are in and two reads agree."""
    deadline = time.monotonic() + timeout_s
    last: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        now = {queue: _kpis(api, queue) for queue in QUEUES}
        complete = all(observed(body["kpis"]) == wanted() for body in now.values())
        if complete and now == last:
            return now
        last = now
        time.sleep(1.0)
    raise AssertionError(f"{api} did not settle on the scenario's figures: {last}")


def _run(tmp: Path, monitors: int, aggregators: int) -> list[dict[str, dict[str, Any]]]:
    """The scenario through ``monitors`` workers; each aggregator's settled answers."""
    tmp.mkdir()
    with EmbeddedBroker(log_path=tmp / "broker.log") as broker:
        asyncio.run(ensure_topics(broker.bootstrap_servers, pipeline_topics(4)))
        kafka = {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers}
        ingest_port = free_port()
        api_ports = [free_port() for _ in range(aggregators)]
        services = [("ingest", "ingest", kafka | {"CT_INGEST_PORT": str(ingest_port)})]
        services += [
            (f"monitor-{i}", "sla-monitor", kafka | {"CT_MONITOR_DATA_DIR": str(tmp / f"m{i}")})
            for i in range(monitors)
        ]
        services += [
            (f"aggregator-{i}", "aggregator", kafka | {"CT_AGGREGATOR_PORT": str(port)})
            for i, port in enumerate(api_ports)
        ]
        with running_services(services, tmp) as procs:
            ingest = f"http://127.0.0.1:{ingest_port}"
            apis = [f"http://127.0.0.1:{port}" for port in api_ports]
            wait_ready(f"{ingest}/readyz", procs["ingest"], 60)
            for i, api in enumerate(apis):
                wait_ready(f"{api}/readyz", procs[f"aggregator-{i}"], 60)
            await_members(broker.bootstrap_servers, APP_ID, monitors)
            post_all(ingest, POSTS, api_key=None)
            return [_settled(api) for api in apis]


def test_two_workers_and_two_aggregators_equal_one_of_each(tmp_path: Path) -> None:
    [single] = _run(tmp_path / "single", monitors=1, aggregators=1)
    scaled = _run(tmp_path / "scaled", monitors=2, aggregators=2)
    assert len(scaled) == 2
    for replica, answers in enumerate(scaled):
        for queue in QUEUES:
            assert answers[queue] == single[queue], f"aggregator {replica}, queue {queue}"

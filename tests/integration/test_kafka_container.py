"""The end-to-end phone scenario on real Apache Kafka (KRaft, one node, the compose file's
image and settings) in a testcontainers container, with idempotent producers on. Skips,
saying why, when no Docker engine answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ct_broker.embedded import free_port
from ct_broker.topics import ensure_topics, pipeline_topics
from tests.deploy.compose_file import load
from tests.deploy.service_processes import await_members, post_all, running_services
from tests.phone_scenario import POSTS, observed, wanted
from tests.running_pipeline import wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

#: The compose file's Kafka: its image and settings, reached on a published port.
KAFKA_IMAGE = load()["services"]["kafka"]["image"]
KAFKA_ENV = load()["services"]["kafka"]["environment"]


def _docker_unavailable() -> str | None:
    """Why Docker cannot be used here, or None when an engine answers."""
    try:
        import docker

        docker.from_env(timeout=5).ping()
    except Exception as exc:  # no socket, no permission, no engine: all mean "skip"
        return f"no Docker engine ({type(exc).__name__}): testcontainers cannot start Kafka"
    return None


@pytest.fixture(scope="module")
def kafka() -> Iterator[str]:
    reason = _docker_unavailable()
    if reason is not None:
        pytest.skip(reason)
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    port = free_port()
    container = (
        DockerContainer(KAFKA_IMAGE)
        .with_bind_ports(9092, port)
        .with_envs(**KAFKA_ENV)
        .with_envs(
            KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://127.0.0.1:{port}",
            KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
        )
    )
    with container:
        wait_for_logs(container, "Kafka Server started", timeout=120)
        yield f"127.0.0.1:{port}"


def test_phone_scenario_on_apache_kafka_with_idempotence(kafka: str, tmp_path: Path) -> None:
    asyncio.run(ensure_topics(kafka, pipeline_topics(4), timeout_s=60))
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka, "KAFKA_ENABLE_IDEMPOTENCE": "true"}
    ingest_port, api_port = free_port(), free_port()
    services = [
        ("ingest", "ingest", env | {"CT_INGEST_PORT": str(ingest_port)}),
        ("sla_monitor", "sla-monitor", env | {"CT_MONITOR_DATA_DIR": str(tmp_path / "m")}),
        ("aggregator", "aggregator", env | {"CT_AGGREGATOR_PORT": str(api_port)}),
    ]
    with running_services(services, tmp_path) as procs:
        ingest, api = f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{api_port}"
        wait_ready(f"{ingest}/readyz", procs["ingest"], 60)
        wait_ready(f"{api}/readyz", procs["aggregator"], 60)
        await_members(kafka, "ct-sla-monitor", 1, timeout_s=120)
        post_all(ingest, POSTS, api_key=None)
        for queue in ("council_tax", "all"):
            assert _await_figures(api, queue) == wanted(), queue


def _await_figures(api: str, queue: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline and seen != wanted():
        params = {"channel": "phone", "queue": queue}
        seen = observed(httpx.get(f"{api}/v1/kpis", params=params, timeout=10).json()["kpis"])
        time.sleep(0.5)
    return seen

"""The services start with exactly the environment docker-compose.yml gives their
containers (secrets from a filled .env), pointed at the embedded broker: only the broker
address, idempotence (Tansu has none), the two listen ports and the monitor's data directory
are replaced. Two sla_monitor replicas, as in the compose file. Their health checks pass,
authentication is on, and the phone scenario gives its figures."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ct_broker.embedded import EmbeddedBroker, free_port
from ct_broker.topics import ensure_topics, pipeline_topics
from tests.deploy.compose_file import (
    API_KEY,
    COMMANDS,
    READ_TOKEN,
    filled_env,
    load,
    service_env,
)
from tests.deploy.service_processes import await_members, clean_env, post_all, running_services
from tests.phone_scenario import POSTS, observed, wanted
from tests.running_pipeline import wait_ready

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def _envs(bootstrap: str, tmp: Path) -> dict[str, dict[str, str]]:
    compose = load(filled_env())
    envs = {name: service_env(compose, name) for name in COMMANDS}
    for name, env in envs.items():
        env |= {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_ENABLE_IDEMPOTENCE": "false"}
        if name == "sla_monitor":
            env["CT_MONITOR_DATA_DIR"] = str(tmp / "monitor")
    envs["ingest"]["CT_INGEST_PORT"] = str(free_port())
    envs["aggregator"]["CT_AGGREGATOR_PORT"] = str(free_port())
    return envs


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("compose-env")
    compose = load(filled_env())
    partitions = int(compose["services"]["sla_monitor"]["environment"]["CT_MONITOR_PARTITIONS"])
    with EmbeddedBroker(log_path=tmp / "broker.log") as broker:
        asyncio.run(ensure_topics(broker.bootstrap_servers, pipeline_topics(partitions)))
        envs = _envs(broker.bootstrap_servers, tmp)
        replicas = compose["services"]["sla_monitor"]["deploy"]["replicas"]
        monitors = [
            (f"sla_monitor-{i}", "sla-monitor", envs["sla_monitor"]) for i in range(replicas)
        ]
        services = [
            ("ingest", "ingest", envs["ingest"]),
            *monitors,
            ("aggregator", "aggregator", envs["aggregator"]),
        ]
        with running_services(services, tmp) as procs:
            ingest = f"http://127.0.0.1:{envs['ingest']['CT_INGEST_PORT']}"
            api = f"http://127.0.0.1:{envs['aggregator']['CT_AGGREGATOR_PORT']}"
            wait_ready(f"{ingest}/readyz", procs["ingest"], 60)
            wait_ready(f"{api}/readyz", procs["aggregator"], 60)
            app_id = envs["sla_monitor"]["CT_MONITOR_APP_ID"]
            await_members(broker.bootstrap_servers, app_id, replicas)
            yield {"ingest": ingest, "api": api, "envs": envs, "procs": procs}


@pytest.mark.parametrize("service", sorted(COMMANDS))
def test_the_container_health_check_passes(deployment: dict[str, Any], service: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ct_cli.main", "healthcheck", COMMANDS[service]],
        env=clean_env(deployment["envs"][service]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"{COMMANDS[service]}: healthy: ")


def test_ingest_and_the_api_refuse_requests_without_their_credentials(
    deployment: dict[str, Any],
) -> None:
    refused = httpx.post(f"{deployment['ingest']}/v1/events", json=POSTS[0], timeout=10)
    assert refused.status_code == 401
    assert httpx.get(f"{deployment['api']}/v1/kpis", timeout=10).status_code == 401


def test_the_phone_scenario_gives_its_figures(deployment: dict[str, Any]) -> None:
    post_all(deployment["ingest"], POSTS, API_KEY)
    headers = {"Authorization": f"Bearer {READ_TOKEN}"}
    deadline = time.monotonic() + 90
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline and seen != wanted():
        body = httpx.get(
            f"{deployment['api']}/v1/kpis",
            params={"channel": "phone", "queue": "council_tax"},
            headers=headers,
            timeout=10,
        ).json()
        seen = observed(body["kpis"])
        time.sleep(0.25)
    assert seen == wanted()

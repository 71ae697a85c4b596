"""``ct healthcheck``: the sla_monitor's verdict from a DescribeGroups answer (as Apache Kafka
and Tansu give it), and the command's exit code against a real broker and a dead port."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from ct_broker.embedded import free_port
from ct_cli.healthcheck import group_health
from tests.deploy.service_processes import clean_env

pytestmark = pytest.mark.timeout(60)

HERE = {"127.0.0.1", "172.18.0.5"}


def _group(state: str, *hosts: str) -> dict[str, Any]:
    members = [{"member_id": f"m{i}", "client_host": host} for i, host in enumerate(hosts)]
    return {"group": "ct-sla-monitor", "state": state, "members": members}


@pytest.mark.parametrize(
    ("group", "healthy"),
    [
        (_group("Stable", "/172.18.0.5", "/172.18.0.6"), True),  # Kafka: this container
        (_group("Stable", "/172.18.0.6", "/172.18.0.7"), False),  # Kafka: others only
        (_group("Stable", ""), True),  # Tansu reports no hosts: any member
        (_group("Stable"), False),  # no member at all
        (_group("PreparingRebalance", "/172.18.0.5"), False),
        (_group("Empty"), False),
        (_group("Dead"), False),
    ],
)
def test_monitor_health_from_the_group(group: dict[str, Any], healthy: bool) -> None:
    verdict, reason = group_health(group, HERE)
    assert verdict is healthy, reason
    assert "ct-sla-monitor" in reason


def _healthcheck(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ct_cli.main", "healthcheck", service, "--timeout", "5"],
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.integration
def test_monitor_is_unhealthy_when_no_worker_is_in_the_group(kafka_broker: str) -> None:
    result = _healthcheck("sla-monitor", {"KAFKA_BOOTSTRAP_SERVERS": kafka_broker})
    assert result.returncode == 1
    assert result.stdout.startswith("sla-monitor: unhealthy: ")


@pytest.mark.parametrize(
    ("service", "variable"), [("ingest", "CT_INGEST_PORT"), ("aggregator", "CT_AGGREGATOR_PORT")]
)
def test_a_web_service_that_does_not_answer_is_unhealthy(service: str, variable: str) -> None:
    result = _healthcheck(service, {variable: str(free_port())})
    assert result.returncode == 1
    assert result.stdout.startswith(f"{service}: unhealthy: http://127.0.0.1:")

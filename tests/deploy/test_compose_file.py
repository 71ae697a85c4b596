"""docker-compose.yml, .env.example and the Dockerfile checked without a Docker engine: the
Compose Specification's JSON schema, and agreement with the code (every variable a service
gets is one of its Settings, every port and topic the code's), and the issue's shape."""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from ct_broker.settings import KafkaSettings
from ct_broker.topics import CONTACT_EVENTS, CONTACT_EVENTS_DLQ, pipeline_topics
from ct_cli.config_docs import env_name
from tests.deploy.compose_file import (
    COMMANDS,
    ROOT,
    SERVICE_SETTINGS,
    filled_env,
    load,
    read_env_file,
    service_env,
    variables,
)

pytestmark = pytest.mark.timeout(60)

SCHEMA = json.loads((Path(__file__).parent / "compose_spec" / "compose_spec.json").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SECRETS = (
    "CT_INGEST_SOURCES",
    "CT_INGEST_PSEUDONYMISATION_KEYS",
    "CT_AGGREGATOR_READ_TOKENS",
    "GRAFANA_ADMIN_PASSWORD",
)


def _settings(path: str) -> type[BaseSettings]:
    module, name = path.rsplit(".", 1)
    cls: type[BaseSettings] = getattr(importlib.import_module(module), name)
    return cls


def _build(service: str, env: dict[str, str]) -> dict[str, Any]:
    """Each Settings class of ``service`` read from an environment that is exactly ``env``,
    as in its container (the runner's own CT_* and KAFKA_* variables are hidden)."""
    saved = dict(os.environ)
    try:
        for key in [k for k in os.environ if k.startswith(("CT_", "KAFKA_"))]:
            del os.environ[key]
        os.environ.update(env)
        return {cls.__name__: cls() for cls in map(_settings, SERVICE_SETTINGS[service])}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _known_variables(service: str) -> set[str]:
    return {
        env_name(cls, name)
        for cls in map(_settings, SERVICE_SETTINGS[service])
        for name in cls.model_fields
    }


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load(filled_env())


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    validator = jsonschema_rs.validator_for(SCHEMA)
    for document in (compose, load(), load(raw=True)):
        errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []


@pytest.mark.parametrize(
    ("what", "path", "value"),
    [
        ("an unknown service key", ("services", "ingest", "portz"), ["8000:8000"]),
        ("replicas as text", ("services", "sla_monitor", "deploy", "replicas"), "two"),
        ("a bad depends_on condition", ("services", "ingest", "depends_on", "topics"), {}),
        ("an unknown top-level key", ("servics",), {}),
    ],
)
def test_the_schema_refuses_a_broken_compose_file(
    compose: dict[str, Any], what: str, path: tuple[str, ...], value: object
) -> None:
    broken = copy.deepcopy(compose)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert not jsonschema_rs.validator_for(SCHEMA).is_valid(broken), what


def test_every_variable_has_a_value_in_env_example_and_no_secret_is_real() -> None:
    example = read_env_file()
    assert set(variables()) <= set(example)
    for name in SECRETS:
        assert variables()[name] == ":?", f"{name} must be required (${{{name}:?...}})"
        assert "CHANGE-ME" in example[name], f".env.example holds a value for {name}"
    assert not (ROOT / ".env").is_file() or ".env" not in _tracked_names()


def _tracked_names() -> set[str]:
    import subprocess

    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, timeout=20, check=True
    )
    return set(out.stdout.split())


def test_the_example_secrets_are_refused_so_a_copy_of_it_cannot_go_live() -> None:
    example = load()
    for service in ("ingest", "aggregator"):
        with pytest.raises(ValidationError):
            _build(service, service_env(example, service))


@pytest.mark.parametrize("service", sorted(SERVICE_SETTINGS))
def test_every_variable_a_service_gets_is_one_of_its_settings(
    compose: dict[str, Any], service: str
) -> None:
    env = service_env(compose, service)
    unknown = set(env) - _known_variables(service)
    assert unknown == set(), f"{service}: no Settings reads {sorted(unknown)}"
    built = _build(service, env)
    kafka = next(s for s in built.values() if isinstance(s, KafkaSettings))
    assert kafka.kafka_bootstrap_servers == "kafka:9092"
    assert kafka.kafka_enable_idempotence is True, "idempotent producers are on here"


def test_our_services_are_the_dockerfile_targets_and_run_their_ct_command(
    compose: dict[str, Any],
) -> None:
    targets = set(re.findall(r"^FROM \S+ AS (\S+)$", DOCKERFILE, re.MULTILINE))
    built = {name for name, svc in compose["services"].items() if "build" in svc}
    assert built == set(SERVICE_SETTINGS)
    for name in built:
        target = compose["services"][name]["build"]["target"]
        assert target in targets
        stage = DOCKERFILE.split(f" AS {target}\n", 1)[1].split("\nFROM ", 1)[0]
        assert f'CMD ["{COMMANDS[name]}"]' in stage
        assert f'CMD ["ct", "healthcheck", "{COMMANDS[name]}"]' in stage
        test = compose["services"][name]["healthcheck"]["test"]
        assert test == ["CMD", "ct", "healthcheck", COMMANDS[name]]


def test_the_image_is_slim_pinned_non_root_and_built_from_the_lock_file() -> None:
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert base is not None
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base[1])
    assert "-c constraints.txt" in DOCKERFILE
    assert re.search(r"^USER 10001$", DOCKERFILE, re.MULTILINE)
    assert "useradd --system --uid 10001" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".env", ".venv", "tests"} <= set(ignored)


def test_only_ingest_and_grafana_are_published_and_the_ports_are_the_settings(
    compose: dict[str, Any],
) -> None:
    published = {name: svc["ports"] for name, svc in compose["services"].items() if "ports" in svc}
    assert sorted(published) == ["grafana", "ingest"]
    ingest = _build("ingest", service_env(compose, "ingest"))
    assert published["ingest"] == [f"8000:{ingest['IngestSettings'].port}"]
    assert published["grafana"] == ["3000:3000"]
    exposed = re.findall(r"^EXPOSE (\d+)$", DOCKERFILE, re.MULTILINE)
    assert exposed == ["8000", "8001"]


def test_prometheus_scrapes_the_ports_the_services_listen_on(compose: dict[str, Any]) -> None:
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    targets = {
        job["job_name"]: target
        for job in prometheus["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    ingest = _build("ingest", service_env(compose, "ingest"))
    aggregator = _build("aggregator", service_env(compose, "aggregator"))
    assert targets["ct-ingest"] == f"ingest:{ingest['IngestSettings'].port}"
    port = aggregator["AggregatorSettings"].port
    assert targets["ct-aggregator"] == f"aggregator:{port}"
    assert targets["alertmanager"] == "alertmanager:9093"
    mounts = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/rules:/etc/prometheus/rules:ro" in mounts
    assert prometheus["rule_files"] == ["rules/*.yml"]


def test_two_monitor_workers_in_one_group_on_the_topics_partitions(
    compose: dict[str, Any],
) -> None:
    monitor = compose["services"]["sla_monitor"]
    assert monitor["deploy"]["replicas"] == 2
    assert "container_name" not in monitor and "hostname" not in monitor
    settings = _build("sla_monitor", service_env(compose, "sla_monitor"))
    partitions = settings["MonitorSettings"].partitions
    created = _created_topics(compose)
    wanted = {spec.name: spec.partitions for spec in pipeline_topics(partitions)}
    assert {name: int(opts["partitions"]) for name, opts in created.items()} == wanted


def _created_topics(compose: dict[str, Any]) -> dict[str, dict[str, str]]:
    """topic -> its options (partitions and each --config), from the init step's script."""
    script = compose["services"]["topics"]["command"][0].replace("\\\n", " ")
    topics = {}
    for line in script.splitlines():
        words = line.split()
        if words[:1] != ["create"]:
            continue
        options = {"partitions": words[words.index("--partitions") + 1]}
        for i, word in enumerate(words):
            if word == "--config":
                key, _, value = words[i + 1].partition("=")
                options[key] = value
        topics[words[1]] = options
    return topics


def test_topics_are_created_with_retention_and_compaction(compose: dict[str, Any]) -> None:
    created = _created_topics(compose)
    year_ms = 365 * 24 * 3600 * 1000
    assert created[CONTACT_EVENTS]["cleanup.policy"] == "delete"
    assert int(created[CONTACT_EVENTS]["retention.ms"]) >= year_ms, "raw events: audits"
    assert created["sla.metrics.v1"]["cleanup.policy"] == "compact"
    assert int(created[CONTACT_EVENTS_DLQ]["retention.ms"]) > 0
    kafka = compose["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller", "KRaft, one node"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    topics = compose["services"]["topics"]
    assert topics["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    for name in SERVICE_SETTINGS:
        depends = compose["services"][name]["depends_on"]
        assert depends == {"topics": {"condition": "service_completed_successfully"}}


def test_everything_is_on_the_private_network(compose: dict[str, Any]) -> None:
    assert compose["networks"] == {"pipeline": {"driver": "bridge"}}
    for name, service in compose["services"].items():
        assert service["networks"] == ["pipeline"], name
        assert "network_mode" not in service, name


def test_grafana_is_provisioned_and_locked(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in grafana["volumes"]}
    assert (
        mounts["/etc/grafana/provisioning/datasources"]
        == "./deploy/grafana/provisioning/datasources"
    )
    assert mounts["/var/lib/grafana/dashboards"] == "./deploy/grafana/dashboards"
    for source in mounts.values():
        assert not source.startswith("./") or (ROOT / source).exists(), source
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (ROOT / "deploy/grafana/dashboards" / Path(home).name).is_file()

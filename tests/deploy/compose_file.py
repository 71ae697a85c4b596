"""docker-compose.yml read as Compose reads it: YAML (anchors and merge keys resolved), with
``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}`` interpolated from a mapping (the
values of .env), and ``$$`` as a literal ``$``. Used by the deploy and scale-out tests."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"

#: Our services (built from the Dockerfile) and the Settings classes that read their env.
SERVICE_SETTINGS = {
    "ingest": ("ct_ingest.settings.IngestSettings", "ct_ingest.adapters.settings.AdapterSettings"),
    "sla_monitor": ("ct_sla_monitor.settings.MonitorSettings",),
    "aggregator": ("ct_aggregator.settings.AggregatorSettings",),
}
#: compose service name -> the `ct` subcommand its image runs
COMMANDS = {"ingest": "ingest", "sla_monitor": "sla-monitor", "aggregator": "aggregator"}

_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}"
)


class MissingVariable(KeyError):
    """A ``${VAR:?message}`` whose variable is unset or empty."""


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """KEY=value lines of an env file (comments skipped, one level of quotes removed)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's variable substitution of ``text``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name, "")
        if op == ":-" and not value:
            return str(arg)
        if op == ":?" and not value:
            raise MissingVariable(f"{name}: {arg}")
        return value

    return _VARIABLE.sub(substitute, text)


def strings(node: Any) -> Iterator[str]:
    """Every string value of a parsed document (not the keys, not the comments)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def variables() -> dict[str, str | None]:
    """Every variable the compose file interpolates, with its operator (``:-``, ``:?``)."""
    return {
        m.group("name"): m.group("op")
        for text in strings(load(raw=True))
        for m in _VARIABLE.finditer(text)
        if m.group("name")
    }


def load(env: Mapping[str, str] | None = None, raw: bool = False) -> dict[str, Any]:
    """The compose document, its values interpolated with ``env`` (default: .env.example)
    unless ``raw``. Like Compose, only values are interpolated, after YAML parsing."""
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    if raw:
        return document
    values = read_env_file() if env is None else env

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return interpolate(node, values)
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    result: dict[str, Any] = walk(document)
    return result


def service_env(document: dict[str, Any], service: str) -> dict[str, str]:
    """The environment a service's container gets, as strings."""
    environment = document["services"][service].get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {str(k): "" if v is None else str(v) for k, v in environment.items()}


#: The test's own values for the secrets .env must provide (the example's are refused).
API_KEY = "test-pbx-key-0123456789abcdef"
READ_TOKEN = "test-read-token-0123456789"


def filled_env() -> dict[str, str]:
    """.env.example with its CHANGE-ME secrets replaced by working test values."""
    sources = {"pbx": {"key_hashes": [hashlib.sha256(API_KEY.encode()).hexdigest()]}}
    return read_env_file() | {
        "CT_INGEST_SOURCES": json.dumps(sources),
        "CT_INGEST_PSEUDONYMISATION_KEYS": json.dumps({"k1": "test-pseudonymisation-key-01"}),
        "CT_AGGREGATOR_READ_TOKENS": READ_TOKEN,
        "GRAFANA_ADMIN_PASSWORD": "test-grafana-password",
    }

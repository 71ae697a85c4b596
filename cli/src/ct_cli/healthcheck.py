"""``ct healthcheck SERVICE``: the containers' health checks (exit 0 healthy, 1 not).

ingest and the aggregator answer ``GET /healthz`` on the port their settings give. The
sla_monitor has no web server (faust's is off), so its check asks the broker instead: the
worker's consumer group (``CT_MONITOR_APP_ID``) must be ``Stable`` and, when the broker
reports member hosts (Apache Kafka does, Tansu does not), one member must be this host. A
worker that hangs drops out of the group after its session timeout and turns unhealthy.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from collections.abc import Iterable
from typing import Any

import httpx

SERVICES = ("ingest", "sla-monitor", "aggregator")


def add_healthcheck_parser(sub: Any) -> None:
    """Register ``ct healthcheck``."""
    parser = sub.add_parser(
        "healthcheck",
        help="exit 0 when a local service is healthy (container health checks)",
        description="Check the service running in this container or host, with the same "
        "settings (environment) as the service. ingest, aggregator: GET /healthz on "
        "127.0.0.1 and the configured port answers 200. sla-monitor: its consumer group is "
        "Stable on the broker and has a member on this host. Exit 0 healthy, 1 not; one "
        "line on stdout says why.",
    )
    parser.add_argument("service", choices=SERVICES, help="the service to check")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")


def run_healthcheck(args: argparse.Namespace) -> int:
    """Run the check of ``args.service``; print one line; 0 when healthy."""
    healthy, reason = check(args.service, args.timeout)
    print(f"{args.service}: {'healthy' if healthy else 'unhealthy'}: {reason}")
    return 0 if healthy else 1


def check(service: str, timeout_s: float) -> tuple[bool, str]:
    """Whether ``service`` is healthy here, and why (no secrets in the reason)."""
    if service == "ingest":
        from ct_ingest.settings import IngestSettings

        return _http_ok(IngestSettings().port, timeout_s)
    if service == "aggregator":
        from ct_aggregator.settings import AggregatorSettings

        return _http_ok(AggregatorSettings().port, timeout_s)
    from ct_sla_monitor.settings import MonitorSettings

    settings = MonitorSettings()
    try:
        group = asyncio.run(
            asyncio.wait_for(
                _describe_group(settings.kafka_bootstrap_servers, settings.app_id), timeout_s
            )
        )
    except Exception as exc:  # any failure to ask is "unhealthy", said in one line
        return False, f"cannot describe the consumer group: {type(exc).__name__}"
    return group_health(group, local_addresses())


def _http_ok(port: int, timeout_s: float) -> tuple[bool, str]:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        status = httpx.get(url, timeout=timeout_s).status_code
    except httpx.HTTPError as exc:
        return False, f"{url}: {type(exc).__name__}"
    return status == 200, f"{url} answered {status}"


async def _describe_group(bootstrap: str, group_id: str) -> dict[str, Any]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group_id])
    finally:
        await admin.close()
    groups: list[dict[str, Any]] = responses[0].to_object()["groups"]
    return groups[0]


def group_health(group: dict[str, Any], addresses: Iterable[str]) -> tuple[bool, str]:
    """Judge a DescribeGroups entry: Stable, with a member here when hosts are reported."""
    name, state, members = group.get("group"), group.get("state"), group.get("members") or []
    if state != "Stable":
        return False, f"group {name} is {state or 'unknown'}"
    hosts = [str(m.get("client_host") or "").lstrip("/") for m in members]
    if not any(hosts):
        return bool(members), f"group {name} is Stable with {len(members)} member(s)"
    here = set(addresses)
    mine = [h for h in hosts if h in here]
    if not mine:
        return False, f"group {name} is Stable but has no member on this host"
    return True, f"group {name} is Stable; this host is a member ({len(members)} in all)"


def local_addresses() -> set[str]:
    """The IP addresses of this host (a container: its own network addresses)."""
    found = {"127.0.0.1", "::1"}
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return found
    return found | {str(info[4][0]) for info in infos}

"""Debian's real Prometheus against the running pipeline, with deploy/'s jobs and rules.

The pipeline (broker, ingest, sla_monitor, aggregator as processes) gets the twelve-call
phone scenario plus emails, a web form, visitors, a case, a complaint, a survey and one
record that is not an event. Prometheus scrapes the aggregator and ingest every second.
Then: both targets are up; the service-level gauge equals /v1/kpis and the hand-worked
0.7; every rule file loads and every rule evaluates healthy; every dashboard expression
and template variable evaluates and returns data; the rules see the breaches the
scenario holds (and not the one below the minimum volume); and the pipeline health
metrics show the sla_monitor caught up and the one dead letter.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from ct_broker.embedded import free_port
from ct_broker.topics import CONTACT_EVENTS
from tests.e2e.conftest import Pipeline
from tests.phone_scenario import POSTS, observed, wanted

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULE_FILES = sorted((DEPLOY / "rules").glob("*.yml"))
BOARDS = [json.loads(p.read_text()) for p in sorted((DEPLOY / "grafana/dashboards").glob("*.json"))]
#: Grafana variables as the test fills them: every channel, queue and service type
VARIABLES = {
    "$__rate_interval": "1m",
    "$service_type": ".*",
    "$channel": ".*",
    "$queue": ".*",
    "$window": "today",
}
CUSTOMER = "k1:" + "ab" * 32
T = TypeVar("T")


def _ev(
    event_id: str, kind: str, at: str, contact: str, channel: str, queue: str, **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": kind,
        "occurred_at": at,
        "contact_id": contact,
        "channel": channel,
        "queue": queue,
        "source": "e2e",
        **extra,
    }


DAY = "2026-11-23T"
# Posted before the calls. A case resolved at first contact on 2 November is final by the
# 23rd (7-day re-contact window). Email m2 is never acknowledged: by 11:00 (the scope's
# clock) it is past its 15 minutes. Visitor v2 has waited 5 min at 10:10.
EXTRA_POSTS = [
    _ev(
        "case1-o",
        "case.opened",
        "2026-11-02T10:00:00Z",
        "case-1",
        "phone",
        "council_tax",
        service_type="council_tax",
        customer_ref=CUSTOMER,
    ),
    _ev(
        "case1-r",
        "case.resolved",
        "2026-11-02T10:20:00Z",
        "case-1",
        "phone",
        "council_tax",
        service_type="council_tax",
        customer_ref=CUSTOMER,
        resolution="first_contact",
        contacts=1,
    ),
    _ev(
        "m1-rec",
        "email.received",
        f"{DAY}09:00:00Z",
        "m1",
        "email",
        "general",
        service_type="council_tax",
    ),
    _ev("m1-ack", "email.acknowledged", f"{DAY}09:05:00Z", "m1", "email", "general"),
    _ev("c1-raised", "complaint.raised", f"{DAY}09:10:00Z", "complaint-1", "email", "general"),
    _ev(
        "m2-rec",
        "email.received",
        f"{DAY}09:20:00Z",
        "m2",
        "email",
        "general",
        service_type="council_tax",
    ),
    _ev("n1", "survey.answered", f"{DAY}10:30:00Z", "survey-1", "email", "general", score=9),
    _ev("m1-resp", "email.responded", f"{DAY}11:00:00Z", "m1", "email", "general"),
    _ev(
        "w1-sub",
        "webform.submitted",
        f"{DAY}09:30:00Z",
        "w1",
        "web",
        "forms",
        service_type="parking",
    ),
    _ev("w1-ack", "email.acknowledged", f"{DAY}09:31:00Z", "w1", "web", "forms"),
    _ev(
        "v1-t",
        "visit.ticketed",
        f"{DAY}10:00:00Z",
        "v1",
        "face_to_face",
        "reception",
        service_type="parking",
    ),
    _ev("v1-c", "visit.called", f"{DAY}10:02:00Z", "v1", "face_to_face", "reception"),
    _ev(
        "v2-t",
        "visit.ticketed",
        f"{DAY}10:05:00Z",
        "v2",
        "face_to_face",
        "reception",
        service_type="parking",
    ),
    _ev("v1-s", "visit.served", f"{DAY}10:10:00Z", "v1", "face_to_face", "reception"),
]


def _poll(what: str, probe: Callable[[], T | None], timeout_s: float = 30.0) -> T:
    """``probe()`` once it is not None; fails naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


async def _produce_not_an_event(bootstrap: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(CONTACT_EVENTS, b'{"not": "an event"}', key=b"junk-1")
    finally:
        await producer.stop()


@pytest.fixture(scope="module")
def fed(pipeline: Pipeline) -> Pipeline:
    """The pipeline after the scenario, once its figures are in."""
    with httpx.Client(base_url=pipeline.ingest_url, timeout=10) as client:
        for body in [*EXTRA_POSTS, *POSTS]:
            response = client.post("/v1/events", json=body)
            assert response.status_code == 202, response.text
    asyncio.run(_produce_not_an_event(pipeline.bootstrap))
    api = httpx.Client(base_url=pipeline.api_url, timeout=5)

    def phone_figures() -> bool | None:
        rows = api.get("/v1/kpis", params={"channel": "phone", "queue": "council_tax"}).json()
        return True if observed(rows["kpis"]) == wanted() else None

    def fcr_final() -> bool | None:
        params = {"channel": "service", "queue": "council_tax", "window": "month_to_date"}
        rows = api.get("/v1/kpis", params=params).json()["kpis"]
        return True if rows and rows[0]["resolution"]["fcr_rate_final"] == 1.0 else None

    def dead_letter() -> bool | None:
        stats = api.get("/v1/dlq/stats").json()
        return True if stats["by_reason"] == {"invalid_event": 1} else None

    def ack_alert() -> bool | None:
        alerts = api.get("/v1/alerts", params={"scope": "email/general"}).json()["alerts"]
        return True if any(a["standard"] == "email.acknowledge" for a in alerts) else None

    for what, probe in [
        ("the hand-worked phone figures", phone_figures),
        ("a final first-contact resolution", fcr_final),
        ("the dead letter", dead_letter),
        ("the open acknowledgement alert", ack_alert),
    ]:
        _poll(what, probe, 40)
    return pipeline


@pytest.fixture(scope="module")
def prometheus(fed: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's prometheus on a free port, deploy/'s jobs and rules, 1 s scrapes."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed: run `make system-deps`")
    home = tmp_path_factory.mktemp("prometheus")
    targets = {
        "ct-aggregator": urlsplit(fed.api_url).netloc,
        "ct-ingest": urlsplit(fed.ingest_url).netloc,
    }
    jobs = re.findall(r"job_name: (ct-[a-z-]+)", (DEPLOY / "prometheus.yml").read_text())
    assert sorted(jobs) == sorted(targets)
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in RULE_FILES],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            for job, target in targets.items()
        ],
    }
    (home / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
    port = free_port()
    log = open(home / "prometheus.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={home / 'prometheus.yml'}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool | None:
            assert proc.poll() is None, f"prometheus exited; see {home / 'prometheus.log'}"
            try:
                return True if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200 else None
            except httpx.HTTPError:
                return None

        _poll("prometheus to be ready", ready, 20)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    body = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert body["status"] == "success", (expr, body.get("error"))
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def _fill(expr: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr.replace('"$1"', ""), expr
    return expr


def test_both_targets_are_up(prometheus: str) -> None:
    def up() -> dict[str, str] | None:
        targets = httpx.get(f"{prometheus}/api/v1/targets").json()["data"]["activeTargets"]
        health = {t["labels"]["job"]: t["health"] for t in targets}
        return health if set(health.values()) == {"up"} and len(health) == 2 else None

    assert _poll("both targets up", up) == {"ct-aggregator": "up", "ct-ingest": "up"}
    assert {r["metric"]["job"]: r["value"][1] for r in _query(prometheus, "up")} == {
        "ct-aggregator": "1",
        "ct-ingest": "1",
    }


def test_service_level_gauge_equals_the_api(prometheus: str, fed: Pipeline) -> None:
    selector = (
        'sla_service_level_ratio{channel="phone", queue="council_tax", window="today", '
        'variant="offered"}'
    )
    scraped = _poll("the service level in Prometheus", lambda: _query(prometheus, selector) or None)
    params = {"channel": "phone", "queue": "council_tax", "window": "today"}
    (row,) = httpx.get(f"{fed.api_url}/v1/kpis", params=params).json()["kpis"]
    assert float(scraped[0]["value"][1]) == row["service_level"]["offered"] == 0.7


def test_every_rule_loads_and_evaluates_healthy(prometheus: str) -> None:
    expected = sum(
        len(re.findall(r"^\s+- alert: ", p.read_text(), re.MULTILINE)) for p in RULE_FILES
    )

    def evaluated() -> list[dict[str, Any]] | None:
        groups = httpx.get(f"{prometheus}/api/v1/rules").json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        done = all(not r["lastEvaluation"].startswith("0001") for r in rules)
        return rules if len(rules) == expected and done else None

    rules = _poll("every rule evaluated", evaluated)
    unhealthy = [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"]
    assert unhealthy == []
    for rule in rules:
        _query(prometheus, rule["query"])  # parses and evaluates without error


def test_every_dashboard_expression_returns_data(prometheus: str, fed: Pipeline) -> None:
    # Traffic while Prometheus watches, for the rates (re-sent events: duplicates are safe).
    with httpx.Client(base_url=fed.ingest_url, timeout=10) as client:
        for body in POSTS[:3]:
            assert client.post("/v1/events", json=body).status_code == 202
            time.sleep(1.1)
    exprs = [
        (board["uid"], panel["title"], _fill(target["expr"]))
        for board in BOARDS
        for panel in board["panels"]
        for target in panel["targets"]
    ]
    assert len(BOARDS) == 6 and len(exprs) > 60

    def empty() -> list[tuple[str, str, str]]:
        missing = []
        for uid, title, expr in exprs:
            values = [float(r["value"][1]) for r in _query(prometheus, expr)]
            if not any(math.isfinite(v) for v in values):
                missing.append((uid, title, expr))
        return missing

    deadline = time.monotonic() + 30  # rates need a few scrapes
    missing = empty()
    while missing and time.monotonic() < deadline:
        time.sleep(1)
        missing = empty()
    assert missing == []


def test_every_template_variable_has_values(prometheus: str) -> None:
    for board in BOARDS:
        for variable in board["templating"]["list"]:
            if variable["type"] != "query":
                assert variable["options"], variable["name"]
                continue
            match = re.fullmatch(r"label_values\((.+), (\w+)\)", variable["query"])
            assert match, variable["query"]
            selector, label = _fill(match.group(1)), match.group(2)
            values = httpx.get(
                f"{prometheus}/api/v1/label/{label}/values", params={"match[]": selector}
            ).json()
            assert values["status"] == "success" and values["data"], (board["uid"], variable)


def test_rules_see_the_scenarios_breaches(prometheus: str) -> None:
    """Today: 7 of 10 offered calls answered within 20 s (target 80%), 2 of 10 abandoned
    (limit 5%); the last 30 minutes hold only 9 offered calls, below the minimum volume of
    10, so they raise nothing. Email m2 is unacknowledged; visitor v2 waits over 3 min."""
    wanted_alerts = {
        ("PhoneServiceLevelBelowTarget", "council_tax", "today"): "0.7",
        ("PhoneAbandonmentAboveMaximum", "council_tax", "today"): "0.2",
        ("PhoneServiceLevelBelowTarget", "all", "today"): "0.7",
        ("PhoneAbandonmentAboveMaximum", "all", "today"): "0.2",
        ("EmailAcknowledgeBreached", "general", ""): "1",
        ("ReceptionVisitorWaitingTooLong", "reception", ""): "1",
    }

    def alerts() -> dict[tuple[str, str, str], str] | None:
        found = httpx.get(f"{prometheus}/api/v1/alerts").json()["data"]["alerts"]
        seen = {
            (
                a["labels"]["alertname"],
                a["labels"].get("queue", ""),
                a["labels"].get("window", ""),
            ): a["value"]
            for a in found
        }
        return seen if set(wanted_alerts) <= set(seen) else None

    seen = _poll("the scenario's alerts", alerts)
    assert {k: float(seen[k]) for k in wanted_alerts} == {
        k: float(v) for k, v in wanted_alerts.items()
    }
    assert not [k for k in seen if k[0].startswith("Phone") and k[2] != "today"]


def test_pipeline_health_sees_the_monitors_progress_and_the_dead_letter(prometheus: str) -> None:
    """The sla_monitor (group ct-sla-monitor) has consumed everything: its committed
    offsets reach the end of contact.events.v1 (lag 0; a group with no offsets would lag by
    every record); the one record that is not an event is counted as invalid_event."""
    lag = 'sum(ct_consumer_lag_messages{group="ct-sla-monitor", topic="contact.events.v1"})'

    def caught_up() -> bool | None:
        result = _query(prometheus, lag)
        return True if result and float(result[0]["value"][1]) == 0 else None

    _poll("the sla_monitor's lag to reach 0", caught_up, 30)
    partitions = _query(prometheus, 'ct_consumer_lag_messages{topic="contact.events.v1"}')
    assert len(partitions) == 4
    dead = _query(prometheus, "ct_dlq_records_total")
    assert {r["metric"]["reason"]: float(r["value"][1]) for r in dead} == {"invalid_event": 1.0}

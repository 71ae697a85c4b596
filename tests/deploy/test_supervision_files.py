"""The generated supervision files: current with the charter, thresholds equal to the
default standards file (read here independently with tomllib), dashboards complete, every
metric they name exported by a service, and the README's panel guide in step."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry
from ct_aggregator.pipeline_health import PipelineHealth, PipelineHealthCollector
from ct_aggregator.snapshots import SnapshotStore
from ct_ingest.metrics import IngestMetrics
from tests.deploy.conftest import DEPLOY

pytestmark = pytest.mark.timeout(30)

ROOT = DEPLOY.parent
CHARTER = tomllib.loads(
    (ROOT / "services/sla_monitor/src/ct_sla_monitor/standards/default.toml").read_text()
)
BOARDS = {p.stem: json.loads(p.read_text()) for p in (DEPLOY / "grafana/dashboards").glob("*.json")}


def test_generated_files_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deploy.supervision", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 0, f"regenerate: python -m deploy.supervision\n{result.stdout}"


def _rules() -> dict[str, str]:
    """Alert name -> its block of text in the generated rule file."""
    text = (DEPLOY / "rules/sla_standards.yml").read_text()
    blocks = re.split(r"^      - alert: ", text, flags=re.MULTILINE)[1:]
    return {block.split("\n", 1)[0]: block for block in blocks}


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m"


# alert -> (figure, charter section, key, direction)
AGGREGATES = {
    "PhoneAnswerRingsBelowTarget": (
        "sla_answered_within_rings_ratio",
        "phone",
        "answer_rings_target",
        "min",
    ),
    "PhoneServiceLevelBelowTarget": (
        "sla_service_level_ratio",
        "phone",
        "service_level_target",
        "min",
    ),
    "PhoneAbandonmentAboveMaximum": ("sla_abandonment_ratio", "phone", "abandonment_max", "max"),
    "ReceptionQueueTimeBelowTarget": ("sla_visit_called_in_time_ratio", "visit", "target", "min"),
    "FirstContactResolutionBelowTarget": ("sla_fcr_final_ratio", "resolution", "fcr_target", "min"),
    "NpsBelowFloor": ("sla_nps_score", "satisfaction", "nps_floor", "min"),
}


@pytest.mark.parametrize("alert", sorted(AGGREGATES))
def test_aggregate_rule_thresholds_are_the_charters(alert: str) -> None:
    figure, section, key, direction = AGGREGATES[alert]
    target = CHARTER[section][key]
    policy = CHARTER["alerts"]
    block = _rules()[alert]
    raised = "<" if direction == "min" else ">"
    recovered = (
        target + policy["clear_margin"] if direction == "min" else target - policy["clear_margin"]
    )
    assert re.search(rf"{figure}{{[^}}]*}} {raised} {target:g}\n", block), block
    assert re.search(
        rf"{figure}{{[^}}]*}} {'>=' if direction == 'min' else '<='} "
        rf"{round(recovered, 9):g} and",
        block,
    ), block
    assert block.count(f">= {policy['min_volume']}\n") == 1
    assert block.count(f">= {policy['min_volume']})\n") == 1
    assert f"for: {_minutes(CHARTER['allowed_lateness_s'])}\n" in block
    assert f"keep_firing_for: {_minutes(policy['clear_after_s'])}\n" in block
    assert f'charter: "{CHARTER["version"]}"' in block


def test_rule_texts_name_the_charters_numbers() -> None:
    rules = _rules()
    phone, email = CHARTER["phone"], CHARTER["email"]
    assert f'variant="{phone["service_level_variant"]}"' in rules["PhoneServiceLevelBelowTarget"]
    assert f"within {phone['service_level_threshold_s']} s" in rules["PhoneServiceLevelBelowTarget"]
    assert f"within {phone['answer_within_rings']} rings" in rules["PhoneAnswerRingsBelowTarget"]
    assert f"within {email['acknowledge_within_s']} s" in rules["EmailAcknowledgeBreached"]
    assert f"{email['follow_up_working_hours']} working-hour" in rules["EmailFollowUpBreached"]
    assert f"for: {_minutes(CHARTER['alerts']['escalate_after_s'])}" in rules["SlaBreachEscalated"]


def test_every_standard_has_a_rule() -> None:
    standards = set(re.findall(r'standard: "([a-z_.]+)"', "".join(_rules().values())))
    assert standards == {
        "phone.answer_rings",
        "phone.abandonment",
        "phone.service_level",
        "email.acknowledge",
        "email.follow_up",
        "visit.queue_time",
        "all.first_contact_resolution",
        "all.satisfaction_nps",
        "complaint.stage_response",
    }


def _panels() -> list[tuple[str, dict[str, Any]]]:
    return [(uid, panel) for uid, board in BOARDS.items() for panel in board["panels"]]


def rule_exprs(text: str) -> list[str]:
    """The ``expr:`` of every rule in a rule file: inline, or a literal block."""
    found = re.findall(r"^(\s+)expr: \|\n((?:\1  .*\n)+)", text, re.MULTILINE)
    return [block for _, block in found] + re.findall(r"expr: ([^|\n].*)", text)


def _exprs() -> list[str]:
    exprs = [t["expr"] for _, p in _panels() for t in p["targets"]]
    variables = [
        v["query"] for b in BOARDS.values() for v in b["templating"]["list"] if v["type"] == "query"
    ]
    for path in (DEPLOY / "rules").glob("*.yml"):
        exprs += rule_exprs(path.read_text())
    return exprs + variables


def test_the_six_boards_and_their_variables() -> None:
    titles = {b["title"] for b in BOARDS.values()}
    assert titles == {
        "Overview: all channels against the charter",
        "Phone queues",
        "Email & web deadlines",
        "Reception",
        "Resolution & satisfaction",
        "Pipeline health",
    }
    variables = {v["name"] for b in BOARDS.values() for v in b["templating"]["list"]}
    assert {"channel", "queue", "service_type"} <= variables
    overview = {v["name"] for v in BOARDS["ct-overview"]["templating"]["list"]}
    assert overview == {"channel", "queue", "service_type"}
    for uid, panel in _panels():
        assert panel["targets"] and panel["description"], (uid, panel["title"])
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "ct-prometheus"
    provisioning = (DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text()
    assert "uid: ct-prometheus" in provisioning


def _steps(panel: dict[str, Any]) -> set[float]:
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    return {round(s["value"], 6) for s in steps if s["value"] is not None}


def test_panel_thresholds_are_the_charters() -> None:
    phone, margin = CHARTER["phone"], CHARTER["alerts"]["clear_margin"]
    warn = CHARTER["email"]["at_risk_fraction"]
    expected = {
        "sla_service_level_ratio": {
            phone["service_level_target"],
            phone["service_level_target"] + margin,
        },
        "sla_answered_within_rings_ratio": {
            phone["answer_rings_target"],
            phone["answer_rings_target"] + margin,
        },
        "sla_abandonment_ratio": {
            phone["abandonment_max"] - margin,
            phone["abandonment_max"] + 1e-6,
        },
        "sla_visit_called_in_time_ratio": {
            CHARTER["visit"]["target"],
            CHARTER["visit"]["target"] + margin,
        },
        "sla_fcr_final_ratio": {
            CHARTER["resolution"]["fcr_target"],
            CHARTER["resolution"]["fcr_target"] + margin,
        },
        "sla_nps_score": {CHARTER["satisfaction"]["nps_floor"]},
        "sla_email_acknowledged_in_time_ratio": {1.0},
        "sla_email_followed_up_in_time_ratio": {1.0},
        "sla_longest_wait_seconds": {
            phone["service_level_threshold_s"] * warn,
            phone["service_level_threshold_s"] + 1e-6,
        },
        "sla_visit_longest_wait_seconds": {
            CHARTER["visit"]["queue_time_s"] * warn,
            CHARTER["visit"]["queue_time_s"] + 1e-6,
        },
    }
    checked = set()
    for uid, panel in _panels():
        metric = re.match(r"[a-z_]+", panel["targets"][0]["expr"])
        if metric and metric.group() in expected and panel["type"] != "table":
            assert _steps(panel) == {round(v, 6) for v in expected[metric.group()]}, (
                uid,
                panel["title"],
            )
            checked.add(metric.group())
    assert checked == set(expected)


def _names(families: list[Metric]) -> set[str]:
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    return {f.name + suffix for f in families for suffix in suffixes.get(f.type, ("",))}


def test_every_metric_named_is_exported() -> None:
    """Names in dashboards and rules: the aggregator's, its pipeline health, ingest's."""
    aggregator = build_registry(SnapshotStore(), AlertBook())
    health = CollectorRegistry()
    health.register(PipelineHealthCollector(PipelineHealth()))
    ingest = CollectorRegistry()
    IngestMetrics(ingest, ["e2e"])
    exported = _names([*aggregator.collect(), *health.collect(), *ingest.collect()])
    named = {name for expr in _exprs() for name in re.findall(r"\b((?:sla|ct)_[a-z0-9_]+)\b", expr)}
    assert len(named) > 40, named
    assert named - exported == set()


def test_readme_guide_matches_the_boards() -> None:
    guide = subprocess.run(
        [sys.executable, "-m", "deploy.supervision", "--guide"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    ).stdout
    readme = (ROOT / "README.md").read_text()
    assert guide in readme, "paste `python -m deploy.supervision --guide` into the README"


def test_dashboards_are_plain_json_files() -> None:
    for path in Path(DEPLOY / "grafana/dashboards").iterdir():
        assert path.suffix == ".json"
        assert json.loads(path.read_text())["uid"] == path.stem

"""deploy/ checked by the real tools: promtool (config, rules, rule unit tests) and amtool
(Alertmanager config and its routing by severity). The rule unit tests must also fail on
a rule that lost its threshold, hysteresis or hold, so they are known to bite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run

pytestmark = pytest.mark.timeout(60)

RULE_FILES = sorted((DEPLOY / "rules").glob("*.yml"))
RULE_TESTS = sorted((DEPLOY / "rules" / "tests").glob("*_test.yml"))


def test_prometheus_config_is_valid_and_loads_every_rule_file() -> None:
    result = run("promtool", "check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(RULE_FILES)} rule files found" in result.stdout
    assert [p.name for p in RULE_FILES] == ["pipeline_health.yml", "sla_standards.yml"]


def test_rule_files_are_valid() -> None:
    result = run("promtool", "check", "rules", *RULE_FILES)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in RULE_FILES:
        alerts = len(re.findall(r"^\s+- alert: ", path.read_text(), re.MULTILINE))
        assert alerts > 0
        assert f"Checking {path}\n  SUCCESS: {alerts} rules found" in result.stdout


def test_rule_unit_tests_pass() -> None:
    assert [p.name for p in RULE_TESTS] == ["pipeline_health_test.yml", "sla_standards_test.yml"]
    result = run("promtool", "test", "rules", *RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(RULE_TESTS)


# (what is broken in sla_standards.yml, old text, new text, an alert the tests must catch)
MUTANTS = [
    ("service level threshold", "} < 0.8\n", "} < 0.6\n", "PhoneServiceLevelBelowTarget"),
    ("service level hysteresis", ">= 0.82", ">= 0.8", "PhoneServiceLevelBelowTarget"),
    ("abandonment hysteresis", "<= 0.03", "<= 0.05", "PhoneAbandonmentAboveMaximum"),
    ("hold after recovery", "keep_firing_for: 5m", "keep_firing_for: 1m", "Phone"),
    ("minimum volume", ">= 10\n", ">= 100\n", "PhoneAbandonmentAboveMaximum"),
    (
        "email breach from the stream",
        'standard="email.follow_up", state=~"raised|escalated"',
        'standard="email.follow_up", state="none"',
        "EmailFollowUpBreached",
    ),
    ("email breach from the gauge", "(sla_email_breached_contacts{", "(x{", "EmailFollowUp"),
]


@pytest.mark.parametrize(("what", "old", "new", "caught_by"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_rule_unit_tests_catch_a_broken_rule(
    tmp_path: Path, what: str, old: str, new: str, caught_by: str
) -> None:
    shutil.copytree(DEPLOY / "rules", tmp_path / "rules")
    rules = tmp_path / "rules" / "sla_standards.yml"
    text = rules.read_text()
    assert old in text, what
    rules.write_text(text.replace(old, new))
    result = run("promtool", "test", "rules", "rules/tests/sla_standards_test.yml", cwd=tmp_path)
    assert result.returncode != 0, f"the rule tests missed a broken {what}"
    assert f"alertname: {caught_by}" in result.stdout + result.stderr


def test_alertmanager_config_is_valid() -> None:
    result = run("amtool", "check-config", "alertmanager.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["severity=page", "standard=phone.service_level"], "duty-manager"),
        (["severity=critical", "standard=phone.service_level"], "supervisors-urgent"),
        (["severity=warning", "standard=email.follow_up"], "supervisors"),
        (["severity=critical", "team=pipeline"], "engineers-urgent"),
        (["severity=warning", "team=pipeline"], "engineers"),
        (["alertname=Unlabelled"], "supervisors"),
    ],
)
def test_alertmanager_routes_by_severity(labels: list[str], receiver: str) -> None:
    result = run("amtool", "config", "routes", "test", "--config.file=alertmanager.yml", *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver

"""docs/configuration.md is exactly what ``ct config --docs`` prints, and that covers every
Settings class in the source and refuses a setting without a description."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ct_cli.config_docs import UndocumentedSetting, settings_classes, settings_section
from tests.deploy.conftest import DEPLOY

pytestmark = pytest.mark.timeout(60)

ROOT = DEPLOY.parent
DOCS = ROOT / "docs" / "configuration.md"
SOURCES = ["broker/src", "services", "cli/src"]
CLASS = re.compile(r"^class (\w+)\((?:BaseSettings|\w+Settings)\):", re.MULTILINE)


def test_committed_reference_is_what_ct_config_docs_prints() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ct_cli.main", "config", "--docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == DOCS.read_text(), (
        "docs/configuration.md is out of date: run `ct config --docs > docs/configuration.md`"
    )


def test_every_settings_class_in_the_source_is_documented() -> None:
    declared = {
        name
        for folder in SOURCES
        for path in (ROOT / folder).rglob("*.py")
        for name in CLASS.findall(path.read_text())
    }
    documented = {cls.__name__ for cls in settings_classes()}
    assert {"KafkaSettings", "IngestSettings", "MonitorSettings"} <= declared
    assert declared == documented


def test_every_documented_variable_has_a_meaning_and_a_default() -> None:
    rows = [line for line in DOCS.read_text().splitlines() if line.startswith("| `")]
    assert len(rows) > 40
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 4, row
        assert cells[2] and cells[3], row


def test_a_setting_without_a_description_is_refused() -> None:
    class Undocumented(BaseSettings):
        """A class someone forgot to document."""

        model_config = SettingsConfigDict(env_prefix="CT_X_")
        documented: int = Field(default=1, description="Has a meaning.")
        bare: int = 2

    with pytest.raises(UndocumentedSetting, match=r"Undocumented\.bare"):
        settings_section(Undocumented)


def test_a_section_names_variables_defaults_and_bounds() -> None:
    class Sample(BaseSettings):
        """Sample settings."""

        model_config = SettingsConfigDict(env_prefix="CT_SAMPLE_")
        port: int = Field(default=8000, ge=1, le=65535, description="The port.")

    text = settings_section(Sample)
    assert "| `CT_SAMPLE_PORT` | int | `8000` | The port. (allowed: ≥ 1, ≤ 65535) |" in text

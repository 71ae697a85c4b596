"""``ct standards`` checks a standards file: a bad one names the line and field and exits 2;
the services refuse to start on it the same way."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ct_cli.main import main
from ct_sla_monitor.standards_file import default_standards, parse_document

BAD = """\
version = "council-2027"
[phone]
answer_within_rings = 4
service_level_target = 1.5
"""


def test_default_charter_is_printed_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards"]) == 0
    captured = capsys.readouterr()
    assert parse_document(orjson.loads(captured.out)) == default_standards()
    assert "valid, version charter-2026.1" in captured.err


@pytest.mark.parametrize("command", [["standards", "{file}"], ["sla-monitor"], ["aggregator"]])
def test_bad_file_is_refused_with_line_and_field(
    command: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "charter.toml"
    bad.write_text(BAD)
    monkeypatch.setenv("CT_MONITOR_STANDARDS_FILE", str(bad))
    monkeypatch.setenv("CT_AGGREGATOR_STANDARDS_FILE", str(bad))
    assert main([part.format(file=bad) for part in command]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: phone.service_level_target:" in err
    assert "Traceback" not in err

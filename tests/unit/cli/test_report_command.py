"""``ct report`` end to end on a JSON-lines file: the files it writes, what they hold, and
its refusals."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from ct_cli.main import main
from tests.unit.aggregator.report_month import month_records


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "october.jsonl"
    path.write_bytes(b"\n".join(month_records()) + b"\n")
    return path


def test_report_from_a_file(
    events_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    args = ["report", "--month", "2026-10", "--from-file", str(events_file), "--out", str(out)]
    code = main([*args, "--no-progress"])
    assert code == 0
    report = orjson.loads((out / "report.json").read_bytes())
    assert report["month"] == "2026-10" and report["events"]["contacts"] == 12
    # a file is replayed in event-time order, as ct replay does: the survey is not late
    assert report["late"]["too_late_events"] == 0
    assert report["late"]["order"].startswith("in event-time order")
    sl = next(
        r
        for r in report["standards"]
        if r["scope"] == "phone/all" and r["standard"] == "phone.service_level"
    )
    assert sl["month"]["value"] == 0.625
    rows = list(csv.DictReader((out / "report.csv").open(encoding="utf-8")))
    assert any(r["measure"] == "phone.service_level" and r["value"] == "0.625" for r in rows)
    page = (out / "report.html").read_text(encoding="utf-8")
    charts = sorted((out / "charts").glob("*.png"))
    assert page.count("<img") == len(charts) >= 8
    printed = capsys.readouterr().out
    assert "12 contacts" in printed and str(out / "report.html") in printed


@pytest.mark.parametrize(
    ("month", "code", "message"),
    [("2026-12", 1, "no contact started in 2026-12"), ("2026-13", 2, "YYYY-MM")],
)
def test_refusals(
    events_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    month: str,
    code: int,
    message: str,
) -> None:
    args = [
        "report",
        "--month",
        month,
        "--from-file",
        str(events_file),
        "--out",
        str(tmp_path / "r"),
    ]
    assert main([*args, "--no-progress"]) == code
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "--month", "2026-10", "--from-file", str(tmp_path / "none.jsonl")]
    assert main([*args, "--out", str(tmp_path / "r")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_help_explains_sources_and_output() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "ct_cli.main", "report", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    for text in (
        "--from-archive",
        "--from-file",
        "--from-topic",
        "--standards",
        "report.html",
        "ISO weeks",
    ):
        assert text in shown

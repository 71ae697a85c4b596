"""A simulated file replays through the monitor's stages with nothing rejected and
figures on every channel; ``ct simulate --out`` writes exactly what ``generate`` gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from ct_cli.main import main
from ct_cli.replay import read_jsonl, replay_events
from ct_cli.simulator import SimConfig, generate
from ct_cli.simulator.output import write_jsonl
from ct_sla_monitor.standards_file import default_standards

START = datetime(2026, 3, 2, tzinfo=ZoneInfo("Europe/London"))


def test_a_simulated_day_replays_with_figures_on_every_channel(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    config = SimConfig(seed=8, start=START, duration=timedelta(days=1), daily_contacts=300)
    written = write_jsonl(generate(config), path)
    records = read_jsonl(path)
    assert written == len(records) > 500
    result = replay_events(records, default_standards())
    assert (result.events, result.rejected, result.duplicates) == (written, 0, 0)
    scopes = result.scopes
    assert scopes["phone/all"]["answered"] > 0 and scopes["phone/all"]["offered"] > 0
    assert scopes["phone/all"]["nps"]["responses"] > 0
    for channel in ("email", "web"):
        assert scopes[f"{channel}/all"]["email"]["received"] > 0
        assert scopes[f"{channel}/all"]["email"]["acknowledged_in_time"] > 0
    assert scopes["face_to_face/all"]["visit"]["served"] > 0
    service = scopes["service/all"]
    assert service["resolution"]["resolved"] > 0
    assert set(service["demand"]["by_channel"]) == {"phone", "email", "web", "face_to_face"}


def test_ct_simulate_out_writes_the_generated_events(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    code = main(
        [
            "simulate",
            "--seed",
            "21",
            "--start",
            "2026-03-02T08:00:00+00:00",
            "--duration",
            "2h",
            "--queues",
            "council_tax,housing",
            "--out",
            str(path),
            "--no-progress",
        ]
    )
    assert code == 0
    lines = path.read_bytes().splitlines()
    events = [orjson.loads(line) for line in lines]
    assert events and {e["queue"] for e in events} <= {"council_tax", "housing", "reception"}
    again = tmp_path / "again.jsonl"
    assert (
        main(
            [
                "simulate",
                "--seed",
                "21",
                "--start",
                "2026-03-02T08:00:00+00:00",
                "--duration",
                "2h",
                "--queues",
                "council_tax,housing",
                "--out",
                str(again),
                "--no-progress",
            ]
        )
        == 0
    )
    assert again.read_bytes() == path.read_bytes()


def test_ct_simulate_refuses_a_bad_mix() -> None:
    with pytest.raises(SystemExit) as done:
        main(["simulate", "--mix", "fax=1", "--out", "x.jsonl"])
    assert done.value.code == 2

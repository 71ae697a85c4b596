"""``ct replay`` from a file: the same handlers as the live monitor, totals over the whole
period, identical output every time."""

from __future__ import annotations

from pathlib import Path

import orjson

from ct_cli.replay import print_tables, read_jsonl, replay_events
from ct_sla_monitor.standards_file import default_standards
from tests.phone_scenario import EXPECTED, POSTS


def _write(path: Path, bodies: list[dict[str, object]]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(b) for b in bodies) + b"\n")
    return path


def test_window_all_gives_the_period_totals(tmp_path: Path) -> None:
    # every scenario call is on one day, so its totals are the `today` figures
    events = _write(tmp_path / "events.jsonl", POSTS)
    result = replay_events(read_jsonl(events), default_standards(), window="all")
    figures = result.scopes["phone/council_tax"]
    for key, value in EXPECTED["today"].items():
        assert figures[key] == value, key
    assert result.events == len(POSTS)
    assert result.duplicates == 1  # call 12's answer was posted twice
    assert result.rejected == 0
    # a replay takes the events in event-time order, so none arrives late
    assert result.late["phone/council_tax"] == {"late_events_total": 0, "too_late_events_total": 0}


def test_totals_span_days_and_a_scope_can_be_chosen(tmp_path: Path) -> None:
    # the same twelve calls a day earlier too: the totals double; `today` would not
    earlier = [
        {
            **b,
            "event_id": f"d1-{b['event_id']}",
            "contact_id": f"d1-{b['contact_id']}",
            "occurred_at": str(b["occurred_at"]).replace("2026-11-23", "2026-11-22"),
        }
        for b in POSTS
    ]
    events = _write(tmp_path / "two-days.jsonl", [*earlier, *POSTS])
    result = replay_events(
        read_jsonl(events), default_standards(), window="all", scope="phone/council_tax"
    )
    assert list(result.scopes) == ["phone/council_tax"]
    figures = result.scopes["phone/council_tax"]
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (20, 16, 4)
    assert figures["short_abandoned"] == 2
    assert figures["asa_seconds"] == 13.75  # the same waits twice over


def test_replay_is_byte_identical_and_tables_print(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    events = _write(tmp_path / "events.jsonl", POSTS)
    runs = [
        orjson.dumps(
            replay_events(read_jsonl(events), default_standards()).to_dict(),
            option=orjson.OPT_SORT_KEYS,
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    print_tables(replay_events(read_jsonl(events), default_standards()))
    out = capsys.readouterr().out
    assert "phone/council_tax" in out and "alerts:" in out

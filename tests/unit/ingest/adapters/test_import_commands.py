"""``ct import-calls`` and ``ct ingest-queue-log`` to a JSON-lines file: summaries, events,
and following a log through a rotation and a restart."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from contact_events import parse_event
from ct_cli.importer import follow_queue_log
from ct_cli.main import main
from ct_ingest.adapters.queue_log import QueueLogMapper
from ct_ingest.adapters.sinks import JsonLinesSink
from ct_ingest.adapters.tailing import LineFollower, StateFile

pytestmark = pytest.mark.timeout(20)


def events_in(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_import_calls_reports_rows_calls_and_skips(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.jsonl"
    code = main(
        ["import-calls", str(samples / "calls_plain.csv"), "--format", "plain", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines() == [
        "calls_plain.csv (format plain, time zone Europe/London): 8 rows read",
        "  calls offered: 5 (answered 3, abandoned 2)",
        "  not offered (hung up before reaching a queue): 1",
        "  rows skipped: 2",
        "    2 malformed:",
        "      line 6: arrival: not an ISO 8601 date-time",
        "      line 9: outcome: not one of the format's outcome values",
        f"  events: 13 mapped, 13 delivered to {out}",
    ]
    assert "100%" in captured.err  # the progress bar
    events = events_in(out)
    assert len(events) == 13
    for event in events:
        parse_event(event)


def test_import_calls_refuses_an_unknown_format_or_zone(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = str(samples / "calls_plain.csv")
    assert main(["import-calls", csv, "--format", "nope", "--out", str(tmp_path / "x")]) == 2
    assert "unknown format 'nope'" in capsys.readouterr().err
    assert (
        main(
            [
                "import-calls",
                csv,
                "--format",
                "plain",
                "--tz",
                "Mars/Olympus",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )
    bank = ["import-calls", csv, "--format", "anonymous-bank", "--out", str(tmp_path / "x")]
    assert main(bank) == 2
    assert "the header lacks the column(s): vru+line" in capsys.readouterr().err


def test_queue_log_one_shot(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.jsonl"
    code = main(
        [
            "ingest-queue-log",
            str(samples / "asterisk_queue_log"),
            "--source",
            "pbx-1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "asterisk_queue_log: 33 lines read; events: call.abandoned 4, call.answered 6, "
        "call.ended 4, call.queued 10, call.ringing 7, call.transferred 2",
        "  unknown events skipped: 4 (ADDMEMBER 1, DID 1, PAUSE 1, QUEUESTART 1)",
        "  malformed lines skipped: 1",
        "    line 19: expected at least 5 fields: epoch|callid|queue|agent|event",
        f"  events: 33 mapped, 33 delivered to {out}",
    ]
    assert len(events_in(out)) == 33


def test_following_through_a_rotation_and_a_restart(samples: Path, tmp_path: Path) -> None:
    lines = (samples / "asterisk_queue_log").read_text().splitlines(keepends=True)
    log, out, state = tmp_path / "queue_log", tmp_path / "events.jsonl", tmp_path / "st.json"
    log.write_text("".join(lines[:10]))

    def follow(stop: threading.Event) -> None:
        position, mapper_state = StateFile(state).load()
        follower = LineFollower(log, position)
        mapper = QueueLogMapper(source="pbx-1", pbx="pbx1", state=mapper_state)
        sink = JsonLinesSink(out, append=True)
        try:
            follow_queue_log(
                follower, mapper, sink, StateFile(state), follow=True, poll_s=0.02, stop=stop.is_set
            )
        finally:
            sink.close()
            follower.close()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if out.exists() and len(out.read_bytes().splitlines()) >= count:
                return
            time.sleep(0.02)
        raise AssertionError(f"fewer than {count} events arrived")

    stop = threading.Event()
    worker = threading.Thread(target=follow, args=(stop,), daemon=True)
    worker.start()
    try:
        wait_for(10)  # lines 1-10 hold 10 events
        with log.open("a") as f:
            f.write("".join(lines[10:21]))  # up to C7's answer
        wait_for(20)  # 10 more
        shutil.move(log, tmp_path / "queue_log.1")  # rotated
        log.write_text("".join(lines[21:25]))  # the transfer, the re-queue, answer, end
        wait_for(25)  # the held transfer comes out with its queue
    finally:
        stop.set()
        worker.join(5)

    with log.open("a") as f:  # written while stopped
        f.write("".join(lines[25:]))
    stop = threading.Event()
    worker = threading.Thread(target=follow, args=(stop,), daemon=True)
    worker.start()
    try:
        wait_for(33)
    finally:
        stop.set()
        worker.join(5)

    whole = tmp_path / "whole.jsonl"
    main(
        [
            "ingest-queue-log",
            str(samples / "asterisk_queue_log"),
            "--source",
            "pbx-1",
            "--pbx",
            "pbx1",
            "--out",
            str(whole),
            "--quiet",
        ]
    )
    assert events_in(out) == events_in(whole)  # nothing lost, nothing twice, same order


@pytest.mark.parametrize("command", ["import-calls", "ingest-queue-log"])
def test_the_commands_explain_themselves(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: ct {command}" in out
    assert "--out" in out and "--ingest-url" in out and "--api-key" in out

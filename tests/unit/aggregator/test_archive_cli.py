"""The archive's command line: help texts, ``ct run``'s archive directory, and the replay
options that go with it (--from-archive, --offsets)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ct_cli.archive_command import run_archive_dir
from ct_cli.main import main
from ct_cli.replay_command import parse_offsets


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["archive"], "ct archive verify"),
        (["archive", "run"], "no gap, no duplicate"),
        (["archive", "verify"], "exit code 0 when sound, 1 otherwise"),
        (["replay"], "--from-archive DIR"),
    ],
)
def test_help_explains(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: ct {' '.join(argv)}" in out
    assert says in " ".join(out.split())


def test_ct_run_archives_each_in_memory_log_apart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CT_ARCHIVE_DATA_DIR", str(tmp_path))
    assert run_archive_dir(in_memory_broker=False) == tmp_path
    embedded = run_archive_dir(in_memory_broker=True)
    assert embedded.parent == tmp_path and embedded.name.startswith("embedded-")


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("0:0-999", {0: (0, 999)}),
        ("0:5-5, 3:10-20,", {0: (5, 5), 3: (10, 20)}),
    ],
)
def test_offsets_option(text: str, ranges: dict[int, tuple[int, int]]) -> None:
    assert parse_offsets(text) == ranges


@pytest.mark.parametrize("text", ["0", "0:5", "a:1-2", "0:9-3", "0:-1-4"])
def test_bad_offsets_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_offsets(text)


def test_offsets_need_the_topic_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--from-archive", str(tmp_path), "--offsets", "0:0-9"]) == 2
    assert "--offsets goes with --from-topic" in capsys.readouterr().err

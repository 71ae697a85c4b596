"""Following a growing log: partial lines, rotation, truncation, and restarts from a state file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ct_ingest.adapters.tailing import LineFollower, StateFile

pytestmark = pytest.mark.timeout(10)


def append(path: Path, text: str) -> None:
    with path.open("a") as f:
        f.write(text)


def read(follower: LineFollower) -> list[tuple[int, str]]:
    return list(follower.lines())


def test_only_complete_lines_are_handed_out(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("a\nb\nc-partial")
    follower = LineFollower(log)
    assert read(follower) == [(1, "a\n"), (2, "b\n")]
    assert read(follower) == []
    append(log, "-done\nd\n")
    assert read(follower) == [(3, "c-partial-done\n"), (4, "d\n")]


def test_a_rotation_finishes_the_old_file_then_reads_the_new_one(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1\n2\n")
    follower = LineFollower(log)
    assert read(follower) == [(1, "1\n"), (2, "2\n")]
    append(log, "3\n")
    log.rename(tmp_path / "queue_log.1")  # logrotate: rename, then a new file
    log.write_text("new-1\n")
    assert read(follower) == [(3, "3\n"), (1, "new-1\n")]
    position = follower.position
    assert (position.inode, position.offset, position.line_no) == (os.stat(log).st_ino, 6, 1)


def test_a_truncation_in_place_starts_again(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("one\ntwo\n")
    follower = LineFollower(log)
    read(follower)
    log.write_text("x\n")  # copytruncate, then a write
    assert read(follower) == [(1, "x\n")]
    assert follower.notices == ["the file was truncated; reading it again from its start"]


def test_a_file_that_does_not_exist_yet_is_waited_for(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    follower = LineFollower(log)
    assert read(follower) == []
    log.write_text("first\n")
    assert read(follower) == [(1, "first\n")]


def test_a_restart_goes_on_from_the_saved_position(tmp_path: Path) -> None:
    log, state = tmp_path / "queue_log", StateFile(tmp_path / "state.json")
    log.write_text("1\n2\n")
    first = LineFollower(log)
    assert read(first) == [(1, "1\n"), (2, "2\n")]
    state.save(first.position, {"calls": {"c1": ["q", 1, 1]}, "held": {}})
    first.close()
    append(log, "3\n")
    position, mapper_state = state.load()
    assert mapper_state == {"calls": {"c1": ["q", 1, 1]}, "held": {}}
    assert read(LineFollower(log, position)) == [(3, "3\n")]


def test_a_restart_after_a_rotation_finishes_the_rotated_file(tmp_path: Path) -> None:
    log, state = tmp_path / "queue_log", StateFile(tmp_path / "state.json")
    log.write_text("1\n")
    first = LineFollower(log)
    read(first)
    state.save(first.position, {})
    first.close()
    append(log, "2\n")  # written before the rotation, after we stopped
    log.rename(tmp_path / "queue_log.1")
    log.write_text("new-1\n")
    position, _ = state.load()
    follower = LineFollower(log, position)
    assert read(follower) == [(2, "2\n"), (1, "new-1\n")]
    assert follower.notices == []


def test_a_restart_after_the_rotated_file_is_gone_says_so(tmp_path: Path) -> None:
    """The new file may even get the old inode number back: its first bytes tell."""
    log = tmp_path / "queue_log"
    log.write_text("1\n")
    first = LineFollower(log)
    read(first)
    position = first.position
    first.close()
    log.unlink()
    log.write_text("new-1\n")
    follower = LineFollower(log, position)
    assert read(follower) == [(1, "new-1\n")]
    assert "rotated while stopped" in follower.notices[0]


def test_a_state_file_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert StateFile(path).load() == (None, {})
    path.write_text("not json")
    with pytest.raises(ValueError, match="not a state file"):
        StateFile(path).load()

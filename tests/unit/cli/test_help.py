"""Every ``ct`` command explains itself."""

from __future__ import annotations

import pytest

from ct_cli.main import main

COMMANDS = [
    "run",
    "broker",
    "topics",
    "archive",
    "audit",
    "ingest",
    "sla-monitor",
    "aggregator",
    "standards",
    "simulate",
    "import-calls",
    "ingest-queue-log",
    "replay",
]


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: ct {command}" in out
    assert len(out.splitlines()) > 3

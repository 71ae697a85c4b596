"""``python -m bench --tiny`` end to end, so the benchmarks cannot rot: every benchmark
runs (real broker, services, baselines, load generator) and its JSON holds every figure
with its baseline, ratio and verdict. Speed is not asserted: that is the benchmarks' job."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bench.__main__ import BENCHMARKS

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

#: the figures every run must report, per benchmark
EXPECTED = {
    "sla_live": {"events/s vs A", "events/s vs B", "CPU per event vs A", "CPU per event vs B"},
    "replay": {"from file", "from file vs raw", "from topic"},
    "ingest": {
        "single POST saturation",
        "p99 at saturation",
        *(
            f"{kind} at {load} req/s"
            for kind in ("achieved", "p50", "p99")
            for load in (250, 500, 1000)
        ),
        "server CPU per request (sat.)",
        "batch of 100",
    },
    "end_to_end": {
        "POST -> /v1/kpis p50",
        "POST -> /v1/kpis p99",
        "POST -> /metrics p50",
        "POST -> /metrics p99",
        "deadline -> alert (worst)",
    },
    "startup": {"spawn -> first event", "SIGKILL+restart -> first event"},
    "memory": {"sla_monitor RSS", "aggregator RSS"},
}


def test_every_benchmark_reports_every_figure_with_baseline_and_ratio(
    tmp_path: Path, repo_root: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--results", str(tmp_path)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads((tmp_path / "latest.json").read_text())
    assert document["mode"] == "tiny"
    figures = document["figures"]
    reported = {b: {f["name"] for f in figures if f["benchmark"] == b} for b in BENCHMARKS}
    assert reported == EXPECTED
    for f in figures:
        assert f["baseline_name"], f
        assert f["baseline"] is not None and f["baseline"] > 0, f
        if f["value"] is not None:
            assert f["ratio"] == pytest.approx(f["value"] / f["baseline"]), f
        assert (f["met"] is None) == (not f["target"]), f
    # the table went to stdout too, one row per figure after the header and rule
    rows = [
        line for line in done.stdout.splitlines() if line.split()[:1] in ([b] for b in BENCHMARKS)
    ]
    assert len(rows) == len(figures)

"""The benchmark harness's own logic, without a broker: figures, verdicts, the table and
JSON, and the load generator's percentiles and renumbered passes."""

from __future__ import annotations

import io
import json
from itertools import islice
from pathlib import Path

import orjson
import pytest
from bench.loadgen import passes, percentile, request_bytes
from bench.report import Figure, at_least, at_most, markdown_table, print_table, write_results


def test_ratio_is_value_over_baseline_and_missing_values_give_none() -> None:
    assert Figure("b", "f", 300.0, "ev/s", "base", 100.0).ratio == pytest.approx(3.0)
    assert Figure("b", "f", None, "ev/s", "base", 100.0).ratio is None
    assert Figure("b", "f", 3.0, "ev/s", "base", None).ratio is None
    assert Figure("b", "f", 3.0, "ev/s", "base", 0.0).ratio is None


@pytest.mark.parametrize(
    ("check", "value", "bound", "expected"),
    [
        (at_least, 3.0, 3.0, True),
        (at_least, 2.99, 3.0, False),
        (at_least, None, 3.0, False),
        (at_most, 50.0, 50.0, True),
        (at_most, 50.1, 50.0, False),
        (at_most, None, 50.0, False),
    ],
)
def test_targets_include_their_bound_and_a_missing_figure_misses(
    check: object, value: float | None, bound: float, expected: bool
) -> None:
    assert check(value, bound) is expected  # type: ignore[operator]


def test_table_and_json_carry_every_figure(tmp_path: Path) -> None:
    figures = [
        Figure("sla_live", "events/s vs A", 900.0, "ev/s", "A", 300.0, ">= 3x A", True),
        Figure("ingest", "p99 at 1000 req/s", 80.0, "ms", "minimal", 20.0, "<= 50 ms", False),
    ]
    out = io.StringIO()
    print_table(figures, out)
    text = out.getvalue()
    assert "3.00x" in text and "4.00x" in text and "met" in text and "MISSED" in text
    assert markdown_table(figures).count("\n") == 4
    path = write_results(figures, tmp_path, "tiny")
    document = json.loads(path.read_text())
    assert json.loads((tmp_path / "latest.json").read_text()) == document
    assert [(f["name"], f["ratio"], f["met"]) for f in document["figures"]] == [
        ("events/s vs A", 3.0, True),
        ("p99 at 1000 req/s", 4.0, False),
    ]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) is None


def test_passes_renumber_contacts_after_the_first() -> None:
    bodies = [b'{"contact_id":"sim7-1"}', b'{"contact_id":"sim7-2"}']
    sent = list(islice(passes("/v1/events", bodies, b"sim7-"), 6))
    assert sent[:2] == [request_bytes("/v1/events", b) for b in bodies]
    assert sent[2].endswith(b'"sim7r2-1"}') and sent[5].endswith(b'"sim7r3-2"}')
    head = sent[2].split(b"\r\n\r\n")[0]
    assert b"Content-Length: %d" % len(b'{"contact_id":"sim7r2-1"}') in head


def test_passes_move_event_time_on_by_whole_weeks() -> None:
    first = b'{"events":[{"contact_id":"sim7-1","occurred_at":"2026-03-02T08:00:00.5Z"}]}'
    last = b'{"events":[{"contact_id":"sim7-2","occurred_at":"2026-03-10T09:00:00Z"}]}'
    sent = list(islice(passes("/v1/events:batch", [first, last], b"sim7-"), 6))
    bodies = [orjson.loads(s.split(b"\r\n\r\n", 1)[1])["events"][0] for s in sent]
    # the two bodies span 8 days: each pass starts five weeks after the previous one
    # (at least: past the 31 days of facts the monitor keeps)
    assert [(b["contact_id"], b["occurred_at"]) for b in bodies] == [
        ("sim7-1", "2026-03-02T08:00:00.5Z"),
        ("sim7-2", "2026-03-10T09:00:00Z"),
        ("sim7r2-1", "2026-04-06T08:00:00.500000+00:00"),
        ("sim7r2-2", "2026-04-14T09:00:00+00:00"),
        ("sim7r3-1", "2026-05-11T08:00:00.500000+00:00"),
        ("sim7r3-2", "2026-05-19T09:00:00+00:00"),
    ]

"""Per-call records through the two built-in formats: the samples, and rows at the edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contact_events import parse_event
from ct_ingest.adapters.call_formats import FormatUnknown, builtin_formats, load_format
from ct_ingest.adapters.call_import import ImportReport, count_lines, read_call_records
from ct_ingest.adapters.call_records import FormatMismatch, RowInvalid, RowMapper

pytestmark = pytest.mark.timeout(10)

BANK = load_format("anonymous-bank")
PLAIN = load_format("plain")
JERUSALEM, LONDON = ZoneInfo("Asia/Jerusalem"), ZoneInfo("Europe/London")
BANK_HEADER = [
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
]


def read_all(path: Path, fmt: Any, tz: ZoneInfo) -> tuple[list[dict[str, Any]], ImportReport]:
    report = ImportReport()
    batches = read_call_records(path, fmt, tz, fmt.name, report, batch_size=4)
    return [e for batch in batches for e in batch], report


def test_the_built_in_formats() -> None:
    assert builtin_formats() == ["anonymous-bank", "plain"]
    with pytest.raises(FormatUnknown):
        load_format("no-such-format")


# Oct 1 1999 in Israel is UTC+2. (event id suffix, occurred_at UTC, queue) by hand:
BANK_EVENTS = [
    ("AA0101-46087-queued", "05:16:08", "regular"),  # served from the VRU: 0 wait at vru_exit
    ("AA0101-46087-answered", "05:16:08", "regular"),
    ("AA0101-46087-ended", "05:17:10", "regular"),
    ("AA0101-46091-queued", "06:49:12", "regular"),  # q_exit 8:49:20 - q_time 8
    ("AA0101-46091-answered", "06:49:20", "regular"),
    ("AA0101-46091-ended", "06:56:48", "regular"),
    ("AA0101-46092-queued", "06:59:27", "regular"),
    ("AA0101-46092-abandoned", "06:59:40", "regular"),  # HANG at q_exit
    ("AA0103-37175-queued", "06:51:44", "regular"),
    ("AA0103-37175-answered", "06:52:04", "regular"),
    ("AA0103-37175-ended", "06:52:43", "regular"),
    ("AA0104-33835-queued", "06:44:13", "regular"),
    ("AA0104-33835-answered", "06:44:39", "regular"),
    ("AA0104-33835-ended", "06:45:15", "regular"),
    ("AA0106-47192-queued", "07:30:46", "prospects"),  # NW, a 2 s abandon
    ("AA0106-47192-abandoned", "07:30:48", "prospects"),
]


def test_the_bank_sample(samples: Path) -> None:
    path = samples / "anonymous_bank_sample.txt"
    events, report = read_all(path, BANK, JERUSALEM)
    assert [(e["event_id"], e["occurred_at"], e["queue"]) for e in events] == [
        (f"ab99-{eid}", f"1999-10-01T{hms}+00:00", queue) for eid, hms, queue in BANK_EVENTS
    ]
    assert {e["contact_id"] for e in events} == {
        f"ab99-{eid.rsplit('-', 1)[0]}" for eid, _, _ in BANK_EVENTS
    }
    for event in events:
        parse_event(event)
    assert (report.rows, report.offered, report.answered, report.abandoned) == (9, 6, 4, 2)
    assert (report.not_offered, dict(report.ignored)) == (1, {"PHANTOM": 1})
    assert report.malformed == [(10, "expected 17 fields, found 16")]  # a space for a tab
    assert report.skipped == 2
    assert report.events == len(BANK_EVENTS)
    assert count_lines(path) == 10


PLAIN_EVENTS = [
    ("P1-queued", "09:00:04"),
    ("P1-answered", "09:00:21"),
    ("P1-ended", "09:05:40"),
    ("P2-queued", "09:01:00"),
    ("P2-abandoned", "09:01:40"),
    ("P3-queued", "09:02:00"),
    ("P3-answered", "09:02:00"),
    ("P3-ended", "09:06:00"),
    ("P6-queued", "09:03:00"),
    ("P6-abandoned", "09:03:02"),
    ("P7-queued", "09:04:00"),
    ("P7-answered", "09:04:25"),
    ("P7-ended", "09:06:00"),
]


def test_the_plain_sample(samples: Path) -> None:
    events, report = read_all(samples / "calls_plain.csv", PLAIN, LONDON)
    assert [(e["event_id"], e["occurred_at"]) for e in events] == [
        (f"csv-{eid}", f"2026-11-16T{hms}+00:00") for eid, hms in PLAIN_EVENTS
    ]
    assert {(e["queue"], e["service_type"], e["source"]) for e in events} == {
        ("csv-council-tax", "council_tax", "plain")
    }
    assert (report.rows, report.answered, report.abandoned, report.not_offered) == (8, 3, 2, 1)
    assert report.malformed == [
        (6, "arrival: not an ISO 8601 date-time"),
        (9, "outcome: not one of the format's outcome values"),
    ]


def bank_row(**fields: str) -> list[str]:
    row = dict.fromkeys(BANK_HEADER, "0:00:00") | {
        "vru+line": "AA0101",
        "call_id": "1",
        "customer_id": "0",
        "priority": "0",
        "type": "PS",
        "date": "991026",
        "vru_time": "5",
        "q_time": "0",
        "ser_time": "0",
        "server": "X",
    }
    return [(row | fields)[name] for name in BANK_HEADER]


def times(row: list[str], tz: ZoneInfo = JERUSALEM) -> list[tuple[str, str]]:
    result = RowMapper(BANK, BANK_HEADER, tz, "b").map(row)
    return [(e["type"], e["occurred_at"]) for e in result.events]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # queued before midnight, answered after: q_exit is on the next day
        (
            {
                "vru_entry": "23:59:20",
                "vru_exit": "23:59:25",
                "q_start": "23:59:25",
                "q_exit": "0:06:59",
                "q_time": "454",
                "outcome": "AGENT",
                "ser_start": "0:06:58",
                "ser_exit": "0:08:00",
            },
            [
                ("call.queued", "1999-10-26T21:59:25+00:00"),
                ("call.answered", "1999-10-26T22:06:59+00:00"),
                ("call.ended", "1999-10-26T22:08:00+00:00"),
            ],
        ),
        # served from the VRU just before midnight, service ended after it
        (
            {
                "vru_entry": "23:53:45",
                "vru_exit": "23:53:57",
                "outcome": "AGENT",
                "ser_start": "23:53:56",
                "ser_exit": "0:00:25",
            },
            [
                ("call.queued", "1999-10-26T21:53:57+00:00"),
                ("call.answered", "1999-10-26T21:53:57+00:00"),
                ("call.ended", "1999-10-26T22:00:25+00:00"),
            ],
        ),
        # vru_exit a minute before vru_entry (a glitch in the data) is not a midnight
        (
            {
                "vru_entry": "14:40:08",
                "vru_exit": "14:38:57",
                "q_start": "14:38:57",
                "q_exit": "14:43:18",
                "q_time": "261",
                "outcome": "AGENT",
                "ser_start": "14:43:18",
                "ser_exit": "14:45:22",
            },
            [
                ("call.queued", "1999-10-26T12:38:57+00:00"),
                ("call.answered", "1999-10-26T12:43:18+00:00"),
                ("call.ended", "1999-10-26T12:45:22+00:00"),
            ],
        ),
        # service ended a second before the queue exit: the end is never before the answer
        (
            {
                "vru_entry": "10:00:00",
                "vru_exit": "10:00:05",
                "q_start": "10:00:05",
                "q_exit": "10:00:15",
                "q_time": "10",
                "outcome": "AGENT",
                "ser_start": "10:00:14",
                "ser_exit": "10:00:14",
            },
            [
                ("call.queued", "1999-10-26T08:00:05+00:00"),
                ("call.answered", "1999-10-26T08:00:15+00:00"),
                ("call.ended", "1999-10-26T08:00:15+00:00"),
            ],
        ),
        # served, but no service times recorded: answered, and no end
        (
            {
                "vru_entry": "13:03:32",
                "vru_exit": "13:03:37",
                "q_start": "13:03:37",
                "q_exit": "13:03:51",
                "q_time": "14",
                "outcome": "AGENT",
            },
            [
                ("call.queued", "1999-10-26T11:03:37+00:00"),
                ("call.answered", "1999-10-26T11:03:51+00:00"),
            ],
        ),
        # queued and hung up with 0 queue seconds: offered, a short abandon downstream
        (
            {
                "vru_entry": "15:08:06",
                "vru_exit": "15:08:16",
                "q_start": "15:08:16",
                "q_exit": "15:08:16",
                "outcome": "HANG",
            },
            [
                ("call.queued", "1999-10-26T13:08:16+00:00"),
                ("call.abandoned", "1999-10-26T13:08:16+00:00"),
            ],
        ),
    ],
)
def test_bank_rows_at_the_edges(fields: dict[str, str], expected: list[tuple[str, str]]) -> None:
    assert times(bank_row(**fields)) == expected


def test_the_site_time_zone_is_a_flag() -> None:
    row = bank_row(vru_entry="9:00:00", vru_exit="9:00:10", outcome="AGENT")
    assert times(row, ZoneInfo("UTC"))[0] == ("call.queued", "1999-10-26T09:00:10+00:00")
    assert times(row, LONDON)[0] == ("call.queued", "1999-10-26T08:00:10+00:00")  # BST


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"outcome": "BUSY"}, "outcome: not one of the format's outcome values"),
        ({"outcome": "AGENT", "date": "99-10-26"}, "date: not a date in the format's date_format"),
        ({"outcome": "AGENT", "vru_exit": "25:00:00"}, "vru_exit: not a time H:MM:SS"),
        (
            {"outcome": "HANG", "q_start": "10:00:00", "q_exit": "0:00:00"},
            "q_exit: missing for a call that queued",
        ),
        (
            {"outcome": "HANG", "q_start": "10:00:00", "q_exit": "10:00:09", "q_time": "nine"},
            "q_time: not a whole number of seconds",
        ),
        ({"outcome": "AGENT", "call_id": ""}, "a contact id column is empty"),
    ],
)
def test_bad_rows_say_why(fields: dict[str, str], reason: str) -> None:
    row = bank_row(**({"vru_entry": "9:59:00", "vru_exit": "10:00:00"} | fields))
    with pytest.raises(RowInvalid) as refused:
        RowMapper(BANK, BANK_HEADER, JERUSALEM, "b").map(row)
    assert str(refused.value) == reason


def test_a_header_without_the_formats_columns_is_refused() -> None:
    with pytest.raises(FormatMismatch) as refused:
        RowMapper(PLAIN, ["call_id", "queue", "when"], LONDON, "p")
    assert refused.value.missing == [
        "service_type",
        "outcome",
        "arrival",
        "queue_start",
        "queue_exit",
        "end",
    ]


def test_plain_times_across_the_clocks_going_forward() -> None:
    """London goes from 01:00 GMT to 02:00 BST on 2026-03-29: a naive 00:59:30 is GMT, and
    an exit at 02:00:30+01:00 is one minute later, not an hour and a minute."""
    header = [
        "call_id",
        "queue",
        "service_type",
        "arrival",
        "queue_start",
        "queue_exit",
        "end",
        "outcome",
    ]
    row = [
        "c1",
        "q",
        "s",
        "2026-03-29T00:59:00Z",
        "2026-03-29T00:59:30",
        "2026-03-29T02:00:30+01:00",
        "",
        "answered",
    ]
    result = RowMapper(PLAIN, header, LONDON, "p").map(row)
    assert [(e["type"], e["occurred_at"]) for e in result.events] == [
        ("call.queued", "2026-03-29T00:59:30+00:00"),
        ("call.answered", "2026-03-29T01:00:30+00:00"),
    ]

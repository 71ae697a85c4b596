"""The Asterisk queue_log mapper on the sample log, worked by hand line by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contact_events import parse_event
from ct_ingest.adapters.queue_log import QueueLogMapper

pytestmark = pytest.mark.timeout(10)

DAY = "2026-11-16T"
SALES, SUPPORT = "ast-sales", "ast-support"


def call(n: str) -> str:
    return f"pbx1-{n}"


# (type, occurred_at, contact, queue, extra) in the order the mapper emits them.
EXPECTED: list[tuple[str, str, str, str, dict[str, Any]]] = [
    # C1: alice rang 15 s unanswered (09:00:02-17), bob rang 6 s and answered at 09:00:26
    ("call.queued", "09:00:00", call("1794819600.1"), SALES, {}),
    ("call.ringing", "09:00:02", call("1794819600.1"), SALES, {}),
    ("call.ringing", "09:00:20", call("1794819600.1"), SALES, {}),
    ("call.answered", "09:00:26", call("1794819600.1"), SALES, {"agent_id": "PJSIP/bob"}),
    ("call.ended", "09:04:00", call("1794819600.1"), SALES, {}),
    # C2: 5 s of ringing, answered after 8 s
    ("call.queued", "09:10:00", call("1794820200.2"), SALES, {}),
    ("call.ringing", "09:10:03", call("1794820200.2"), SALES, {}),
    ("call.answered", "09:10:08", call("1794820200.2"), SALES, {"agent_id": "PJSIP/alice"}),
    ("call.ended", "09:15:00", call("1794820200.2"), SALES, {}),
    # C3-C6: ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY all leave unanswered
    ("call.queued", "09:20:00", call("1794820800.3"), SALES, {}),
    ("call.abandoned", "09:20:45", call("1794820800.3"), SALES, {}),
    ("call.queued", "09:30:00", call("1794821400.4"), SALES, {}),
    ("call.abandoned", "09:32:00", call("1794821400.4"), SALES, {}),
    ("call.queued", "09:40:00", call("1794822000.5"), SALES, {}),
    ("call.abandoned", "09:40:03", call("1794822000.5"), SALES, {}),
    ("call.queued", "09:50:00", call("1794822600.6"), SALES, {}),
    ("call.abandoned", "09:50:30", call("1794822600.6"), SALES, {}),
    # C7: answered in sales, blind-transferred to support in the same second it re-queues
    ("call.queued", "10:00:00", call("1794823200.7"), SALES, {}),
    ("call.ringing", "10:00:06", call("1794823200.7"), SALES, {}),
    ("call.answered", "10:00:10", call("1794823200.7"), SALES, {"agent_id": "PJSIP/carol"}),
    ("call.transferred", "10:03:00", call("1794823200.7"), SALES, {"to_queue": SUPPORT}),
    ("call.queued", "10:03:00", call("1794823200.7"), SUPPORT, {}),
    ("call.ringing", "10:03:09", call("1794823200.7"), SUPPORT, {}),
    ("call.answered", "10:03:12", call("1794823200.7"), SUPPORT, {"agent_id": "PJSIP/dave"}),
    ("call.ended", "10:08:00", call("1794823200.7"), SUPPORT, {}),
    # C8: a 0 ms RINGNOANSWER is no ring; the attended transfer goes to no queue, so it is
    # held until a line more than 5 s later (C10's) releases it without to_queue
    ("call.queued", "10:10:00", call("1794823800.8"), SUPPORT, {}),
    ("call.ringing", "10:10:28", call("1794823800.8"), SUPPORT, {}),
    ("call.answered", "10:10:30", call("1794823800.8"), SUPPORT, {"agent_id": "PJSIP/erin"}),
    ("call.transferred", "10:12:00", call("1794823800.8"), SUPPORT, {}),
    ("call.queued", "10:21:00", call("1794824460.10"), SUPPORT, {}),
    ("call.ringing", "10:21:30", call("1794824460.10"), SUPPORT, {}),
    ("call.answered", "10:21:40", call("1794824460.10"), SUPPORT, {"agent_id": "PJSIP/dave"}),
    ("call.ended", "10:25:00", call("1794824460.10"), SUPPORT, {}),
]


def read(samples: Path) -> list[str]:
    return (samples / "asterisk_queue_log").read_text().splitlines(keepends=True)


def run(lines: list[str], mapper: QueueLogMapper, start: int = 1) -> list[dict[str, Any]]:
    out = [e for n, line in enumerate(lines, start=start) for e in mapper.feed(line, n)]
    return out + mapper.flush()


def shape(event: dict[str, Any]) -> tuple[str, str, str, str, dict[str, Any]]:
    core = {
        "event_id",
        "type",
        "occurred_at",
        "contact_id",
        "channel",
        "queue",
        "service_type",
        "source",
    }
    extra = {k: v for k, v in event.items() if k not in core}
    return event["type"], event["occurred_at"], event["contact_id"], event["queue"], extra


def test_the_sample_maps_to_the_hand_worked_events(samples: Path) -> None:
    mapper = QueueLogMapper(source="pbx-1", pbx="pbx1")
    events = run(read(samples), mapper)
    assert [shape(e) for e in events] == [
        (kind, f"{DAY}{hms}+00:00", contact, queue, extra)
        for kind, hms, contact, queue, extra in EXPECTED
    ]
    assert {(e["channel"], e["source"]) for e in events} == {("phone", "pbx-1")}
    assert all(e["service_type"] == e["queue"] for e in events)
    for event in events:
        parse_event(event)  # every one is a valid canonical event


def test_unknown_and_malformed_lines_are_counted_not_silent(samples: Path) -> None:
    mapper = QueueLogMapper(source="pbx-1", pbx="pbx1")
    run(read(samples), mapper)
    stats = mapper.stats
    assert stats.lines == 33
    assert dict(stats.unknown) == {"QUEUESTART": 1, "ADDMEMBER": 1, "PAUSE": 1, "DID": 1}
    assert stats.malformed == [(19, "expected at least 5 fields: epoch|callid|queue|agent|event")]
    assert sum(stats.events.values()) == len(EXPECTED)
    assert stats.events["call.transferred"] == 2


def test_event_ids_are_unique_and_the_same_on_a_re_read(samples: Path) -> None:
    first = run(read(samples), QueueLogMapper(source="pbx-1", pbx="pbx1"))
    again = run(read(samples), QueueLogMapper(source="pbx-1", pbx="pbx1"))
    other_pbx = run(read(samples), QueueLogMapper(source="pbx-1", pbx="pbx2"))
    ids = [e["event_id"] for e in first]
    assert len(set(ids)) == len(ids)
    assert ids == [e["event_id"] for e in again]
    assert not set(ids) & {e["event_id"] for e in other_pbx}


@pytest.mark.parametrize("cut", [3, 21, 22, 30, 31])
def test_a_restart_with_the_saved_state_gives_the_same_events(samples: Path, cut: int) -> None:
    lines = read(samples)
    whole = run(lines, QueueLogMapper(source="pbx-1", pbx="pbx1"))
    before = QueueLogMapper(source="pbx-1", pbx="pbx1")
    head = [e for n, line in enumerate(lines[:cut], start=1) for e in before.feed(line, n)]
    after = QueueLogMapper(source="pbx-1", pbx="pbx1", state=before.state())
    assert head + run(lines[cut:], after, start=cut + 1) == whole


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a ring can never start before the call joined (whole-second timestamps)
        (
            ["100|c1|q|NONE|ENTERQUEUE||x|1", "115|c1|q|PJSIP/a|RINGNOANSWER|15500"],
            [
                ("call.queued", "1970-01-01T00:01:40+00:00"),
                ("call.ringing", "1970-01-01T00:01:40+00:00"),
            ],
        ),
        # Asterisk before 1.6 logs CONNECT without a ring time: no ringing is invented
        (
            ["100|c1|q|NONE|ENTERQUEUE||x|1", "110|c1|q|Agent/7|CONNECT|10|c9"],
            [
                ("call.queued", "1970-01-01T00:01:40+00:00"),
                ("call.answered", "1970-01-01T00:01:50+00:00"),
            ],
        ),
        # without the ENTERQUEUE (a restart without state), the hold time bounds the ring
        (
            ["110|c1|q|Agent/7|CONNECT|4|c9|9"],
            [
                ("call.ringing", "1970-01-01T00:01:46+00:00"),
                ("call.answered", "1970-01-01T00:01:50+00:00"),
            ],
        ),
        # fractional epochs and millisecond ring times keep their precision
        (
            ["100.5|c1|q|NONE|ENTERQUEUE||x|1", "103.25|c1|q|a|RINGNOANSWER|1250"],
            [
                ("call.queued", "1970-01-01T00:01:40.500000+00:00"),
                ("call.ringing", "1970-01-01T00:01:42+00:00"),
            ],
        ),
        # a transfer with no queue after it is sent at the end of the input
        (
            [
                "100|c1|q|NONE|ENTERQUEUE||x|1",
                "101|c1|q|a|CONNECT|1|c9|1",
                "160|c1|q|a|TRANSFER|200|default|1|59|1",
            ],
            [
                ("call.queued", "1970-01-01T00:01:40+00:00"),
                ("call.ringing", "1970-01-01T00:01:40+00:00"),
                ("call.answered", "1970-01-01T00:01:41+00:00"),
                ("call.transferred", "1970-01-01T00:02:40+00:00"),
            ],
        ),
    ],
)
def test_edge_lines(lines: list[str], expected: list[tuple[str, str]]) -> None:
    events = run(lines, QueueLogMapper(source="pbx"))
    assert [(e["type"], e["occurred_at"]) for e in events] == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("abc|c1|q|NONE|ENTERQUEUE||x|1", "the first field is not a Unix time"),
        ("100|c1|q|a|CONNECT|ten|c9|3", "CONNECT holdtime is not a whole number"),
        ("100|c1|q|a|CONNECT|10|c9|x", "CONNECT ringtime is not a whole number"),
        ("100|c1|q|a|RINGNOANSWER|", "RINGNOANSWER ringtime is not a whole number"),
        ("100||q|NONE|ENTERQUEUE||x|1", "ENTERQUEUE without a callid or a queue"),
        ("100|c1|NONE|NONE|ABANDON|1|1|3", "ABANDON without a callid or a queue"),
    ],
)
def test_malformed_lines_are_reported_with_their_reason(line: str, reason: str) -> None:
    mapper = QueueLogMapper(source="pbx")
    assert mapper.feed(line, 7) == []
    assert mapper.stats.malformed == [(7, reason)]

"""The simulator's events: reproducible, valid and canonical, in time order, with the
configured channel mix, a daily profile, and the outcomes every channel needs."""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from contact_events import EVENT_TYPES, decode_event, encode_event
from ct_cli.simulator import SimConfig, generate, parse_duration, parse_queues
from ct_cli.simulator.command import add_simulate_parser, config_from_args
from ct_cli.simulator.contacts import Event
from ct_sla_monitor.standards_file import default_standards

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 3, 2, tzinfo=LONDON)  # a week with no bank holiday
STARTS = {"call.queued", "email.received", "webform.submitted", "visit.ticketed"}


def _bytes(config: SimConfig) -> bytes:
    return b"".join(orjson.dumps(event) + b"\n" for event in generate(config))


def _at(event: Event) -> datetime:
    return datetime.fromisoformat(event["occurred_at"])


@pytest.fixture(scope="module")
def fortnight() -> list[Event]:
    """Two weeks of a small council's traffic."""
    config = SimConfig(seed=11, start=MONDAY, duration=timedelta(days=14), daily_contacts=400)
    return list(generate(config))


@pytest.fixture(scope="module")
def working_week() -> list[Event]:
    """Monday to Friday at the default volume."""
    config = SimConfig(seed=5, start=MONDAY, duration=timedelta(days=5), daily_contacts=3000)
    return list(generate(config))


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    config = SimConfig(seed=3, start=MONDAY, duration=timedelta(hours=12), daily_contacts=800)
    first = _bytes(config)
    assert first and first == _bytes(config)
    assert _bytes(replace(config, seed=4)) != first


def test_every_event_is_valid_canonical_unique_and_in_time_order(fortnight: list[Event]) -> None:
    for event in fortnight:
        line = orjson.dumps(event)
        assert encode_event(decode_event(line)) == line
    times = [_at(event) for event in fortnight]
    assert times == sorted(times)
    assert len({event["event_id"] for event in fortnight}) == len(fortnight)
    assert min(times) >= MONDAY and max(times) < MONDAY + timedelta(days=14)


def test_every_event_type_occurs(fortnight: list[Event]) -> None:
    assert set(EVENT_TYPES) == {event["type"] for event in fortnight}


def test_channel_mix_on_working_days_is_the_configured_one(working_week: list[Event]) -> None:
    starts = Counter(
        "web" if e["channel"] == "email" else e["channel"]
        for e in working_week
        if e["type"] in STARTS
    )
    total = sum(starts.values())
    assert total > 12_000
    for channel, share in {"face_to_face": 0.28, "phone": 0.28, "web": 0.44}.items():
        assert starts[channel] / total == pytest.approx(share, abs=0.02)


def test_a_mix_without_web_has_no_emails_or_forms() -> None:
    config = SimConfig(
        seed=2,
        start=MONDAY,
        duration=timedelta(hours=12),
        mix={"face_to_face": 0.5, "phone": 0.5, "web": 0.0},
    )
    channels = {event["channel"] for event in generate(config)}
    assert channels == {"phone", "face_to_face"}


def test_more_calls_at_eleven_than_at_three_and_reception_only_in_opening_hours(
    working_week: list[Event],
) -> None:
    hours = Counter(
        _at(e).astimezone(LONDON).hour for e in working_week if e["type"] == "call.queued"
    )
    assert hours[11] > 10 * max(1, hours[3])
    assert hours[3] > 0  # quiet, not closed
    desk = {_at(e).astimezone(LONDON).hour for e in working_week if e["type"] == "visit.ticketed"}
    assert desk and desk <= set(range(9, 17))


def test_emails_are_mostly_in_time_and_some_late(fortnight: list[Event]) -> None:
    calendar = default_standards().default.calendar
    received: dict[str, datetime] = {}
    acknowledged, replied = [], []
    for event in fortnight:
        kind, contact = event["type"], event["contact_id"]
        if kind in ("email.received", "webform.submitted"):
            received[contact] = _at(event)
        elif kind == "email.acknowledged":
            acknowledged.append((_at(event) - received[contact]).total_seconds() <= 900)
        elif kind == "email.responded":
            hours = calendar.working_between(received[contact], _at(event)) / timedelta(hours=1)
            replied.append(hours <= 24)
    assert len(replied) > 500
    for in_time in (acknowledged, replied):
        rate = sum(in_time) / len(in_time)
        assert 0.8 < rate < 1.0  # most in time, some late


def test_calls_have_rings_short_and_long_abandons_and_transfers(fortnight: list[Event]) -> None:
    queued: dict[str, datetime] = {}
    abandon_waits, rings, transfers = [], [], []
    for event in fortnight:
        kind = event["type"]
        if kind == "call.queued":
            queued[event["contact_id"]] = _at(event)
        elif kind == "call.abandoned" and event["contact_id"] in queued:
            abandon_waits.append((_at(event) - queued[event["contact_id"]]).total_seconds())
        elif kind == "call.answered":
            rings.append(event["rings"])
            assert event["agent_id"].startswith(event["queue"])
        elif kind == "call.transferred":
            transfers.append(event)
            assert event["to_queue"] != event["queue"]
    assert min(rings) >= 1 and max(rings) > 4
    assert sum(r <= 4 for r in rings) / len(rings) > 0.85
    assert any(w < 5 for w in abandon_waits) and any(w > 60 for w in abandon_waits)
    assert transfers


def test_customers_come_back_about_the_same_service(fortnight: list[Event]) -> None:
    seen: dict[tuple[str, str], int] = Counter()
    for event in fortnight:
        if event["type"] in STARTS:
            seen[(event["customer_ref"], event["service_type"])] += 1
    repeats = sum(1 for n in seen.values() if n > 1)
    assert repeats > 0.03 * len(seen)
    scores = [e["score"] for e in fortnight if e["type"] == "survey.answered"]
    promoters = sum(s >= 9 for s in scores) / len(scores)
    detractors = sum(s <= 6 for s in scores) / len(scores)
    assert -0.3 < promoters - detractors < 0.4


def test_max_events_and_numbered_queues() -> None:
    config = SimConfig(
        seed=1,
        start=MONDAY + timedelta(hours=9),
        duration=None,
        max_events=500,
        queues=parse_queues("7"),
    )
    events = list(generate(config))
    assert len(events) == 500
    queues = {e["queue"] for e in events}
    assert queues <= {
        f"{p}-q{n:04d}" for p in ("phone", "email", "web", "desk") for n in range(1, 8)
    }
    assert len(queues) > 7


def test_start_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SimConfig(start=datetime(2026, 3, 2))
    assert SimConfig(start=datetime(2026, 3, 2, tzinfo=UTC)).end == datetime(2026, 3, 3, tzinfo=UTC)


NOW = datetime(2026, 7, 14, 10, 30, tzinfo=UTC)


def _options(*argv: str) -> SimConfig:
    parser = argparse.ArgumentParser()
    add_simulate_parser(parser.add_subparsers(dest="command"))
    return config_from_args(parser.parse_args(["simulate", *argv]), NOW)


def test_a_file_covers_today_from_local_midnight_and_posting_starts_now() -> None:
    to_file = _options("--out", "x.jsonl", "--seed", "4")
    assert to_file.start == datetime(2026, 7, 13, 23, 0, tzinfo=UTC)  # BST midnight
    assert (to_file.duration, to_file.max_events, to_file.seed) == (timedelta(days=1), None, 4)
    live = _options("--events", "10")
    assert (live.start, live.duration, live.max_events) == (NOW, None, 10)
    fast = _options("--duration", "1h", "--speed", "60")
    assert (fast.start, fast.end) == (NOW - timedelta(hours=1), NOW)  # never in the future
    assert _options("--duration", "1h").start == NOW


def test_rate_means_contacts_per_second_around_the_clock() -> None:
    demo = _options("--rate", "2")
    assert (demo.daily_contacts, demo.profile) == (172_800, "flat")
    mixed = _options("--mix", "f2f=1,phone=1", "--queues", "3", "--duration", "8h")
    assert mixed.mix == {"face_to_face": 0.5, "phone": 0.5, "web": 0.0}
    assert len(mixed.queues) == 12 and mixed.duration == timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("1.5h", 5400), ("1d", 86400), ("2w", 1209600)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "10", "1y", "-1h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)

"""Erlang queues of the simulator: the Erlang C formula against its closed form, staffing,
and simulated queues against theory (waiting probability) and common sense (more agents,
less waiting and fewer abandons)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from ct_cli.simulator import QueueSpec, Rates, SimConfig, generate
from ct_cli.simulator.erlang import (
    erlang_c_service_level,
    erlang_c_wait_probability,
    size_agents,
)

START = datetime(2026, 3, 2, tzinfo=UTC)


def _closed_form(agents: int, load: float) -> float:
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@pytest.mark.parametrize(
    ("agents", "load"), [(1, 0.5), (2, 1.5), (11, 10.0), (12, 10.0), (30, 25.0), (5, 1.0)]
)
def test_erlang_c_matches_the_closed_form(agents: int, load: float) -> None:
    assert erlang_c_wait_probability(agents, load) == pytest.approx(_closed_form(agents, load))


def test_overloaded_queue_always_waits() -> None:
    assert erlang_c_wait_probability(10, 10.0) == 1.0
    assert erlang_c_service_level(9, 10.0, 20, 300) == 0.0


@pytest.mark.parametrize(("load", "target"), [(0.3, 0.8), (8.0, 0.8), (40.0, 0.9), (8.0, 0.95)])
def test_size_agents_is_the_fewest_reaching_the_target(load: float, target: float) -> None:
    agents = size_agents(load, target, 20.0, 300.0)
    assert erlang_c_service_level(agents, load, 20.0, 300.0) >= target
    assert agents == 1 or erlang_c_service_level(agents - 1, load, 20.0, 300.0) < target
    assert size_agents(0.0, target, 20.0, 300.0) == 0


def _one_queue(agents: int, patience_s: float, days: float, short: float) -> SimConfig:
    queue = QueueSpec(
        "line", "phone", "general", agents=agents, handle_s=294.5, patience_s=patience_s
    )
    return SimConfig(
        seed=17,
        start=START,
        duration=timedelta(days=days),
        mix={"phone": 1.0},
        daily_contacts=8 / 300 * 86400 / 0.9,  # 8 Erlangs of first contacts
        queues=(queue,),
        profile="flat",
        rates=Rates(short_patience=short, case=0.0, survey=0.0, recontact_resolved=0.0),
    )


def _waits(config: SimConfig) -> tuple[list[float], int, int]:
    """(queue waits until an agent took the call, answered, abandoned after 5 s or more:
    short abandons are left out, as the charter's abandonment rate does)."""
    queued: dict[str, datetime] = {}
    waits, outcomes = [], {"call.answered": 0, "call.abandoned": 0}
    for event in generate(config):
        at = datetime.fromisoformat(event["occurred_at"])
        if event["type"] == "call.queued":
            queued[event["contact_id"]] = at
        elif event["type"] == "call.ringing":
            waits.append((at - queued[event["contact_id"]]).total_seconds())
        elif event["type"] in outcomes:
            waited = (at - queued[event["contact_id"]]).total_seconds()
            outcomes[event["type"]] += event["type"] == "call.answered" or waited >= 5
    return waits, outcomes["call.answered"], outcomes["call.abandoned"]


def test_patient_callers_wait_as_erlang_c_says() -> None:
    """Endless patience, 8 Erlangs on 10 agents (handling about 300 s, ring time included)."""
    waits, answered, abandoned = _waits(_one_queue(10, 1e12, 6, 0.0))
    assert abandoned == 0 and answered > 10_000
    waited = sum(w > 0.0005 for w in waits) / len(waits)
    assert waited == pytest.approx(erlang_c_wait_probability(10, 8.0), abs=0.05)


def test_more_agents_mean_shorter_waits_and_fewer_abandons() -> None:
    figures = []
    for agents in (8, 9, 10, 12):
        waits, answered, abandoned = _waits(_one_queue(agents, 120.0, 2, 0.05))
        figures.append((sum(waits) / len(waits), abandoned / (answered + abandoned)))
    for (wait, abandon), (more_wait, more_abandon) in pairwise(figures):
        assert more_wait < wait and more_abandon < abandon
    assert figures[0][1] > 0.05 > figures[-1][1]  # understaffed breaches, well staffed does not

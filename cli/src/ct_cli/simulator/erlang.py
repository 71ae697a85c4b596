"""Erlang A queues: a pool of agents on shifts, first come first served, and callers whose
patience runs out.

The Erlang C formula sizes the agents of each hour for its demand (as a workforce planner
would); :class:`AgentPool` then serves callers in arrival order. A caller waits until an
agent is free or until their patience ends, whichever is first, so abandonment, waits and
the service level emerge from load, staffing and patience.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable

from ct_cli.simulator.profile import HourTable

#: How far ahead (in hours) an agent's next shift is looked for.
_SHIFT_HORIZON = 24 * 14


def erlang_c_wait_probability(agents: int, load: float) -> float:
    """Probability that a caller waits at all (Erlang C), for ``load`` Erlangs."""
    if agents <= load:
        return 1.0
    blocking = 1.0  # Erlang B, built up one agent at a time
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return agents * blocking / (agents - load * (1.0 - blocking))


def erlang_c_service_level(agents: int, load: float, threshold_s: float, handle_s: float) -> float:
    """Share of callers answered within ``threshold_s`` (Erlang C: no abandonment)."""
    if load <= 0.0:
        return 1.0
    if agents <= load:
        return 0.0
    waits = erlang_c_wait_probability(agents, load)
    return 1.0 - waits * math.exp(-(agents - load) * threshold_s / handle_s)


def size_agents(load: float, target: float, threshold_s: float, handle_s: float) -> int:
    """The fewest agents whose Erlang C service level reaches ``target`` (0 for no load)."""
    if load <= 0.0:
        return 0
    agents = max(1, math.ceil(load))
    while erlang_c_service_level(agents, load, threshold_s, handle_s) < target:
        agents += 1
    return agents


class HourlyStaffing:
    """Agents on duty per hour: Erlang C sizing of the hour's demand, times ``factor``,
    give or take one agent now and then (absence, meetings), at least one when there is
    demand. The same seed and queue give the same rota."""

    def __init__(
        self,
        demand: Callable[[int], float],
        handle_s: float,
        target: float,
        threshold_s: float,
        factor: float,
        key: str,
    ) -> None:
        self._demand = demand
        self._handle_s = handle_s
        self._target = target
        self._threshold_s = threshold_s
        self._factor = factor
        self._key = key
        self._cache: dict[int, int] = {}

    def __call__(self, slot: int) -> int:
        found = self._cache.get(slot)
        if found is None:
            load = self._demand(slot) * self._handle_s
            found = size_agents(load, self._target, self._threshold_s, self._handle_s)
            if found:
                draw = random.Random(f"{self._key}:{slot}").random()
                wobble = -1 if draw < 0.2 else (1 if draw > 0.85 else 0)
                found = max(1, round(found * self._factor) + wobble)
            self._cache[slot] = found
        return found


class AgentPool:
    """Agents numbered 0, 1, ...; agent ``i`` is on duty in an hour when ``staff(hour) > i``.
    An agent busy at the end of a shift finishes the call first."""

    def __init__(self, staff: Callable[[int], int], hours: HourTable) -> None:
        self._staff = staff
        self._hours = hours
        self._free: list[tuple[float, int]] = []  # (free from, agent), a heap

    def _next_on_duty(self, agent: int, t: float) -> float:
        slot = self._hours.slot(t)
        for ahead in range(_SHIFT_HORIZON):
            if self._staff(slot + ahead) > agent:
                return t if ahead == 0 else self._hours.slot_start(slot + ahead)
        return math.inf

    def _grow(self, t: float) -> None:
        slot = self._hours.slot(t)
        needed = max(self._staff(slot), self._staff(slot + 1))
        for agent in range(len(self._free), needed):
            heapq.heappush(self._free, (self._hours.slot_start(slot), agent))

    def earliest(self, t: float) -> tuple[float, int]:
        """(when, which agent) the first agent is free and on duty at or after ``t``;
        (inf, -1) when none will be. Follow with :meth:`assign` of that agent."""
        self._grow(t)
        free = self._free
        while free:
            at, agent = free[0]
            if at == math.inf:
                return math.inf, -1
            begin = at if at > t else t
            on_duty = self._next_on_duty(agent, begin)
            if on_duty == begin:
                return begin, agent
            heapq.heapreplace(free, (on_duty, agent))
        return math.inf, -1

    def assign(self, agent: int, busy_until: float) -> None:
        """Agent ``agent`` (the one :meth:`earliest` just gave) is busy until ``busy_until``."""
        if self._free[0][1] != agent:
            raise ValueError("assign the agent that earliest() returned")
        heapq.heapreplace(self._free, (busy_until, agent))

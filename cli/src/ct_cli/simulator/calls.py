"""Phone calls through an Erlang A queue: queued, ringing, answered (with its rings) or
abandoned, sometimes transferred to another queue, ended.

Each caller brings a patience (exponential, or a few seconds for the few who give up at
once). The first free agent on duty starts ringing; the caller is answered after the ring
time unless their patience ends first, in the queue or while it rings.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ct_cli.simulator.config import QueueSpec
from ct_cli.simulator.contacts import Contact, Outcome, Timeline
from ct_cli.simulator.erlang import AgentPool

RING_CYCLE_S = 3.0  # the UK ringing cadence, as the charter counts rings
MEAN_PICKUP_S = 4.0  # mean time an agent takes to pick up, after a fixed 1.5 s
SHORT_PATIENCE_S = (0.5, 5.0)


@dataclass(frozen=True, slots=True)
class Transfer:
    """The call moved on to ``to_queue`` at ``at``: its next leg waits there."""

    to_queue: str
    at: float


def patience(rng: random.Random, mean_s: float, short_share: float) -> float:
    """How long a caller waits before hanging up."""
    if rng.random() < short_share:
        return rng.uniform(*SHORT_PATIENCE_S)
    return rng.expovariate(1.0 / mean_s)


def play_call(
    contact: Contact,
    t: float,
    spec: QueueSpec,
    pool: AgentPool,
    rng: random.Random,
    timeline: Timeline,
    short_share: float,
    transfer_targets: Sequence[str],
) -> Outcome | Transfer:
    """One leg of a call joining ``spec``'s queue at ``t`` (a first leg emits
    ``call.queued``; a transferred leg was opened by the ``call.transferred`` before it).
    ``transfer_targets``: the phone queues an answered call may be passed to (at the
    queue's transfer rate; never its own queue)."""
    queue = spec.name
    if contact.events == 0:
        timeline.add(t, contact.event("call.queued", queue))
    gives_up = t + patience(rng, spec.patience_s, short_share)
    ring_s = 1.5 + rng.expovariate(1.0 / MEAN_PICKUP_S)
    begin, agent = pool.earliest(t)
    if begin > gives_up:
        return _abandon(contact, queue, t, gives_up, timeline)
    agent_id = f"{queue}-agent-{agent + 1:03d}"
    timeline.add(begin, contact.event("call.ringing", queue))
    answered = begin + ring_s
    if answered > gives_up:  # hung up while it rang
        pool.assign(agent, gives_up)
        return _abandon(contact, queue, t, gives_up, timeline)
    answer = contact.event("call.answered", queue, agent_id)
    answer["rings"] = max(1, math.ceil(ring_s / RING_CYCLE_S))
    timeline.add(answered, answer)
    handle_s = rng.expovariate(1.0 / spec.handle_s)
    if len(transfer_targets) > 1 and rng.random() < spec.transfer_rate:
        n = rng.randrange(len(transfer_targets))
        if transfer_targets[n] == queue:
            n = (n + 1) % len(transfer_targets)
        transfer_to = transfer_targets[n]
        at = answered + min(handle_s, 20.0 + rng.expovariate(1.0 / 40.0))
        pool.assign(agent, at)
        moved = contact.event("call.transferred", queue, agent_id)
        moved["to_queue"] = transfer_to
        timeline.add(at, moved)
        return Transfer(transfer_to, at)
    end = answered + handle_s
    pool.assign(agent, end)
    timeline.add(end, contact.event("call.ended", queue, agent_id))
    return Outcome(queue, answered, end, answered - t)


def _abandon(contact: Contact, queue: str, t: float, at: float, timeline: Timeline) -> Outcome:
    timeline.add(at, contact.event("call.abandoned", queue))
    timeline.add(at, contact.event("call.ended", queue))
    return Outcome(queue, None, at, at - t)

"""Reception visitors: ticketed, called to a desk (the first free desk, in ticket order),
served, or gone before being called (a walk-out, ``visit.left``)."""

from __future__ import annotations

import random

from ct_cli.simulator.config import QueueSpec
from ct_cli.simulator.contacts import Contact, Outcome, Timeline
from ct_cli.simulator.erlang import AgentPool


def play_visit(
    contact: Contact,
    t: float,
    spec: QueueSpec,
    desks: AgentPool,
    rng: random.Random,
    timeline: Timeline,
) -> Outcome:
    """One visitor taking a ticket at ``t``."""
    timeline.add(t, contact.event("visit.ticketed"))
    leaves = t + rng.expovariate(1.0 / spec.patience_s)
    called, desk = desks.earliest(t)
    if called > leaves:
        timeline.add(leaves, contact.event("visit.left"))
        return Outcome(spec.name, None, leaves, leaves - t)
    desk_id = f"{spec.name}-desk-{desk + 1:02d}"
    served = called + rng.expovariate(1.0 / spec.handle_s)
    desks.assign(desk, served)
    timeline.add(called, contact.event("visit.called", agent=desk_id))
    timeline.add(served, contact.event("visit.served", agent=desk_id))
    return Outcome(spec.name, called, served, called - t)

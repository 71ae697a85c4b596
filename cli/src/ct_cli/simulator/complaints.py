"""Complaints: raised, answered stage by stage in working time, sometimes escalated to
stage 2 and stage 3. Most stages are answered well inside their allowance (10, 10 and 20
working days); a few are late."""

from __future__ import annotations

import math
import random

from ct_cli.simulator.contacts import Contact, Timeline
from ct_cli.simulator.workclock import WorkingClock

STAGE_ALLOWANCE_WORKING_HOURS = (80.0, 80.0, 160.0)
ESCALATION_SHARE = (0.2, 0.3)  # of answered stage 1 and stage 2 complaints
USED_ALLOWANCE_MEDIAN = 0.45
USED_ALLOWANCE_SIGMA = 0.45


def play_complaint(
    contact: Contact,
    t: float,
    queue: str,
    rng: random.Random,
    timeline: Timeline,
    clock: WorkingClock,
) -> None:
    """A complaint raised at ``t`` about ``contact`` and its stages."""
    timeline.add(t, contact.event("complaint.raised", queue))
    for stage, allowance in enumerate(STAGE_ALLOWANCE_WORKING_HOURS, start=1):
        if stage > 1:
            if rng.random() >= ESCALATION_SHARE[stage - 2]:
                return
            t += rng.uniform(1.0, 10.0) * 86400.0
            escalated = contact.event("complaint.escalated", queue)
            escalated["stage"] = stage
            timeline.add(t, escalated)
        used = rng.lognormvariate(math.log(USED_ALLOWANCE_MEDIAN), USED_ALLOWANCE_SIGMA)
        t = clock.after(t, allowance * used)
        responded = contact.event("complaint.responded", queue)
        responded["stage"] = stage
        timeline.add(t, responded)

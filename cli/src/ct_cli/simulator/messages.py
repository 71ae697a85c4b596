"""Emails and web forms: received (or submitted), acknowledged, answered in working time,
closed.

Most acknowledgements are automatic and come within a minute; a few are late, past the
15-minute standard. Replies take a log-normal number of working hours (median 6), so
about one in twelve misses the 24-working-hour standard.
"""

from __future__ import annotations

import math
import random

from ct_cli.simulator.contacts import Contact, Outcome, Timeline
from ct_cli.simulator.workclock import WorkingClock

REPLY_MEDIAN_WORKING_HOURS = 6.0
REPLY_SIGMA = 1.0
CLOSED_SHARE = 0.85


def acknowledgement_delay(rng: random.Random) -> float:
    """Seconds from receipt to acknowledgement: mostly automatic, a few late by hours."""
    draw = rng.random()
    if draw < 0.93:
        return rng.uniform(1.0, 60.0)
    if draw < 0.985:
        return rng.uniform(60.0, 900.0)
    return rng.uniform(900.0, 4 * 3600.0)


def play_message(
    contact: Contact, t: float, rng: random.Random, timeline: Timeline, clock: WorkingClock
) -> Outcome:
    """One email or web form arriving at ``t`` and everything that follows it."""
    first = "webform.submitted" if contact.channel == "web" else "email.received"
    timeline.add(t, contact.event(first))
    acknowledged = t + acknowledgement_delay(rng)
    timeline.add(acknowledged, contact.event("email.acknowledged"))
    hours = rng.lognormvariate(math.log(REPLY_MEDIAN_WORKING_HOURS), REPLY_SIGMA)
    replied = max(clock.after(t, hours), acknowledged + 1.0)
    timeline.add(replied, contact.event("email.responded"))
    if rng.random() < CLOSED_SHARE:
        timeline.add(replied + rng.expovariate(1 / 7200.0), contact.event("email.closed"))
    return Outcome(contact.queue, replied, replied, replied - t)

"""What follows a handled contact: a case (resolved at first contact or later), a survey,
a complaint, and whether the customer comes back about the same thing (a re-contact).

First-contact resolution is not drawn: it emerges. A case resolved at first contact
counts as such only if the customer does not come back within the re-contact window,
and customers whose case stays open come back more often.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ct_cli.simulator.complaints import play_complaint
from ct_cli.simulator.config import Rates
from ct_cli.simulator.contacts import Contact, Outcome, Timeline, pick
from ct_cli.simulator.workclock import WorkingClock

#: Survey scores 0..10: about 30% detractors, 28% passives, 42% promoters (NPS about +12).
SCORE_CUMULATIVE = (3, 5, 7, 10, 13, 18, 30, 43, 58, 76, 100)
#: A wait that annoys, by channel (emails and web forms: a reply after two days).
LONG_WAIT_S = {"phone": 300.0, "face_to_face": 900.0, "email": 172800.0, "web": 172800.0}
RECONTACT_MEAN_S = 1.5 * 86400.0
CALLBACK_SHARE = 0.4  # callers who abandoned and call again
CALLBACK_MEAN_S = 900.0
RECONTACT_REASONS = ("clarification", "problem", "query", "complaint")
RECONTACT_REASON_CUMULATIVE = (40, 75, 90, 100)  # 40%, 35%, 15%, 10%


@dataclass(frozen=True, slots=True)
class Recontact:
    """The same customer gets in touch again about the same service type at ``at``."""

    at: float
    customer: int
    service_type: str
    query_reason: str


def _recontact(contact: Contact, at: float, rng: random.Random) -> Recontact:
    reason = pick(rng, RECONTACT_REASONS, RECONTACT_REASON_CUMULATIVE)
    return Recontact(at, contact.customer, contact.service_type, reason)


def play_case(
    contact: Contact,
    outcome: Outcome,
    rng: random.Random,
    timeline: Timeline,
    clock: WorkingClock,
    rates: Rates,
) -> bool:
    """A case for the handled contact; True when it was resolved at the first contact."""
    assert outcome.begin is not None
    queue = outcome.queue
    timeline.add(outcome.begin, contact.event("case.opened", queue))
    resolved = contact.event("case.resolved", queue)
    if rng.random() < rates.first_contact:
        at, first = outcome.end, True
        resolved |= {"resolution": "first_contact", "contacts": 1}
    else:
        first = False
        investigation = rng.random() < 0.1
        median = 60.0 if investigation else 16.0
        at = clock.after(outcome.end, rng.lognormvariate(math.log(median), 0.8))
        resolved |= {
            "resolution": "investigation" if investigation else "follow_up",
            "contacts": 3 if investigation else 2,
        }
    timeline.add(at, resolved)
    timeline.add(at + rng.expovariate(1 / 3600.0), contact.event("case.closed", queue))
    return first


def play_survey(contact: Contact, outcome: Outcome, rng: random.Random, timeline: Timeline) -> None:
    """A satisfaction survey answered after the contact; long waits score lower."""
    score = rng.choices(range(11), cum_weights=SCORE_CUMULATIVE)[0]
    if outcome.wait_s > LONG_WAIT_S[contact.channel]:
        score = max(0, score - rng.randint(1, 4))
    survey = contact.event("survey.answered", outcome.queue)
    survey["score"] = score
    timeline.add(outcome.end + rng.uniform(60.0, 1800.0), survey)


def follow_up(
    contact: Contact,
    outcome: Outcome,
    rng: random.Random,
    timeline: Timeline,
    clock: WorkingClock,
    rates: Rates,
) -> Recontact | None:
    """Everything after the contact; the re-contact it leads to, if any."""
    if outcome.begin is None:  # abandoned or walked out: some try again soon
        if rng.random() < CALLBACK_SHARE:
            return _recontact(contact, outcome.end + rng.expovariate(1 / CALLBACK_MEAN_S), rng)
        return None
    comeback = rates.recontact_resolved / 3
    if rng.random() < rates.case:
        first = play_case(contact, outcome, rng, timeline, clock, rates)
        comeback = rates.recontact_resolved if first else rates.recontact_unresolved
    if rng.random() < rates.survey:
        play_survey(contact, outcome, rng, timeline)
    complaint = contact.query_reason == "complaint" and rng.random() < rates.complaint
    annoyed = outcome.wait_s > LONG_WAIT_S[contact.channel]
    if complaint or (annoyed and rng.random() < 0.03):
        play_complaint(contact, outcome.end, outcome.queue, rng, timeline, clock)
    if rng.random() < comeback:
        return _recontact(contact, outcome.end + rng.expovariate(1 / RECONTACT_MEAN_S), rng)
    return None

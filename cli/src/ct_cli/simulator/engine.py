"""The simulation loop: contacts arrive in time order and each is played out at once; its
events wait on a timeline and are handed out in event-time order.

Arrivals (new contacts from each queue's Poisson stream, re-contacts, and the next leg of
a transferred call) sit on one heap; all randomness comes from one generator consumed in
that order, so a seed and a config give the same events every time. An event is handed out
once no arrival still to come can precede it, so memory holds only the contacts in flight.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from ct_cli.simulator.calls import Transfer, play_call
from ct_cli.simulator.config import MIX_CHANNELS, SERVICE_TYPES, QueueSpec, SimConfig
from ct_cli.simulator.contacts import Contact, Customers, Event, Outcome, Timeline, pick
from ct_cli.simulator.erlang import AgentPool, HourlyStaffing
from ct_cli.simulator.followups import Recontact, follow_up
from ct_cli.simulator.messages import play_message
from ct_cli.simulator.profile import ChannelProfile, HourTable, next_arrival
from ct_cli.simulator.reception import play_visit
from ct_cli.simulator.workclock import WorkingClock
from ct_sla_monitor.standards_file import default_standards

FIRST_REASONS = ("query", "problem", "clarification", "complaint")
FIRST_REASON_CUMULATIVE = (55, 80, 92, 100)  # 55% query, 25% problem, 12%, 8%
#: Reception visitors' service types (SERVICE_TYPES): 30%, 25%, 20%, 10%, 15%.
DESK_SERVICE_CUMULATIVE = (30, 55, 75, 85, 100)
#: Share of contacts that are re-contacts; first contacts are scaled down by it.
RECONTACT_SHARE = 0.1
VISIT_THRESHOLD_S, VISIT_TARGET = 180.0, 0.95
CUSTOMERS_PER_DAILY_CONTACT = 30


def mix_channel(channel: str) -> str:
    """The channel of the published mix a queue's channel counts in (email is web)."""
    return "web" if channel == "email" else channel


@dataclass(frozen=True, slots=True)
class _Arrival:
    spec: QueueSpec
    stream: int = -1  # index of the queue's Poisson stream, for a new contact
    call: Contact | None = None  # the next leg of a transferred call
    recontact: Recontact | None = None


class Simulation:
    """One run of a :class:`SimConfig`; iterate :meth:`events` once."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        calendar = default_standards().default.calendar
        self.clock = WorkingClock(calendar)
        self.start_s = config.start.timestamp()
        end = config.end
        self.end_s = math.inf if end is None else end.timestamp()
        self.timeline = Timeline(None if end is None else round(self.end_s * 1000))
        self.customers = Customers(config.seed)
        self.population = max(100, round(config.daily_contacts * CUSTOMERS_PER_DAILY_CONTACT))
        hours = HourTable(self.start_s, calendar)
        total = sum(config.mix.values())
        first_contacts = config.daily_contacts * (1.0 - RECONTACT_SHARE) / total
        self.profiles = {
            ch: ChannelProfile(ch, first_contacts * config.mix.get(ch, 0.0), config.profile, hours)
            for ch in MIX_CHANNELS
        }
        self.streams = [(spec, share) for spec, share in self._shares() if share > 0.0]
        self.pools = {
            (spec.channel, spec.name): self._pool(spec, share, hours)
            for spec, share in self.streams
            if spec.channel in ("phone", "face_to_face")
        }
        self.phone_queues = {s.name: s for s, _ in self.streams if s.channel == "phone"}
        self.phone_names = tuple(self.phone_queues)
        self._arrivals: list[tuple[float, int, _Arrival]] = []
        self._pushed = 0
        self._contacts = 0

    def _shares(self) -> list[tuple[QueueSpec, float]]:
        """Each queue's share of its mix channel's contacts."""
        webform = self.config.rates.webform_share
        groups: dict[str, list[QueueSpec]] = {}
        for spec in self.config.queues:
            groups.setdefault(spec.channel, []).append(spec)
        split = {"email": 1.0 - webform, "web": webform}
        if "email" not in groups or "web" not in groups:
            split = {"email": 1.0, "web": 1.0}
        out = []
        for channel, specs in groups.items():
            weights = sum(s.weight for s in specs)
            part = split.get(channel, 1.0)
            out += [(s, part * s.weight / weights if weights > 0 else 0.0) for s in specs]
        return out

    def _pool(self, spec: QueueSpec, share: float, hours: HourTable) -> AgentPool:
        if spec.agents is not None:
            agents = spec.agents
            return AgentPool(lambda slot: agents, hours)
        profile = self.profiles[mix_channel(spec.channel)]
        visit = spec.channel == "face_to_face"
        staffing = HourlyStaffing(
            demand=lambda slot: profile.rate(slot) * share,
            handle_s=spec.handle_s,
            target=VISIT_TARGET if visit else self.config.service_level_target,
            threshold_s=VISIT_THRESHOLD_S if visit else self.config.service_level_threshold_s,
            factor=self.config.staffing,
            key=f"{self.config.seed}:{spec.channel}:{spec.name}",
        )
        return AgentPool(staffing, hours)

    def _push(self, t: float, arrival: _Arrival) -> None:
        if t < self.end_s:
            self._pushed += 1
            heapq.heappush(self._arrivals, (t, self._pushed, arrival))

    def _next_of_stream(self, stream: int, t: float) -> None:
        spec, share = self.streams[stream]
        profile = self.profiles[mix_channel(spec.channel)]
        at = next_arrival(profile, share, t, self.rng.expovariate(1.0))
        self._push(at, _Arrival(spec, stream=stream))

    def events(self) -> Iterator[Event]:
        """Every event of the run, in event-time order."""
        for stream in range(len(self.streams)):
            self._next_of_stream(stream, self.start_s)
        arrivals, timeline = self._arrivals, self.timeline
        while arrivals:
            t, _, arrival = heapq.heappop(arrivals)
            yield from timeline.due(t * 1000.0)
            self._arrive(t, arrival)
        yield from timeline.due(math.inf)

    def _new_contact(self, spec: QueueSpec, recontact: Recontact | None) -> Contact:
        rng = self.rng
        self._contacts += 1
        if recontact is not None:
            customer, service, reason = (
                recontact.customer,
                recontact.service_type,
                recontact.query_reason,
            )
        else:
            customer = rng.randrange(self.population)
            service = spec.service_type or pick(rng, SERVICE_TYPES, DESK_SERVICE_CUMULATIVE)
            reason = pick(rng, FIRST_REASONS, FIRST_REASON_CUMULATIVE)
        ref, segment = self.customers.get(customer)
        return Contact(
            contact_id=f"sim{self.config.seed}-{self._contacts}",
            channel=spec.channel,
            queue=spec.name,
            service_type=service,
            query_reason=reason,
            customer=customer,
            customer_ref=ref,
            customer_segment=segment,
            source=self.config.source,
        )

    def _arrive(self, t: float, arrival: _Arrival) -> None:
        spec, rng, timeline = arrival.spec, self.rng, self.timeline
        if arrival.stream >= 0:
            self._next_of_stream(arrival.stream, t)
        contact = arrival.call or self._new_contact(spec, arrival.recontact)
        outcome: Outcome | Transfer
        if spec.channel == "phone":
            pool = self.pools[("phone", spec.name)]
            targets = () if arrival.call else self.phone_names
            short = self.config.rates.short_patience
            outcome = play_call(contact, t, spec, pool, rng, timeline, short, targets)
            if isinstance(outcome, Transfer):
                self._push(outcome.at, _Arrival(self.phone_queues[outcome.to_queue], call=contact))
                return
        elif spec.channel == "face_to_face":
            pool = self.pools[("face_to_face", spec.name)]
            outcome = play_visit(contact, t, spec, pool, rng, timeline)
        else:
            outcome = play_message(contact, t, rng, timeline, self.clock)
        recontact = follow_up(contact, outcome, rng, timeline, self.clock, self.config.rates)
        if recontact is not None:
            self._schedule_recontact(recontact)

    def _schedule_recontact(self, recontact: Recontact) -> None:
        rng, mix = self.rng, self.config.mix
        channel = rng.choices(MIX_CHANNELS, [mix.get(ch, 0.0) for ch in MIX_CHANNELS])[0]
        candidates = [(s, w) for s, w in self.streams if mix_channel(s.channel) == channel]
        if not candidates:
            return
        same = [(s, w) for s, w in candidates if s.service_type == recontact.service_type]
        chosen = same or candidates
        spec = rng.choices([s for s, _ in chosen], [w for _, w in chosen])[0]
        at = self.profiles[channel].next_open(recontact.at)
        if at > recontact.at:  # closed: come when it opens
            at += rng.uniform(0.0, 1800.0)
        self._push(at, _Arrival(spec, recontact=recontact))


def generate(config: SimConfig) -> Iterator[Event]:
    """The events of ``config``'s run as canonical contract dicts, in event-time order;
    the same config (seed included) gives the same events."""
    events = Simulation(config).events()
    return events if config.max_events is None else islice(events, config.max_events)

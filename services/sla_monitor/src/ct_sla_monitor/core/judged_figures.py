"""The observations a scope's aggregate standards are judged on, kept as running sums.

Each fact a scope holds adds an additive contribution to a :class:`~.minute_ledger.Series`:
a finished call leg its answered / within-rings / within-threshold / abandoned counts at
``finished_at``; a called visitor its (called, within standard) at ``called_at``; a survey
its (response, promoter, detractor) at ``answered_at``; a resolved case its (final FCR,
not first contact) at the instant its verdict is known, tagged with its resolution month.
The figures at a closed minute are those sums, so judging a minute costs the same
whatever the scope holds. They equal :func:`.scope_figures.aggregate_observations` over
the same facts (a property test holds the two together).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .alerts import AggregateObservation
from .call_records import CallLeg
from .case_items import CaseItem
from .items import ratio
from .minute_ledger import Series, Vector, month_start_of
from .resolution import Touch
from .satisfaction import SurveyResponse, percent_1dp
from .standards import Standards
from .visit_items import VisitItem

#: (kind, id) -> (series name, instant, tag, vector)
Held = tuple[str, datetime, datetime | None, Vector]
CustomerKey = tuple[str, str]


def service_levels(ans_in_t: int, abn_in_t: int, answered: int, offered: int) -> dict[str, Any]:
    """Every service-level variant (METRICS.md) from the counts of one window."""
    return {
        "answered": ratio(ans_in_t, answered),
        "offered": ratio(ans_in_t, offered),
        "ignore_abandons": ratio(ans_in_t, offered - abn_in_t),
        "positive_abandons": ratio(ans_in_t + abn_in_t, offered),
    }


def leg_vector(leg: CallLeg, standards: Standards) -> Vector | None:
    """(answered, within rings, answered within threshold, abandoned, abandoned within
    threshold) of a finished leg; None for a leg not offered (waiting or short abandon)."""
    calls = standards.calls
    wait = leg.wait_s or 0.0
    if leg.finished_at is None:
        return None
    if leg.outcome == "answered":
        rings = leg.rings is not None and leg.rings <= calls.answer_within_rings
        return (1, int(rings), int(wait <= calls.service_level_threshold_s), 0, 0)
    if leg.outcome == "abandoned" and wait >= calls.short_abandon_s:
        return (0, 0, 0, 1, int(wait <= calls.service_level_threshold_s))
    return None


def case_contribution(
    case: CaseItem, touches: Iterable[Touch], standards: Standards
) -> tuple[datetime, datetime, Vector] | None:
    """(instant the verdict is known, resolution month, (final FCR, not FCR)) of a case, as
    :func:`.resolution.fcr_verdict` decides it; None while unresolved (or provisional for
    ever, which cannot happen: every first-contact case is final after the window)."""
    if case.resolved_at is None:
        return None
    tag = month_start_of(case.resolved_at, standards.calendar.tz)
    if case.resolution != "first_contact" or case.contacts != 1:
        return case.resolved_at, tag, (0, 1)
    end = case.resolved_at + timedelta(seconds=standards.resolution.recontact_window_s)
    recontacts = [
        t.at for t in touches if t.contact_id != case.item_id and case.resolved_at < t.at <= end
    ]
    if recontacts:
        return min(recontacts), tag, (0, 1)
    return end, tag, (1, 0)


@dataclass(slots=True)
class JudgedLedger:
    """The running sums of one scope's judged figures (mutable, rebuilt from the facts)."""

    scope_key: str
    standards: Standards
    series: dict[str, Series] = field(default_factory=dict)
    held: dict[tuple[str, str], Held] = field(default_factory=dict)
    surveys: set[str] = field(default_factory=set)  # held surveys, judged or not
    cases: dict[str, CaseItem] = field(default_factory=dict)
    cases_by_customer: dict[CustomerKey, set[str]] = field(default_factory=dict)
    touches_by_customer: dict[CustomerKey, dict[str, Touch]] = field(default_factory=dict)
    touch_customers: dict[str, CustomerKey] = field(default_factory=dict)
    last_signature: object = None  # the sums at the minute last judged

    def __post_init__(self) -> None:
        calls_tz, site_tz = self.standards.calls.tz, self.standards.calendar.tz
        self.series = {
            "calls": Series(5, ("rolling_15m", "rolling_30m", "today"), calls_tz),
            "visits": Series(2, ("today",), calls_tz),
            "nps": Series(3, ("today",), site_tz),
            "fcr": Series(2, ("month_to_date",), site_tz),
        }

    # -- facts coming and going -------------------------------------------------------

    def replace(self, kind: str, key: str, fact: Any | None) -> None:
        """The fact ``kind``/``key`` is now ``fact`` (None: gone)."""
        if kind == "case":
            self._replace_case(key, fact)
        elif kind == "touch":
            self._replace_touch(key, fact)
        else:
            if kind == "survey":
                if fact is None:
                    self.surveys.discard(key)
                else:
                    self.surveys.add(key)
            self._set(kind, key, self._contribution(kind, fact))

    def _contribution(self, kind: str, fact: Any | None) -> Held | None:
        if fact is None:
            return None
        if kind == "call":
            assert isinstance(fact, CallLeg)
            vector = leg_vector(fact, self.standards)
            if vector is None or fact.finished_at is None:
                return None
            return ("calls", fact.finished_at, None, vector)
        if kind == "visit":
            assert isinstance(fact, VisitItem)
            if fact.called_at is None:
                return None
            limit = timedelta(seconds=self.standards.visit.queue_time_s)
            within = int(fact.called_at - fact.ticketed_at <= limit)
            return ("visits", fact.called_at, None, (1, within))
        if kind == "survey":
            assert isinstance(fact, SurveyResponse)
            vector = (1, int(fact.score >= 9), int(fact.score <= 6))
            return ("nps", fact.answered_at, None, vector)
        return None

    def _set(self, kind: str, key: str, contribution: Held | None) -> None:
        old = self.held.pop((kind, key), None)
        if old is not None:
            name, at, tag, vector = old
            self.series[name].change(at, tag, vector, -1)
        if contribution is not None:
            name, at, tag, vector = contribution
            self.series[name].change(at, tag, vector, 1)
            self.held[(kind, key)] = contribution

    def _replace_case(self, key: str, case: CaseItem | None) -> None:
        old = self.cases.pop(key, None)
        if old is not None and (customer := _customer(old)) is not None:
            self.cases_by_customer.get(customer, set()).discard(key)
        if case is not None:
            self.cases[key] = case
            if (customer := _customer(case)) is not None:
                self.cases_by_customer.setdefault(customer, set()).add(key)
        self._judge_case(key)

    def _replace_touch(self, key: str, touch: Touch | None) -> None:
        affected: set[CustomerKey] = set()
        before = self.touch_customers.pop(key, None)
        if before is not None:
            self.touches_by_customer[before].pop(key, None)
            affected.add(before)
        if touch is not None:
            customer = _customer_of_touch(touch)
            self.touches_by_customer.setdefault(customer, {})[key] = touch
            self.touch_customers[key] = customer
            affected.add(customer)
        for customer in sorted(affected):
            for case_id in sorted(self.cases_by_customer.get(customer, ())):
                self._judge_case(case_id)

    def _judge_case(self, key: str) -> None:
        case = self.cases.get(key)
        found = None
        if case is not None:
            customer = _customer(case)
            touches = {} if customer is None else self.touches_by_customer.get(customer, {})
            found = case_contribution(case, touches.values(), self.standards)
        self._set("case", key, None if found is None else ("fcr", *found))

    # -- what is judged ---------------------------------------------------------------

    def observations(
        self, minute: datetime, skip_if_unchanged: bool = False
    ) -> list[AggregateObservation] | None:
        """The scope's aggregate observations at the closed minute boundary ``minute``, in
        the order :func:`.scope_figures.aggregate_observations` gives them (without
        provenance: :func:`wants_provenance` says which to complete on an alert).

        With ``skip_if_unchanged``, None when every figure is what it was at the previous
        minute asked for (a caller with no alert open has nothing to decide then)."""
        key = self.scope_key
        judged = [
            name
            for name, applies in (
                ("calls", key.startswith("phone/")),
                ("visits", key.startswith("face_to_face/")),
                ("fcr", key.startswith("service/")),
                ("nps", not key.startswith("service/") and bool(self.surveys)),
            )
            if applies
        ]
        sums = {name: self.series[name].sums_at(minute) for name in judged}
        signature = (sums, len(self.surveys))
        unchanged = signature == self.last_signature
        self.last_signature = signature
        if skip_if_unchanged and unchanged:
            return None
        s = self.standards
        out: list[AggregateObservation] = []

        def observe(
            standard: str, window: str, value: Any, volume: int, target: float, direction: str
        ) -> None:
            out.append(
                AggregateObservation(
                    scope=self.scope_key,
                    standard=standard,
                    window=window,
                    standards_version=s.version,
                    value=None if value is None else float(value),
                    volume=int(volume),
                    target=target,
                    direction=direction,
                    at=minute,
                )
            )

        if "calls" in sums:
            calls = sums["calls"]
            for window in ("rolling_15m", "today"):
                answered, in_rings, *_ = calls[window]
                observe(
                    "phone.answer_rings",
                    window,
                    ratio(in_rings, answered),
                    answered,
                    s.phone.answer_rings_target,
                    "min",
                )
            for window in ("rolling_30m", "today"):
                answered, _, ans_in_t, abandoned, abn_in_t = calls[window]
                offered = answered + abandoned
                levels = service_levels(ans_in_t, abn_in_t, answered, offered)
                observe(
                    "phone.service_level",
                    window,
                    levels[s.calls.service_level_variant],
                    offered,
                    s.phone.service_level_target,
                    "min",
                )
                observe(
                    "phone.abandonment",
                    window,
                    ratio(abandoned, offered),
                    offered,
                    s.phone.abandonment_max,
                    "max",
                )
        if "visits" in sums:
            called, within = sums["visits"]["today"]
            observe(
                "visit.queue_time", "today", ratio(within, called), called, s.visit.target, "min"
            )
        if "fcr" in sums:
            final, not_fcr = sums["fcr"]["month_to_date"]
            observe(
                "all.first_contact_resolution",
                "month_to_date",
                ratio(final, final + not_fcr),
                final + not_fcr,
                s.resolution.fcr_target,
                "min",
            )
        if "nps" in sums:
            count, promoters, detractors = sums["nps"]["today"]
            nps = percent_1dp(promoters - detractors, count) if count else None
            observe("all.satisfaction_nps", "today", nps, count, s.satisfaction.nps_floor, "min")
        return out


def wants_provenance(obs: AggregateObservation) -> bool:
    """Whether an alert on ``obs`` carries the ids of the calls that pulled it down."""
    return obs.standard in ("phone.service_level", "phone.abandonment")


def _customer(case: CaseItem) -> CustomerKey | None:
    if case.customer_ref is None or case.service_type is None:
        return None
    return (case.customer_ref, case.service_type)


def _customer_of_touch(touch: Touch) -> CustomerKey:
    return (touch.customer_ref, touch.service_type)

"""Complaints: stage 1 opens when raised; an escalation opens stage 2 or 3; each stage is
answered by a response naming it.

Each stage holds the first escalation to it and the first response to it in processing
order. Events before the raise are kept and used once it arrives; a response to a stage
not opened yet waits for its escalation. Stage 3 may open without stage 2.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar

from .deadlines import DEADLINE_CACHE, Deadline, deadline_of
from .fields import id_tuple
from .items import (
    ItemEvent,
    ItemResult,
    ItemStateBase,
    apply_item_event,
    dims_from_dict,
    dims_of,
    dims_to_dict,
    ratio,
    sort_item_events,
)
from .standards import Standards
from .timestamps import (
    format_optional_timestamp,
    format_timestamp,
    parse_optional_timestamp,
    parse_timestamp,
    require_aware,
)
from .windows import in_window

COMPLAINT_EVENT_TYPES = ("complaint.raised", "complaint.escalated", "complaint.responded")
COMPLAINT_STAGES = (1, 2, 3)
STAGE_RESPONSE = "complaint.stage_response"


@dataclass(frozen=True, slots=True)
class ComplaintStage:
    """One opened stage of a complaint and, once given, its response."""

    stage: int
    opened_at: datetime
    responded_at: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.stage, bool) or self.stage not in COMPLAINT_STAGES:
            raise ValueError(f"stage must be one of {COMPLAINT_STAGES}, got {self.stage!r}")
        object.__setattr__(self, "opened_at", require_aware(self.opened_at, "opened_at"))
        if self.responded_at is not None:
            object.__setattr__(
                self, "responded_at", require_aware(self.responded_at, "responded_at")
            )

    def to_dict(self) -> dict[str, Any]:
        """The stage as JSON-safe data."""
        return {
            "stage": self.stage,
            "opened_at": format_timestamp(self.opened_at),
            "responded_at": format_optional_timestamp(self.responded_at),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ComplaintStage:
        """The stage from :meth:`to_dict` output; bad data is a ValueError."""
        stage = d.get("stage")
        if isinstance(stage, bool) or not isinstance(stage, int):
            raise ValueError(f"stage must be an integer, got {stage!r}")
        return cls(
            stage=stage,
            opened_at=parse_timestamp(d.get("opened_at"), "opened_at"),
            responded_at=parse_optional_timestamp(d.get("responded_at"), "responded_at"),
        )


@dataclass(frozen=True, slots=True)
class ComplaintItem:
    """One complaint. ``item_id`` is its contact id; ``stages`` are the opened ones, in
    stage order (stage 1 opens at ``raised_at``)."""

    kind: ClassVar[str] = "complaint"

    contact_id: str
    channel: str
    queue: str
    service_type: str | None
    query_reason: str | None
    customer_segment: str | None
    customer_ref: str | None
    raised_at: datetime
    stages: tuple[ComplaintStage, ...] = ()
    event_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "raised_at", require_aware(self.raised_at, "raised_at"))
        numbers = [s.stage for s in self.stages]
        if numbers != sorted(set(numbers)):
            raise ValueError(f"stages must be distinct and in order, got {numbers}")

    @property
    def item_id(self) -> str:
        """The item's key: its contact id."""
        return self.contact_id

    @property
    def current_stage(self) -> int:
        """The highest stage opened."""
        return max((s.stage for s in self.stages), default=1)

    def stage(self, n: int) -> ComplaintStage | None:
        """Stage ``n``, if it has opened."""
        return next((s for s in self.stages if s.stage == n), None)

    def to_dict(self) -> dict[str, Any]:
        """The item as JSON-safe data; :meth:`from_dict` restores it exactly."""
        return {
            "kind": self.kind,
            "item_id": self.item_id,
            **dims_to_dict(self),
            "raised_at": format_timestamp(self.raised_at),
            "current_stage": self.current_stage,
            "stages": [s.to_dict() for s in self.stages],
            "event_ids": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ComplaintItem:
        """The item from :meth:`to_dict` output (extra and derived keys ignored); bad data is
        a ValueError."""
        stages = d.get("stages", ())
        if not isinstance(stages, list | tuple):
            raise ValueError(f"stages must be a list, got {stages!r}")
        return cls(
            **dims_from_dict(d),
            raised_at=parse_timestamp(d.get("raised_at"), "raised_at"),
            stages=tuple(ComplaintStage.from_dict(s) for s in stages),
            event_ids=id_tuple(d),
        )


def _first(events: Sequence[ItemEvent], kind: str, stage: int) -> datetime | None:
    return next((e.occurred_at for e in events if e.type == kind and e.stage == stage), None)


def derive_complaint_item(events: Sequence[ItemEvent]) -> ComplaintItem | None:
    """The item a contact's events describe (any order, duplicates ignored); None before
    it is raised."""
    ordered = sort_item_events(events)
    opening = next((e for e in ordered if e.type == "complaint.raised"), None)
    if opening is None:
        return None
    stages: list[ComplaintStage] = []
    for n in COMPLAINT_STAGES:
        opened = opening.occurred_at if n == 1 else _first(ordered, "complaint.escalated", n)
        if opened is not None:
            responded = _first(ordered, "complaint.responded", n)
            stages.append(ComplaintStage(stage=n, opened_at=opened, responded_at=responded))
    return ComplaintItem(
        **dims_of(opening, ordered),
        raised_at=opening.occurred_at,
        stages=tuple(stages),
        event_ids=tuple(sorted(e.event_id for e in ordered)),
    )


class ComplaintState(ItemStateBase[ComplaintItem]):
    """What is kept per contact: its distinct events (sorted) and its item, if raised."""

    __slots__ = ()
    item_type = ComplaintItem


def apply_complaint_event(
    state: ComplaintState, event: Mapping[str, Any] | ItemEvent, standards: Standards
) -> ItemResult[ComplaintState, ComplaintItem]:
    """Add one complaint event (canonical dict) to a contact's state and report the item's
    change, as :func:`~.items.apply_item_event` describes. ``standards`` is not needed to
    build the item; it is taken for symmetry with the call lifecycle."""
    return apply_item_event(
        state, event, COMPLAINT_EVENT_TYPES, derive_complaint_item, ComplaintState
    )


@lru_cache(maxsize=DEADLINE_CACHE)
def complaint_deadlines(item: ComplaintItem, standards: Standards) -> tuple[Deadline, ...]:
    """One response deadline per opened stage (item_id ``<contact id>:stage<n>``), in working
    time on the standards' calendar, warning at ``standards.email.at_risk_fraction``."""
    calendar = standards.calendar
    fraction = standards.email.at_risk_fraction
    out: list[Deadline] = []
    for s in item.stages:
        allowance = timedelta(hours=standards.complaint.stage_response_working_hours[s.stage - 1])
        out.append(
            deadline_of(
                item,
                STAGE_RESPONSE,
                item_id=f"{item.contact_id}:stage{s.stage}",
                started_at=s.opened_at,
                due_at=calendar.add_working(s.opened_at, allowance),
                at_risk_at=calendar.add_working(s.opened_at, allowance * fraction),
                satisfied_at=s.responded_at,
            )
        )
    return tuple(out)


def complaint_kpis(
    items: Iterable[ComplaintItem], window: str, now: datetime, standards: Standards
) -> dict[str, Any]:
    """The complaint figures of ``items`` over ``window`` at ``now`` (JSON-safe).

    ``raised`` and ``escalated_to_stage_<n>`` count the raise or escalation in the window;
    ``escalation_rate`` is the share of complaints raised in the window escalated by
    ``now``. Per stage (keys "1".."3"): ``responded`` and ``responded_in_time`` count
    responses in the window, with their mean working hours from opening (6 dp); ``open``
    and ``overdue`` (unanswered past the deadline) ignore the window. Ratios 6 dp.
    """
    now = require_aware(now, "now")
    tz = standards.calls.tz
    calendar = standards.calendar
    raised = escalated = 0
    opened = dict.fromkeys(COMPLAINT_STAGES, 0)
    responded = dict.fromkeys(COMPLAINT_STAGES, 0)
    in_time = dict.fromkeys(COMPLAINT_STAGES, 0)
    open_ = dict.fromkeys(COMPLAINT_STAGES, 0)
    overdue = dict.fromkeys(COMPLAINT_STAGES, 0)
    hours: dict[int, list[float]] = {n: [] for n in COMPLAINT_STAGES}
    for item in items:
        if in_window(item.raised_at, window, now, tz):
            raised += 1
            escalated += any(s.stage > 1 and s.opened_at <= now for s in item.stages)
        for s, deadline in zip(item.stages, complaint_deadlines(item, standards), strict=True):
            n = s.stage
            opened[n] += n > 1 and in_window(s.opened_at, window, now, tz)
            status = deadline.status(now)
            if s.responded_at is not None and in_window(s.responded_at, window, now, tz):
                responded[n] += 1
                in_time[n] += status == "met"
                worked = calendar.working_between(s.opened_at, s.responded_at)
                hours[n].append(worked / timedelta(hours=1))
            if s.opened_at <= now and status in ("pending", "at_risk", "breached"):
                open_[n] += 1
                overdue[n] += status == "breached"
    return {
        "raised": raised,
        "escalated_to_stage_2": opened[2],
        "escalated_to_stage_3": opened[3],
        "escalated": escalated,
        "escalation_rate": ratio(escalated, raised),
        "stages": {
            str(n): {
                "responded": responded[n],
                "responded_in_time": in_time[n],
                "responded_in_time_rate": ratio(in_time[n], responded[n]),
                "mean_response_working_hours": (
                    round(math.fsum(hours[n]) / len(hours[n]), 6) if hours[n] else None
                ),
                "open": open_[n],
                "overdue": overdue[n],
            }
            for n in COMPLAINT_STAGES
        },
    }

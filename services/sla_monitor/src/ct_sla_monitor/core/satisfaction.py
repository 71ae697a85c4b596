"""Satisfaction: survey responses and the Net Promoter Score of a scope over a window.

NPS = % promoters (9-10) - % detractors (0-6), from -100 to 100, rounded to one decimal
place, halves away from zero (exact integer arithmetic).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from .events import Envelope
from .fields import optional_text, required_text
from .resolution import check_report_window, in_report_window
from .standards import Standards
from .timestamps import format_timestamp, parse_timestamp, require_aware

SURVEY_EVENT_TYPE = "survey.answered"


def _score(d: Mapping[str, Any]) -> int:
    value = d.get("score")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"score must be an integer from 0 to 10, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class SurveyResponse:
    """One answered survey; ``item_id`` is its event_id and ``queue`` its contact point."""

    kind: ClassVar[str] = "survey"

    item_id: str
    contact_id: str
    channel: str
    queue: str
    score: int
    answered_at: datetime
    service_type: str | None = None
    query_reason: str | None = None
    customer_segment: str | None = None
    customer_ref: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "answered_at", require_aware(self.answered_at, "answered_at"))

    @property
    def event_ids(self) -> tuple[str, ...]:
        """The one event behind the response."""
        return (self.item_id,)

    def to_dict(self) -> dict[str, Any]:
        """The response as JSON-safe data; :meth:`from_dict` restores it exactly."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {"kind": self.kind, **out, "answered_at": format_timestamp(self.answered_at)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SurveyResponse:
        """The response from :meth:`to_dict` output (extra keys ignored); bad data: ValueError."""
        return cls(
            item_id=required_text(d, "item_id"),
            contact_id=required_text(d, "contact_id"),
            channel=required_text(d, "channel"),
            queue=required_text(d, "queue"),
            score=_score(d),
            answered_at=parse_timestamp(d.get("answered_at"), "answered_at"),
            service_type=optional_text(d, "service_type"),
            query_reason=optional_text(d, "query_reason"),
            customer_segment=optional_text(d, "customer_segment"),
            customer_ref=optional_text(d, "customer_ref"),
        )


def survey_from_event(event: Mapping[str, Any]) -> SurveyResponse:
    """The response a canonical ``survey.answered`` event records; anything else is a ValueError."""
    env = Envelope.from_dict(event)
    if env.type != SURVEY_EVENT_TYPE:
        raise ValueError(f"not a {SURVEY_EVENT_TYPE} event: {env.type!r}")
    return SurveyResponse(
        item_id=env.event_id,
        contact_id=env.contact_id,
        channel=env.channel,
        queue=env.queue,
        score=_score(event),
        answered_at=env.occurred_at,
        service_type=env.service_type,
        query_reason=env.query_reason,
        customer_segment=env.customer_segment,
        customer_ref=env.customer_ref,
    )


def percent_1dp(numerator: int, denominator: int) -> float:
    """100 * numerator / denominator to one decimal place, halves away from zero."""
    tenths, rest = divmod(abs(numerator) * 1000, denominator)
    if 2 * rest >= denominator:
        tenths += 1
    return (tenths if numerator >= 0 else -tenths) / 10


def nps_kpis(
    responses: Iterable[SurveyResponse], window: str, now: datetime, standards: Standards
) -> dict[str, Any]:
    """The NPS figures of the responses answered in ``window`` at ``now``.

    Responses are de-duplicated by item_id. ``nps`` and ``below_floor`` (nps strictly
    below ``standards.satisfaction.nps_floor``) are None without responses.
    """
    check_report_window(window)
    now = require_aware(now, "now")
    tz = ZoneInfo(standards.calendar.timezone)
    scores = {
        r.item_id: r.score for r in responses if in_report_window(r.answered_at, window, now, tz)
    }
    count = len(scores)
    promoters = sum(1 for s in scores.values() if s >= 9)
    detractors = sum(1 for s in scores.values() if s <= 6)
    nps = percent_1dp(promoters - detractors, count) if count else None
    floor = standards.satisfaction.nps_floor
    return {
        "responses": count,
        "promoters": promoters,
        "passives": count - promoters - detractors,
        "detractors": detractors,
        "nps": nps,
        "nps_floor": floor,
        "below_floor": None if nps is None else nps < floor,
    }

"""Stage 2, keyed by scope: the call figures of a channel/queue over each window.

The figures follow METRICS.md ("Calls"): a finished leg counts in a window by its
``finished_at``; only answered and abandoned legs are offered; short abandons are counted
apart and leave every service-level ratio and the abandonment rate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .call_records import CallLeg
from .items import ratio
from .standards import SERVICE_LEVEL_VARIANTS, CallStandards
from .timestamps import format_timestamp, require_aware, seconds_between
from .windows import ALL_TIME, REPORTED_WINDOWS, WINDOWS, window_start, window_test

ALL_QUEUES = "all"
PERCENTILES = (50, 90, 99)
WAITING_RETENTION = timedelta(hours=24)
ROLLING_RETENTION = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a figure is about: a channel and one queue, or ``all`` its queues."""

    channel: str
    queue: str

    def __post_init__(self) -> None:
        if not self.channel or "/" in self.channel or not self.queue:
            raise ValueError(f"bad scope {self.channel!r}/{self.queue!r}")

    @property
    def key(self) -> str:
        """The scope as one string, ``channel/queue``."""
        return f"{self.channel}/{self.queue}"

    @classmethod
    def from_key(cls, key: str) -> Scope:
        """The scope named by :attr:`key`."""
        channel, sep, queue = key.partition("/")
        if not sep:
            raise ValueError(f"scope key must be 'channel/queue', got {key!r}")
        return cls(channel=channel, queue=queue)


def scopes_for(leg: CallLeg) -> tuple[Scope, ...]:
    """The scopes a leg counts in: its own queue, then all queues of its channel."""
    own = Scope(leg.channel, leg.queue)
    every = Scope(leg.channel, ALL_QUEUES)
    return (own,) if own == every else (own, every)


@dataclass(frozen=True, slots=True)
class CallKpis:
    """The call figures of one scope over one window (ratios 6 dp, seconds 3 dp)."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_within_threshold: int
    abandoned_within_threshold: int
    answered_within_rings: int
    answered_within_rings_ratio: float | None
    abandonment_rate: float | None
    asa_seconds: float | None
    wait_p50_seconds: float | None
    wait_p90_seconds: float | None
    wait_p99_seconds: float | None
    service_level: dict[str, float | None]
    waiting_now: int
    longest_wait_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-safe data."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["service_level"] = dict(self.service_level)
        return out


@dataclass(slots=True)
class ScopeState:
    """The legs that one scope currently needs, by leg_id (mutable)."""

    legs: dict[str, CallLeg] = field(default_factory=dict)

    def upsert(self, leg: CallLeg) -> None:
        """Add a leg, or replace the version held under its leg_id."""
        self.legs[leg.leg_id] = leg

    def retract(self, leg_id: str) -> None:
        """Forget a leg; an unknown leg_id is ignored."""
        self.legs.pop(leg_id, None)

    def prune(self, now: datetime, tz: ZoneInfo) -> list[str]:
        """Drop legs no window can need any more; return their ids, sorted.

        A finished leg goes once it is before today's start and at or before now - 60 min;
        a waiting leg goes once it was queued more than 24 h before ``now``.
        """
        now = require_aware(now, "now")
        today_start = window_start("today", now, tz)
        rolling_start = now - ROLLING_RETENTION
        dropped = sorted(
            leg_id
            for leg_id, leg in self.legs.items()
            if (leg.finished_at is None and leg.queued_at < now - WAITING_RETENTION)
            or (
                leg.finished_at is not None
                and leg.finished_at < today_start
                and leg.finished_at <= rolling_start
            )
        )
        for leg_id in dropped:
            del self.legs[leg_id]
        return dropped

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe data, legs in leg_id order."""
        return {"legs": [self.legs[k].to_dict() for k in sorted(self.legs)]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScopeState:
        """The state from :meth:`to_dict` output."""
        legs = (CallLeg.from_dict(leg) for leg in d.get("legs", ()))
        return cls(legs={leg.leg_id: leg for leg in legs})


def _nearest_rank(sorted_values: list[float], p: int) -> float | None:
    if not sorted_values:
        return None
    rank = -(-p * len(sorted_values) // 100)  # ceil(p/100 * n) in integers
    return round(sorted_values[max(rank, 1) - 1], 3)


def compute_kpis(
    legs: Iterable[CallLeg], window: str, now: datetime, standards: CallStandards
) -> CallKpis:
    """The figures of ``legs`` over ``window`` as seen at ``now`` under ``standards``."""
    if window not in REPORTED_WINDOWS and window != ALL_TIME:
        raise ValueError(f"unknown window {window!r}; expected one of {REPORTED_WINDOWS}")
    now = require_aware(now, "now")
    tz = standards.tz
    threshold = standards.service_level_threshold_s
    inside = window_test(window, now, tz)
    held = list(legs)
    finished = sorted(
        (
            leg
            for leg in held
            if leg.outcome in ("answered", "abandoned")
            and leg.finished_at is not None
            and inside(leg.finished_at)
        ),
        key=lambda leg: leg.leg_id,
    )
    answered_waits = [leg.wait_s or 0.0 for leg in finished if leg.outcome == "answered"]
    answered_rings = [leg.rings for leg in finished if leg.outcome == "answered"]
    abandoned_waits = [leg.wait_s or 0.0 for leg in finished if leg.outcome == "abandoned"]
    kept_abandons = [w for w in abandoned_waits if w >= standards.short_abandon_s]
    answered = len(answered_waits)
    abandoned = len(kept_abandons)
    offered = answered + abandoned
    ans_in_t = sum(1 for w in answered_waits if w <= threshold)
    abn_in_t = sum(1 for w in kept_abandons if w <= threshold)
    in_rings = sum(
        1 for r in answered_rings if r is not None and r <= standards.answer_within_rings
    )
    waits_sorted = sorted(answered_waits)
    levels = {
        "answered": ratio(ans_in_t, answered),
        "offered": ratio(ans_in_t, offered),
        "ignore_abandons": ratio(ans_in_t, offered - abn_in_t),
        "positive_abandons": ratio(ans_in_t + abn_in_t, offered),
    }
    waiting = sorted(
        (leg for leg in held if leg.outcome == "waiting" and leg.queued_at <= now),
        key=lambda leg: leg.leg_id,
    )
    longest = max((seconds_between(leg.queued_at, now) for leg in waiting), default=0.0)
    return CallKpis(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=len(abandoned_waits) - abandoned,
        answered_within_threshold=ans_in_t,
        abandoned_within_threshold=abn_in_t,
        answered_within_rings=in_rings,
        answered_within_rings_ratio=ratio(in_rings, answered),
        abandonment_rate=ratio(abandoned, offered),
        asa_seconds=round(math.fsum(answered_waits) / answered, 3) if answered else None,
        wait_p50_seconds=_nearest_rank(waits_sorted, PERCENTILES[0]),
        wait_p90_seconds=_nearest_rank(waits_sorted, PERCENTILES[1]),
        wait_p99_seconds=_nearest_rank(waits_sorted, PERCENTILES[2]),
        service_level={name: levels[name] for name in SERVICE_LEVEL_VARIANTS},
        waiting_now=len(waiting),
        longest_wait_seconds=round(longest, 3),
    )


@dataclass(frozen=True, slots=True)
class ScopeSnapshot:
    """The figures of one scope in every window at one instant, under one standards version."""

    scope: Scope
    as_of: datetime
    standards_version: str
    windows: dict[str, CallKpis]

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-safe data."""
        return {
            "scope": {
                "channel": self.scope.channel,
                "queue": self.scope.queue,
                "key": self.scope.key,
            },
            "as_of": format_timestamp(self.as_of),
            "standards_version": self.standards_version,
            "windows": {name: kpis.to_dict() for name, kpis in self.windows.items()},
        }


def build_snapshot(
    state: ScopeState, scope: Scope, now: datetime, standards: CallStandards
) -> ScopeSnapshot:
    """The snapshot of ``scope`` at ``now``: its figures in every window of WINDOWS."""
    legs = list(state.legs.values())
    return ScopeSnapshot(
        scope=scope,
        as_of=require_aware(now, "now"),
        standards_version=standards.version,
        windows={name: compute_kpis(legs, name, now, standards) for name in WINDOWS},
    )

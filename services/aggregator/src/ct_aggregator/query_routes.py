"""The query API's read routes: KPIs, queues, intervals, alerts, pending items, standards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from ct_aggregator.feed import LiveFeed
from ct_aggregator.intervals import GROUPS, parse_group_by
from ct_aggregator.snapshots import pending_items, pending_total
from ct_sla_monitor.core.deadlines import PENDING_SHOWN

MAX_INTERVAL_ROWS = 20_000


def _instant(value: str | None, name: str) -> datetime | None:
    """An RFC 3339 instant with an offset; a 400 naming the parameter otherwise. A space
    where the offset's ``+`` was is read as ``+`` (an unencoded ``+`` in a query string)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().upper().replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise HTTPException(
            400, f"{name} must be an RFC 3339 time with an offset, e.g. 2026-11-23T09:00:00Z"
        )
    return parsed


def query_router(feed: LiveFeed, charter: dict[str, Any] | None) -> APIRouter:
    """The read routes over the feed's stores; ``charter`` is served at /v1/standards."""
    router = APIRouter()
    store, alert_book = feed.store, feed.alerts

    @router.get("/v1/kpis", summary="Live figures per channel, queue and window")
    async def kpis(
        channel: Annotated[str | None, Query(description="e.g. phone")] = None,
        queue: Annotated[str | None, Query(description="a queue, or 'all'")] = None,
        window: Annotated[
            str | None, Query(description="today, rolling_15m or rolling_30m")
        ] = None,
    ) -> dict[str, Any]:
        rows = [row.to_dict() for row in store.rows(channel, queue, window)]
        return {"kpis": rows, "count": len(rows)}

    @router.get(
        "/v1/queues",
        summary="The live snapshot of every queue: headline measures judged against the "
        "standards (ok, warning, breach), and the figures of every window",
    )
    async def queues(
        channel: Annotated[str | None, Query(description="e.g. phone; unset: all")] = None,
    ) -> dict[str, Any]:
        rows = feed.views(channel, queues_only=True)
        return {"queues": rows, "count": len(rows)}

    @router.get(
        "/v1/intervals",
        summary="15-minute interval history",
        description="The figures of each clock-aligned quarter hour whose start is in "
        "[from, to). group_by chooses the families of rows: channel (each channel's total), "
        "queue (each channel and queue), service_type (resolution and demand per service "
        "type, demand split by channel); several may be combined with commas.",
    )
    async def intervals(
        from_: Annotated[
            str | None,
            Query(alias="from", description="RFC 3339; intervals starting at or after it"),
        ] = None,
        to: Annotated[
            str | None, Query(description="RFC 3339; intervals starting before it")
        ] = None,
        group_by: Annotated[
            str, Query(description=f"comma-separated subset of {', '.join(GROUPS)}")
        ] = "channel",
        limit: Annotated[int, Query(ge=1, le=MAX_INTERVAL_ROWS)] = 5000,
    ) -> dict[str, Any]:
        start, end = _instant(from_, "from"), _instant(to, "to")
        if start is not None and end is not None and start >= end:
            raise HTTPException(400, "from must be before to")
        try:
            groups = parse_group_by(group_by)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        rows = feed.intervals.rows(start, end, groups)
        return {
            "intervals": rows[:limit],
            "count": min(len(rows), limit),
            "truncated": len(rows) > limit,
            "group_by": list(groups),
        }

    @router.get("/v1/alerts", summary="Alerts: open ones, or the latest state of every one")
    async def list_alerts(
        state: Annotated[str, Query(pattern="^(open|all)$", description="open or all")] = "open",
        scope: Annotated[str | None, Query(description="e.g. phone/council_tax")] = None,
    ) -> dict[str, Any]:
        rows = list(alert_book.alerts(state, scope))
        return {"alerts": rows, "count": len(rows)}

    @router.get(
        "/v1/pending",
        summary="Items waiting on a deadline, soonest due first",
        description=(
            "Each queue's soonest-due open deadlines (at most "
            f"{PENDING_SHOWN} per queue), merged soonest due first. ``count`` is how many "
            "are listed, ``total`` how many are open; ``complete`` is false when some "
            "are not listed."
        ),
    )
    async def pending(
        channel: Annotated[
            str | None, Query(description="email, web or face_to_face; unset: all")
        ] = None,
    ) -> dict[str, Any]:
        rows, total = pending_items(store, channel), pending_total(store, channel)
        return {"pending": rows, "count": len(rows), "total": total, "complete": total == len(rows)}

    @router.get("/v1/standards", summary="The published service standards (the charter)")
    async def standards() -> dict[str, Any]:
        return charter or {}

    return router

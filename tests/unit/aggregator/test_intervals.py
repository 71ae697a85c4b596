"""The 15-minute interval history: the latest snapshot of each scope in each quarter hour,
bounded, served by ``/v1/intervals`` filtered by time and grouped by channel, queue or
service type."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.event_hub import EventHub
from ct_aggregator.feed import LiveFeed
from ct_aggregator.intervals import IntervalStore, parse_group_by
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.standards_file import default_standards

DAY = "2026-11-23T"


def snap(key: str, as_of: str, offered: int) -> dict[str, Any]:
    channel, _, queue = key.partition("/")
    return {
        "scope": {"channel": channel, "queue": queue, "key": key},
        "as_of": f"{DAY}{as_of}+00:00",
        "standards_version": "charter-2026.1",
        "windows": {"interval_15m": {"offered": offered}, "today": {"offered": 99}},
    }


def offered(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(r["interval_start"][11:16], r["figures"]["offered"]) for r in rows]


def test_each_interval_keeps_the_figures_of_its_latest_snapshot() -> None:
    store = IntervalStore()
    for as_of, n in [("10:03:00", 1), ("10:14:59", 2), ("10:15:00", 1), ("10:29:00", 3)]:
        assert store.record(snap("phone/q", as_of, n))
    assert not store.record(snap("phone/q", "10:10:00", 5))  # older than 10:14:59: ignored
    rows = store.rows(groups=("queue",))
    assert offered(rows) == [("10:00", 2), ("10:15", 3)]
    assert [(r["as_of"][11:19], r["closed"]) for r in rows] == [
        ("10:14:59", True),  # the scope's clock has passed 10:15
        ("10:29:00", False),
    ]
    assert rows[0]["interval_end"] == f"{DAY}10:15:00+00:00"
    assert (rows[0]["channel"], rows[0]["queue"], rows[0]["group"]) == ("phone", "q", "queue")


def test_a_snapshot_without_an_interval_window_is_not_kept() -> None:
    store = IntervalStore()
    bare = snap("phone/q", "10:00:00", 1)
    del bare["windows"]["interval_15m"]
    assert not store.record(bare)
    assert len(store) == 0


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kathmandu", "America/St_Johns"])
def test_local_quarter_hours_are_utc_quarter_hours(zone: str) -> None:
    # +0/+1, +5:45 and -3:30: every offset in use is whole quarter hours
    store = IntervalStore(tz=ZoneInfo(zone))
    store.record(snap("phone/q", "10:07:00", 1))
    assert store.rows(groups=("queue",))[0]["interval_start"] == f"{DAY}10:00:00+00:00"


def test_groups_choose_the_families_of_rows() -> None:
    store = IntervalStore()
    for key in ("phone/all", "phone/q", "email/all", "service/council_tax", "service/all"):
        store.record(snap(key, "10:05:00", 1))
    keys = [
        {k: r[k] for k in ("group", "channel", "queue", "service_type") if k in r}
        for r in store.rows(groups=("channel", "service_type"))
    ]
    assert keys == [
        {"group": "channel", "channel": "email"},
        {"group": "channel", "channel": "phone"},
        {"group": "service_type", "service_type": "council_tax"},
    ]
    assert [r["queue"] for r in store.rows(groups=("queue",))] == ["q"]


def test_rows_filter_by_interval_start() -> None:
    store = IntervalStore()
    for as_of in ("09:50:00", "10:05:00", "10:20:00", "10:35:00"):
        store.record(snap("phone/all", as_of, 1))
    start, end = datetime.fromisoformat(f"{DAY}10:00:00+00:00"), None
    assert [r["interval_start"][11:16] for r in store.rows(start, end)] == [
        "10:00",
        "10:15",
        "10:30",
    ]
    end = datetime.fromisoformat(f"{DAY}10:30:00+00:00")  # exclusive
    assert [r["interval_start"][11:16] for r in store.rows(start, end)] == ["10:00", "10:15"]


def test_the_store_is_bounded_oldest_interval_first() -> None:
    store = IntervalStore(max_entries=3)
    for as_of in ("10:05:00", "10:20:00", "10:35:00", "10:50:00"):
        store.record(snap("phone/all", as_of, 1))
    assert len(store) == 3
    assert [r["interval_start"][11:16] for r in store.rows()] == ["10:15", "10:30", "10:45"]
    assert not store.record(snap("phone/all", "09:00:00", 1))  # older than all, no room
    assert len(store) == 3


def test_group_by_accepts_only_known_families() -> None:
    assert parse_group_by("channel, service_type,channel") == ("channel", "service_type")
    for bad in ("", "agent", "channel,customer"):
        with pytest.raises(ValueError, match="channel, queue, service_type"):
            parse_group_by(bad)


@pytest.fixture
def client() -> httpx.AsyncClient:
    store, alerts = SnapshotStore(), AlertBook()
    book = default_standards()
    feed = LiveFeed(store, alerts, IntervalStore(), EventHub(), book.for_scope)
    for key, as_of, n in [
        ("phone/all", "09:55:00", 4),
        ("phone/all", "10:10:00", 6),
        ("phone/council_tax", "10:10:00", 2),
        ("service/council_tax", "10:12:00", 3),
    ]:
        feed.on_snapshot(snap(key, as_of, n))
    reader = MetricsReader("127.0.0.1:1", {})  # never started: ASGITransport runs no lifespan
    api = create_aggregator_api(
        store, reader, build_registry(store, alerts), alerts, book.public_view(), feed=feed
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test")


async def test_intervals_route(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/intervals")).json()
    assert body["group_by"] == ["channel"]
    assert offered(body["intervals"]) == [("09:45", 4), ("10:00", 6)]
    # an unencoded "+" in the offset arrives as a space; it is read as "+"
    url = f"/v1/intervals?from={DAY}10:00:00+00:00&group_by=queue,service_type"
    body = (await client.get(url)).json()
    assert [(r["group"], r["figures"]["offered"]) for r in body["intervals"]] == [
        ("queue", 2),
        ("service_type", 3),
    ]
    limited = (await client.get("/v1/intervals", params={"limit": 1})).json()
    assert (limited["count"], limited["truncated"]) == (1, True)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"from": "yesterday"}, "from must be an RFC 3339 time with an offset"),
        ({"to": f"{DAY}10:00:00"}, "to must be an RFC 3339 time with an offset"),
        ({"from": f"{DAY}10:00:00Z", "to": f"{DAY}10:00:00Z"}, "from must be before to"),
        ({"group_by": "agent_id"}, "group_by takes a comma-separated subset of"),
    ],
)
async def test_bad_parameters_are_400_without_the_value(
    client: httpx.AsyncClient, params: dict[str, str], reason: str
) -> None:
    response = await client.get("/v1/intervals", params=params)
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert not any(value in response.text for value in params.values())


async def test_a_limit_out_of_range_is_422_without_the_value(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/intervals", params={"limit": "987654321"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    assert "987654321" not in response.text

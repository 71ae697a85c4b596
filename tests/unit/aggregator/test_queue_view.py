"""The live view of a queue: headline measures judged ok, warning or breach against the
default charter (service level >= 80 %, abandonment <= 5 %, margin 2 points, at least 10
calls; waits warn at 80 % of 20 s or of 3 min and breach past them); /v1/queues and the
wallboard's page and assets."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.queue_view import scope_view
from ct_aggregator.snapshots import SnapshotStore
from ct_aggregator.wallboard import ASSETS, read_asset
from ct_sla_monitor.standards_file import default_standards

STANDARDS = default_standards().default
T = "2026-11-23T10:00:"


def phone(
    sl: float | None, abandon: float | None, offered: int, waiting: int = 0, longest: float = 0.0
) -> dict[str, Any]:
    figures = {
        "offered": offered,
        "service_level": {"offered": sl, "answered": 1.0},
        "abandonment_rate": abandon,
        "waiting_now": waiting,
        "longest_wait_seconds": longest,
    }
    return {
        "scope": {"channel": "phone", "queue": "housing", "key": "phone/housing"},
        "as_of": T + "00+00:00",
        "pending_as_of": T + "05+00:00",
        "standards_version": "charter-2026.1",
        "windows": {"rolling_30m": figures, "today": figures},
        "pending": [],
    }


def measures(view: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    return {m["key"]: (m["value"], m["state"]) for m in view["measures"]}


@pytest.mark.parametrize(
    ("sl", "abandon", "offered", "want_sl", "want_abandon", "tile"),
    [
        (0.79, 0.051, 20, "breach", "breach", "breach"),
        (0.81, 0.04, 20, "warning", "warning", "warning"),
        (0.82, 0.03, 20, "ok", "ok", "ok"),  # exactly target + margin: on target
        (0.80, 0.05, 10, "warning", "warning", "warning"),  # exactly the target: not a breach
        (0.10, 0.50, 9, "none", "none", "ok"),  # 9 calls: too few to judge
        (None, None, 0, "none", "none", "ok"),
    ],
)
def test_phone_ratios(
    sl: float | None,
    abandon: float | None,
    offered: int,
    want_sl: str,
    want_abandon: str,
    tile: str,
) -> None:
    view = scope_view(phone(sl, abandon, offered), STANDARDS)
    got = measures(view)
    assert got["service_level"] == (sl, want_sl)
    assert got["abandonment"] == (abandon, want_abandon)
    assert view["state"] == tile


@pytest.mark.parametrize(
    ("waiting", "longest", "want"),
    [
        (1, 10.0, (15.0, "ok")),  # 10 s at 10:00:00, still waiting 5 s later
        (1, 11.0, (16.0, "warning")),  # 80 % of 20 s
        (1, 15.0, (20.0, "warning")),  # "within 20 s" includes 20 s
        (1, 15.5, (20.5, "breach")),
        (0, 30.0, (0.0, "ok")),  # nobody waiting
    ],
)
def test_the_longest_call_wait_is_carried_to_the_live_instant(
    waiting: int, longest: float, want: tuple[float, str]
) -> None:
    got = measures(scope_view(phone(0.9, 0.0, 20, waiting, longest), STANDARDS))
    assert got["longest_wait"] == want
    assert got["waiting"] == (waiting, "none")


def test_a_low_volume_note_says_how_many_calls_are_needed() -> None:
    view = scope_view(phone(0.5, 0.0, 3), STANDARDS)
    sl = next(m for m in view["measures"] if m["key"] == "service_level")
    assert sl["note"] == "3 of 10 calls needed to judge"
    assert (sl["target"], sl["direction"], sl["window"]) == (0.8, "min", "rolling_30m")


def pending(standard: str, item: str, started: str, status: str, due_s: float) -> dict[str, Any]:
    return {
        "standard": standard,
        "item_id": item,
        "started_at": T + started + "+00:00",
        "status": status,
        "seconds_to_due": due_s,
    }


def test_reception_counts_waiting_visitors_at_the_live_instant() -> None:
    snapshot = {
        "scope": {"channel": "face_to_face", "queue": "reception", "key": "face_to_face/reception"},
        "as_of": T + "00+00:00",
        "pending_as_of": "2026-11-23T10:03:10+00:00",
        "windows": {"today": {"visit": {"served_within_rate": 0.9, "called": 20}}},
        "pending": [
            pending("visit.queue_time", "v1", "00", "breached", -10.0),  # 190 s
            pending("visit.queue_time", "v2", "00", "breached", -10.0)
            | {"started_at": "2026-11-23T10:02:30+00:00", "status": "pending"},  # 40 s
        ],
    }
    view = scope_view(snapshot, STANDARDS)
    assert measures(view) == {
        "waiting": (2, "none"),
        "longest_wait": (190.0, "breach"),
        "breaches": (1, "breach"),
        "called_in_time": (0.9, "breach"),  # under 95 %
    }
    assert view["live_as_of"] == "2026-11-23T10:03:10+00:00"
    empty = scope_view({**snapshot, "pending": [], "windows": {}}, STANDARDS)
    assert measures(empty) == {
        "waiting": (0, "none"),
        "longest_wait": (0.0, "ok"),
        "breaches": (0, "ok"),
        "called_in_time": (None, "none"),
    }


def test_email_counts_come_from_the_pending_deadlines() -> None:
    snapshot = {
        "scope": {"channel": "web", "queue": "benefits", "key": "web/benefits"},
        "as_of": T + "00+00:00",
        "pending": [
            pending("email.follow_up", "m1", "00", "at_risk", 3600.0),
            pending("email.follow_up", "m2", "00", "breached", -5.0),
            pending("email.acknowledge", "m3", "00", "breached", -60.0),
            pending("email.follow_up", "m3", "00", "pending", 80000.0),
        ],
    }
    view = scope_view(snapshot, STANDARDS)
    assert measures(view) == {
        "pending": (3, "none"),
        "at_risk": (1, "warning"),
        "breached": (2, "breach"),  # m2 late with its reply, m3 with its acknowledgement
        "next_breach": (3600.0, "none"),
    }
    assert view["state"] == "breach"


def test_counts_come_from_the_summary_when_the_list_is_cut_short() -> None:
    snapshot = {
        "scope": {"channel": "face_to_face", "queue": "reception", "key": "face_to_face/reception"},
        "as_of": T + "00+00:00",
        "pending_as_of": "2026-11-23T10:03:10+00:00",
        "windows": {},
        "pending": [pending("visit.queue_time", "v1", "30", "pending", 150.0)],
        "pending_summary": {
            "total": 120,
            "shown": 1,
            "standards": {
                "visit.queue_time": {
                    "count": 120,
                    "pending": 100,
                    "at_risk": 5,
                    "breached": 15,
                    "oldest_started_at": "2026-11-23T09:58:10+00:00",
                }
            },
            "breached_items": {"visit": 15},
            "next_due_seconds": 20.0,
        },
    }
    got = measures(scope_view(snapshot, STANDARDS))
    assert (got["waiting"], got["longest_wait"], got["breaches"]) == (
        (120, "none"),
        (300.0, "breach"),  # the oldest of all 120, not of the one listed
        (15, "breach"),
    )
    email = {
        **snapshot,
        "scope": {"channel": "email", "queue": "benefits", "key": "email/benefits"},
        "pending_summary": {
            "total": 900,
            "standards": {"email.follow_up": {"count": 500, "at_risk": 7}},
            "breached_items": {"email": 410},
            "next_due_seconds": 12.5,
        },
    }
    assert measures(scope_view(email, STANDARDS)) == {
        "pending": (500, "none"),
        "at_risk": (7, "warning"),
        "breached": (410, "breach"),
        "next_breach": (12.5, "none"),
    }


async def test_queues_route_and_wallboard_assets() -> None:
    store, alerts = SnapshotStore(), AlertBook()
    store.update(phone(0.79, 0.0, 20))
    service = {"channel": "service", "queue": "all", "key": "service/all"}
    store.update({**phone(0.9, 0.0, 20), "scope": service})  # not a queue: not listed
    reader = MetricsReader("127.0.0.1:1", {})
    api = create_aggregator_api(store, reader, build_registry(store, alerts), alerts, {})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), base_url="http://test"
    ) as client:
        body = (await client.get("/v1/queues")).json()
        assert [(q["scope"], q["state"]) for q in body["queues"]] == [("phone/housing", "breach")]
        assert body["queues"][0]["windows"]["today"]["offered"] == 20
        assert (await client.get("/v1/queues", params={"channel": "email"})).json()["count"] == 0
        page = await client.get("/wallboard")
        assert page.status_code == 200
        for name in ASSETS:
            assert f"/wallboard/assets/{name}" in page.text or name == "locked.js"
            asset = await client.get(f"/wallboard/assets/{name}")
            assert (asset.status_code, asset.headers["content-type"]) == (200, ASSETS[name])
        assert (await client.get("/wallboard/assets/..%2Fapi.py")).status_code == 404
        assert (await client.get("/wallboard/assets/index.html")).status_code == 404


@pytest.mark.parametrize("name", ["index.html", "locked.html", *ASSETS])
def test_assets_load_nothing_from_elsewhere(name: str) -> None:
    text = read_asset(name).decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE)
    assert "innerHTML" not in text  # data goes in as text, never as markup

"""The aggregator's query API over its stores: the published charter round-trips the
default standards file; alerts and pending items are filtered and ordered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.standards_file import default_standards, parse_document


def alert(scope: str, state: str, subject: str | None = None, severity: int = 1) -> dict[str, Any]:
    return {
        "alert_id": f"{scope}|email.follow_up|{subject}|2026-11-23T10:00:00+00:00",
        "state": state,
        "kind": "contact",
        "scope": scope,
        "standard": "email.follow_up",
        "window": None,
        "subject": subject,
        "severity": severity,
    }


def pending(item_id: str, due_at: str, channel: str = "email") -> dict[str, Any]:
    return {"item_id": item_id, "due_at": due_at, "channel": channel, "status": "pending"}


def snapshot(channel: str, queue: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scope": {"channel": channel, "queue": queue, "key": f"{channel}/{queue}"},
        "as_of": "2026-11-23T10:00:00+00:00",
        "standards_version": "charter-2026.1",
        "windows": {},
        "pending": items,
    }


@pytest.fixture
def client() -> httpx.AsyncClient:
    store, alerts = SnapshotStore(), AlertBook()
    enquiries = snapshot("email", "enquiries", [pending("m2", "2026-11-23T12:00:00+00:00")])
    # a busy queue: its snapshot lists its soonest due, its summary counts all 40
    store.update({**enquiries, "pending_summary": {"total": 40, "shown": 1}})
    store.update(snapshot("email", "benefits", [pending("m1", "2026-11-23T11:00:00+00:00")]))
    store.update(snapshot("email", "all", [pending("m1", "2026-11-23T11:00:00+00:00")]))
    store.update(
        snapshot("face_to_face", "reception", [pending("v1", "2026-11-23T10:03:00+00:00")])
    )
    alerts.update(alert("email/enquiries", "warning", "m2"))
    alerts.update(alert("email/benefits", "raised", "m1"))
    alerts.update(alert("email/benefits", "cleared", "m1"))
    reader = MetricsReader("127.0.0.1:1", {})  # never started: ASGITransport runs no lifespan
    api = create_aggregator_api(
        store, reader, build_registry(store, alerts), alerts, default_standards().public_view()
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test")


async def test_standards_round_trip_the_default_file(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/standards")).json()
    assert body["version"] == "charter-2026.1"
    assert parse_document(body) == default_standards()


async def test_alerts_open_and_all(client: httpx.AsyncClient) -> None:
    open_ = (await client.get("/v1/alerts")).json()
    assert [(a["scope"], a["state"]) for a in open_["alerts"]] == [("email/enquiries", "warning")]
    every = (await client.get("/v1/alerts", params={"state": "all"})).json()
    assert [(a["scope"], a["state"]) for a in every["alerts"]] == [
        ("email/benefits", "cleared"),
        ("email/enquiries", "warning"),
    ]
    scoped = await client.get("/v1/alerts", params={"state": "all", "scope": "email/benefits"})
    assert scoped.json()["count"] == 1
    assert (await client.get("/v1/alerts", params={"state": "closed"})).status_code == 422


async def test_pending_soonest_first_without_the_all_scopes(client: httpx.AsyncClient) -> None:
    email = (await client.get("/v1/pending", params={"channel": "email"})).json()
    assert [p["item_id"] for p in email["pending"]] == ["m1", "m2"]
    assert (email["count"], email["total"], email["complete"]) == (2, 41, False)
    every = (await client.get("/v1/pending")).json()
    assert [p["item_id"] for p in every["pending"]] == ["v1", "m1", "m2"]
    visits = (await client.get("/v1/pending", params={"channel": "face_to_face"})).json()
    assert (visits["count"], visits["total"], visits["complete"]) == (1, 1, True)


def test_repeated_escalations_are_all_kept() -> None:
    book = AlertBook()
    assert book.update(alert("phone/q", "escalated", severity=2))
    assert book.update(alert("phone/q", "escalated", severity=3))
    assert not book.update(alert("phone/q", "escalated", severity=3))  # a re-delivery
    (latest,) = book.alerts("all")
    assert latest["severity"] == 3


def test_open_alerts_are_exposed_per_scope_and_standard() -> None:
    alerts = AlertBook()
    alerts.update(alert("email/enquiries", "warning", "m2"))
    alerts.update(alert("email/enquiries", "raised", "m3"))
    alerts.update(alert("email/enquiries", "raised", "m4"))
    registry = build_registry(SnapshotStore(), alerts)
    labels = {"channel": "email", "queue": "enquiries", "standard": "email.follow_up"}
    assert registry.get_sample_value("sla_open_alerts", {**labels, "state": "raised"}) == 2
    assert registry.get_sample_value("sla_open_alerts", {**labels, "state": "warning"}) == 1

"""``GET /v1/reports/monthly`` over a real archive directory: JSON, CSV and HTML of the
month, 404 with a reason for a month without contacts, 422 for a bad month, the read
token, and a damaged archive answered without a stack trace."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from pydantic import SecretStr

from ct_aggregator.alert_book import AlertBook
from ct_aggregator.api import build_registry, create_aggregator_api
from ct_aggregator.archive_format import ArchivedRecord
from ct_aggregator.archive_store import ArchiveStore
from ct_aggregator.auth import ReadTokens
from ct_aggregator.metrics_reader import MetricsReader
from ct_aggregator.report_build import build_monthly_report, month_selection
from ct_aggregator.snapshots import SnapshotStore
from ct_sla_monitor.standards_file import default_standards
from tests.unit.aggregator.report_month import month_records

TOKEN = "supervisor-token-0123456789"
TOPIC = "contact.events.v1"


def _timestamp_ms(raw: bytes) -> int:
    """Record time: the event's own time (the producer stamps the record when it sends)."""
    try:
        return int(datetime.fromisoformat(orjson.loads(raw)["occurred_at"]).timestamp() * 1000)
    except (orjson.JSONDecodeError, KeyError):
        return 1_791_000_000_000  # mid-October 2026


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made month archived on one partition in recorded order, each record stamped
    with its event's time but the last two (the late survey and the repeat), sent last."""
    data_dir = tmp_path_factory.mktemp("archive")
    records = month_records()
    stamps = [_timestamp_ms(raw) for raw in records]
    stamps[-2:] = [max(stamps)] * 2
    archived = [
        ArchivedRecord(TOPIC, 0, offset, stamp, None, raw)
        for offset, (stamp, raw) in enumerate(zip(stamps, records, strict=True))
    ]
    with ArchiveStore(data_dir, TOPIC).open() as store:
        store.commit(archived)
    return data_dir


def client(archive_dir: Path | None, tokens: ReadTokens | None = None) -> httpx.AsyncClient:
    store, alerts = SnapshotStore(), AlertBook()
    reader = MetricsReader("127.0.0.1:1", {})  # never started: ASGITransport runs no lifespan
    api = create_aggregator_api(
        store,
        reader,
        build_registry(store, alerts),
        alerts,
        default_standards().public_view(),
        read_tokens=tokens,
        archive_dir=archive_dir,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test")


@pytest.fixture(scope="module")
def wanted() -> dict[str, Any]:
    book = default_standards()
    selection = month_selection(month_records(), "2026-10", book)
    return build_monthly_report(selection, book, "in the order the topic recorded them")


async def test_json_is_the_report_of_the_archived_month(
    archive: Path, wanted: dict[str, Any]
) -> None:
    async with client(archive) as api:
        answer = await api.get("/v1/reports/monthly", params={"month": "2026-10"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    report = answer.json()
    assert report == wanted
    assert report["late"]["too_late_events"] == 1


async def test_csv_and_html(archive: Path) -> None:
    async with client(archive) as api:
        csv = await api.get("/v1/reports/monthly?month=2026-10&format=csv")
        html = await api.get("/v1/reports/monthly?month=2026-10&format=html")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "report-2026-10.csv" in csv.headers["content-disposition"]
    assert csv.text.splitlines()[0] == "section,period,scope,measure,value,volume,target,met"
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.count("<img") >= 8 and "https://" not in html.text


async def test_a_month_without_contacts_is_404_with_a_reason(archive: Path) -> None:
    async with client(archive) as api:
        answer = await api.get("/v1/reports/monthly", params={"month": "2026-12"})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no archived contact started in 2026-12"}


async def test_without_an_archive_it_is_404(tmp_path: Path) -> None:
    async with client(tmp_path / "missing") as api:
        answer = await api.get("/v1/reports/monthly", params={"month": "2026-10"})
    assert answer.status_code == 404
    assert "archive" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2026-13", "month"),
        ("month=october", "month"),
        ("", "month"),
        ("month=2026-10&format=pdf", "format"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(
    archive: Path, query: str, field: str
) -> None:
    async with client(archive) as api:
        answer = await api.get(f"/v1/reports/monthly?{query}")
    assert answer.status_code == 422
    assert [d["loc"][-1] for d in answer.json()["detail"]] == [field]
    assert "2026-13" not in answer.text and "pdf" not in answer.text  # never the value


async def test_behind_the_read_token(archive: Path) -> None:
    async with client(archive, ReadTokens([SecretStr(TOKEN)])) as api:
        missing = await api.get("/v1/reports/monthly?month=2026-10")
        good = await api.get(
            "/v1/reports/monthly?month=2026-12", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert missing.status_code == 401
    assert good.status_code == 404  # through the guard, to the route


async def test_a_damaged_archive_is_500_without_a_stack_trace(tmp_path: Path) -> None:
    records = [ArchivedRecord(TOPIC, 0, 0, 1_791_000_000_000, None, month_records()[1])]
    with ArchiveStore(tmp_path, TOPIC).open() as store:
        store.commit(records)
    for segment in tmp_path.rglob("*"):
        if segment.is_file() and "manifest" not in segment.name and segment.suffix != ".json":
            segment.write_bytes(b"garbage")
    async with client(tmp_path) as api:
        answer = await api.get("/v1/reports/monthly?month=2026-10")
    assert answer.status_code == 500
    assert "ct archive verify" in answer.json()["detail"]
    assert "Traceback" not in answer.text

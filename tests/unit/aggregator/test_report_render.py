"""The monthly report rendered: CSV in long form, JSON, and one self-contained HTML page with
one embedded PNG per chart and no external URL."""

from __future__ import annotations

import base64
import csv
import io
import re
from typing import Any

import orjson
import pytest

from ct_aggregator.report_build import build_monthly_report, month_selection
from ct_aggregator.report_charts import Chart
from ct_aggregator.report_charts_detail import all_charts, fix_time_chart
from ct_aggregator.report_csv import COLUMNS, render_csv
from ct_aggregator.report_html import render_html
from ct_sla_monitor.standards_file import default_standards
from tests.unit.aggregator.report_month import month_records

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    book = default_standards()
    return build_monthly_report(month_selection(month_records(), "2026-10", book), book)


@pytest.fixture(scope="module")
def charts(report: dict[str, Any]) -> list[Chart]:
    return all_charts(report)


def test_json_round_trips(report: dict[str, Any]) -> None:
    assert orjson.loads(orjson.dumps(report)) == report


def test_csv_long_form(report: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == COLUMNS
    sl = [
        r
        for r in rows
        if r["section"] == "standards"
        and r["scope"] == "phone/all"
        and r["measure"] == "phone.service_level"
    ]
    assert [(r["period"], r["value"], r["volume"], r["met"]) for r in sl] == [
        ("2026-10", "0.625", "8", "false"),
        ("2026-W40", "0.333333", "3", "false"),
        ("2026-W41", "1.0", "2", "true"),
        ("2026-W42", "1.0", "1", "true"),
        ("2026-W43", "1.0", "1", "true"),
        ("2026-W44", "0.0", "1", "false"),
    ]
    email_w41 = [
        r["value"]
        for r in rows
        if (r["section"], r["period"], r["measure"]) == ("demand", "2026-W41", "by_channel.email")
    ]
    assert email_w41 == ["1"]
    fix = {r["measure"]: r["value"] for r in rows if r["scope"] == "query_reason/query"}
    assert fix["calendar_hours.median"] == "0.5"
    assert {r["section"] for r in rows} >= {
        "events",
        "late",
        "demand",
        "standards",
        "resolution",
        "fix_time",
        "repeat_contacts",
        "complaints",
        "nps",
    }


def test_every_chart_is_a_png_with_a_title(charts: list[Chart]) -> None:
    keys = [c.key for c in charts]
    assert len(keys) == len(set(keys))
    # the fixed charts, and one per standard with a figure on a channel-wide scope
    assert {"demand_by_week", "channel_mix", "demand_by_service", "fcr", "fix_time"} <= set(keys)
    assert {"repeat_reasons", "complaints", "nps"} <= set(keys)
    standards = {k for k in keys if k.startswith("standard_")}
    assert standards == {
        "standard_phone.answer_rings",
        "standard_phone.service_level",
        "standard_phone.abandonment",
        "standard_email.acknowledge",
        "standard_email.follow_up",
        "standard_visit.queue_time",
        "standard_all.first_contact_resolution",
        "standard_all.satisfaction_nps",
        "standard_complaint.stage_response",
    }
    assert all(c.png.startswith(PNG) and c.title for c in charts)


def test_html_is_self_contained_with_one_image_per_chart(
    report: dict[str, Any], charts: list[Chart]
) -> None:
    page = render_html(report, charts)
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == page.count("<img") == len(charts)
    assert [alt for alt, _ in images].count("Channel mix, 2026-10") == 1
    assert all(base64.b64decode(data).startswith(PNG) for _, data in images)
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "1 events arrived after a later event" in page
    assert "charter-2026.1" in page


def test_a_chart_without_data_says_so(report: dict[str, Any], charts: list[Chart]) -> None:
    no_cases = {**report, "resolution": {**report["resolution"], "fix_time_by_query_reason": {}}}
    empty = fix_time_chart(no_cases)
    drawn = next(c for c in charts if c.key == "fix_time")
    # still a picture, with the message instead of axes: much smaller than the boxes
    assert empty.png.startswith(PNG) and empty.key == drawn.key
    assert len(empty.png) < len(drawn.png) / 2

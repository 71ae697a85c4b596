"""``GET /v1/reports/monthly``: the monthly standards report of a month, built from the
raw-event archive (``CT_ARCHIVE_DATA_DIR``, written by ``ct archive run``) as JSON, CSV or
an HTML page with its charts.

A report replays a month of events, which takes a while: it is built in a worker thread,
and kept (the last few) for as long as the month's archived events stay the same.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ct_aggregator.archive_format import ArchiveFormatError
from ct_aggregator.archive_reader import read_archive
from ct_aggregator.report_build import NoEventsForMonth, build_monthly_report, month_selection
from ct_aggregator.report_csv import render_csv
from ct_aggregator.report_html import render_html
from ct_aggregator.report_period import ReportMonth, record_span
from ct_sla_monitor.standards_file import StandardsBook, default_standards, parse_document

log = logging.getLogger("ct_aggregator.reports")
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
#: how many built reports are kept
CACHE_SIZE = 8
ORDER = "in the order the topic recorded them"


class _NotFound(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MonthlyReports:
    """Builds a month's report from the archive, keeping the last few built."""

    def __init__(self, archive_dir: Path | None, charter: dict[str, Any] | None) -> None:
        self.archive_dir = archive_dir
        self._charter = charter
        self._book: StandardsBook | None = None
        self._cache: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    @property
    def book(self) -> StandardsBook:
        """The charter the reports are judged by, validated when the first report is asked
        for (the published document; without one, the built-in charter)."""
        if self._book is None:
            charter = self._charter
            self._book = parse_document(charter) if charter else default_standards()
        return self._book

    def build(self, month: str) -> dict[str, Any]:
        """The report of ``month``; _NotFound without an archive or events for it."""
        if self.archive_dir is None or not self.archive_dir.is_dir():
            raise _NotFound("no event archive is configured or it does not exist yet")
        span = record_span(ReportMonth.parse(month, self.book.default.calls.tz))
        try:
            selection = month_selection(read_archive(self.archive_dir, *span), month, self.book)
        except NoEventsForMonth:
            raise _NotFound(f"no archived contact started in {month}") from None
        digest = hashlib.sha256()
        for record in selection.records:
            digest.update(hashlib.sha256(record).digest())
        key = (month, digest.hexdigest())
        found = self._cache.get(key)
        if found is None:
            found = build_monthly_report(selection, self.book, ORDER)
            self._cache[key] = found
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        self._cache.move_to_end(key)
        return found


def report_router(archive_dir: Path | None, charter: dict[str, Any] | None = None) -> APIRouter:
    """The route, reading ``archive_dir`` and judging by ``charter`` (the published
    standards document; none: the built-in charter)."""
    reports = MonthlyReports(archive_dir, charter)
    router = APIRouter()

    @router.get(
        "/v1/reports/monthly",
        summary="The monthly standards report of a month",
        description="Demand by channel and service type and the channel mix, each standard "
        "against its target per ISO week and for the month, first-contact resolution final "
        "vs provisional, fix times by query reason, top repeat-contact reasons, complaints "
        "by stage, NPS and the late events included, recomputed from the archived raw "
        "events with the monitor's own core. 404 when no contact started in that month; "
        "422 for a month that is not YYYY-MM.",
        responses={404: {"description": "No archived events for that month"}},
    )
    async def monthly_report(
        month: Annotated[
            str, Query(pattern=MONTH_PATTERN, description="YYYY-MM, in the charter's time zone")
        ],
        format: Annotated[
            Literal["json", "csv", "html"], Query(description="json, csv or html (charts)")
        ] = "json",
    ) -> Response:
        try:
            report = await run_in_threadpool(reports.build, month)
        except _NotFound as exc:
            return JSONResponse({"detail": exc.reason}, status_code=404)
        except (ArchiveFormatError, OSError) as exc:
            log.error(
                "monthly report %s: the archive cannot be read (%s)", month, type(exc).__name__
            )
            return JSONResponse(
                {"detail": "the event archive cannot be read; run ct archive verify"},
                status_code=500,
            )
        if format == "csv":
            return Response(
                render_csv(report),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="report-{month}.csv"'},
            )
        if format == "html":
            return HTMLResponse(await run_in_threadpool(render_html, report))
        return Response(orjson.dumps(report), media_type="application/json")

    return router

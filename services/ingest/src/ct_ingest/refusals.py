"""Answering a :class:`~ct_ingest.errors.Refused` raised anywhere in a request, and counting it."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from ct_ingest import responses
from ct_ingest.errors import Forbidden, RateLimited, Refused, ReplayCacheFull, Unauthorized
from ct_ingest.metrics import IngestMetrics


def refusal_response(exc: Refused, retry_after_s: int) -> Response:
    """401, 403, 429 or 503 for a refusal; the answer names the reason, never a value."""
    if isinstance(exc, RateLimited):
        return responses.rate_limited(exc.retry_after_s)
    if isinstance(exc, Forbidden):
        return responses.forbidden(exc.reason, exc.indexes)
    if isinstance(exc, ReplayCacheFull):
        return responses.replay_cache_full(retry_after_s)
    if isinstance(exc, Unauthorized):
        return responses.unauthorized(exc.reason)
    raise TypeError(type(exc).__name__)


def install_refusal_handler(app: FastAPI, metrics: IngestMetrics, retry_after_s: int) -> None:
    """Make every :class:`Refused` an answer, counted in ``ct_ingest_events_total``."""

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        metrics.count(metrics.source_label(exc.source), exc.outcome)
        return refusal_response(exc, retry_after_s)

    app.add_exception_handler(Refused, handle)

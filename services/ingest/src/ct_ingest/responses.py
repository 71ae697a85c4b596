"""Turning outcomes into HTTP answers: orjson-rendered bodies from :mod:`ct_ingest.payloads`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import JSONResponse

from contact_events import EventError
from ct_ingest import payloads
from ct_ingest.core.batch import BatchReport


class JsonResponse(JSONResponse):
    """A JSON response rendered by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def answer(body: BaseModel, status_code: int, retry_after_s: int | None = None) -> JsonResponse:
    """``body`` as JSON; with ``retry_after_s``, a ``Retry-After`` header too."""
    headers = None if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    return JsonResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


def accepted(event_id: str) -> JsonResponse:
    return answer(payloads.Accepted(event_id=event_id), 202)


def invalid(errors: Sequence[EventError]) -> JsonResponse:
    return answer(payloads.InvalidEventBody(errors=_details(errors)), 422)


def body_too_large(limit_bytes: int) -> JsonResponse:
    return answer(payloads.BodyTooLargeBody(limit_bytes=limit_bytes), 413)


def batch_too_large(limit: int) -> JsonResponse:
    return answer(payloads.BatchTooLargeBody(limit=limit), 413)


def unavailable(retry_after_s: int) -> JsonResponse:
    return answer(payloads.UnavailableBody(retry_after_s=retry_after_s), 503, retry_after_s)


def unauthorized(reason: str) -> JsonResponse:
    return answer(payloads.UnauthorizedBody(reason=reason), 401)


def forbidden(reason: str, indexes: list[int] | None) -> JsonResponse:
    return answer(payloads.ForbiddenBody(reason=reason, indexes=indexes), 403)


def rate_limited(retry_after_s: int) -> JsonResponse:
    return answer(payloads.RateLimitedBody(retry_after_s=retry_after_s), 429, retry_after_s)


def replay_cache_full(retry_after_s: int) -> JsonResponse:
    return answer(payloads.ReplayCacheFullBody(retry_after_s=retry_after_s), 503, retry_after_s)


def batch_report(report: BatchReport, retry_after_s: int) -> JsonResponse:
    """200 when every valid item was acknowledged, else 503 with Retry-After and the same items."""
    complete = report.fully_acknowledged
    body = payloads.BatchBody(
        results=[
            payloads.BatchItem(
                index=item.index,
                event_id=item.event_id,
                status=item.status,
                errors=_details(item.errors) if item.status == "invalid" else None,
            )
            for item in report.items
        ],
        accepted=report.count("accepted"),
        invalid=report.count("invalid"),
        duplicate_in_batch=report.count("duplicate_in_batch"),
        unavailable=report.count("unavailable"),
        error=None if complete else "broker_unavailable",
        retry_after_s=None if complete else retry_after_s,
    )
    return answer(body, 200) if complete else answer(body, 503, retry_after_s)


def _details(errors: Sequence[EventError]) -> list[payloads.ErrorDetail]:
    return [payloads.ErrorDetail(**error.to_dict()) for error in errors]

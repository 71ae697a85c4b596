"""How the adapter routes are described in ingest's OpenAPI document (plain dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ct_ingest import payloads

FORM = "application/x-www-form-urlencoded"

#: The answers every adapter route can give.
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": payloads.BatchBody, "description": "Every mapped event was acknowledged."},
    401: {"model": payloads.UnauthorizedBody, "description": "No or bad credentials."},
    403: {"model": payloads.ForbiddenBody, "description": "The source may not post this."},
    413: {"model": payloads.BodyTooLargeBody, "description": "The body is over the limit."},
    422: {"model": payloads.InvalidEventBody, "description": "Not this adapter's format."},
    429: {"model": payloads.RateLimitedBody, "description": "The source's rate is used up."},
    503: {"model": payloads.BatchBody, "description": "Not acknowledged; retry later."},
}
FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES,
    415: {"model": payloads.InvalidEventBody, "description": "Not form-encoded."},
}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` of a route whose JSON body is ``model``."""
    schema = model.model_json_schema(by_alias=True)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def form_body(required: list[str], fields: list[str]) -> dict[str, Any]:
    """``openapi_extra`` of a route whose body is form-encoded text fields."""
    properties = {name: {"type": "string"} for name in fields}
    schema = {"type": "object", "required": required, "properties": properties}
    return {"requestBody": {"required": True, "content": {FORM: {"schema": schema}}}}

"""The OpenAPI document, with the request bodies described by the contact-event contract.

Routes read their bodies themselves (to enforce the size limit while reading), so FastAPI
cannot infer the request schemas; they are declared here from the contract's JSON Schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from contact_events import ContactEvent

_REF = "#/components/schemas/{model}"
EVENT_SCHEMA = "ContactEvent"


def event_request_body() -> dict[str, Any]:
    """``openapi_extra`` of a route whose body is one contact event."""
    return _json_body({"$ref": _REF.format(model=EVENT_SCHEMA)})


def batch_request_body() -> dict[str, Any]:
    """``openapi_extra`` of a route whose body is ``{"events": [...]}``."""
    return _json_body(
        {
            "type": "object",
            "required": ["events"],
            "additionalProperties": False,
            "properties": {
                "events": {"type": "array", "items": {"$ref": _REF.format(model=EVENT_SCHEMA)}}
            },
        }
    )


def document_contract(app: FastAPI) -> None:
    """Make ``app.openapi()`` include the contract's schemas as components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            contract = TypeAdapter(ContactEvent).json_schema(ref_template=_REF)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(contract.pop("$defs", {}))
            schemas[EVENT_SCHEMA] = contract
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}

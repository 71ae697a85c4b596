"""The OpenAPI document, with the request bodies described by the ingest input schema.

Routes read their bodies themselves (to enforce the size limit while reading), so FastAPI
cannot infer the request schemas; they are declared here from the contract's JSON Schema.
The *input* of ingest is the canonical event plus the raw identifiers ingest pseudonymises
(``customer_phone``, ``customer_email``); its components are named ``<Model>Input``. The
canonical contract itself (``schemas/``) never has raw-identifier fields.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from contact_events import ContactEvent
from ct_ingest.core.pseudonyms import EMAIL_FIELD, EMAIL_MAX_CHARS, PHONE_FIELD, PHONE_MAX_CHARS

_REF = "#/components/schemas/{model}Input"
INPUT_SCHEMA = "ContactEvent"
_RAW_IDENTIFIERS: dict[str, Any] = {
    PHONE_FIELD: {
        "anyOf": [{"type": "string", "maxLength": PHONE_MAX_CHARS}, {"type": "null"}],
        "description": "Raw phone number (E.164, or national in the default region). Ingest "
        "replaces it with customer_ref; it never reaches Kafka. Exclusive with customer_ref "
        "and customer_email.",
    },
    EMAIL_FIELD: {
        "anyOf": [{"type": "string", "maxLength": EMAIL_MAX_CHARS}, {"type": "null"}],
        "description": "Raw e-mail address. Ingest replaces it with customer_ref (lower-cased "
        "first); it never reaches Kafka. Exclusive with customer_ref and customer_phone.",
    },
}
_SIGNED_HEADERS = [
    ("webhook-id", "Standard Webhooks message id (sources with a signing secret)."),
    ("webhook-timestamp", "Unix seconds when signed; at most 5 minutes from now."),
    ("webhook-signature", "Space-separated 'v1,<base64 HMAC-SHA256 of id.timestamp.body>'."),
]


def event_request_body() -> dict[str, Any]:
    """``openapi_extra`` of a route whose body is one ingest input."""
    return _json_body({"$ref": _REF.format(model=INPUT_SCHEMA)})


def batch_request_body() -> dict[str, Any]:
    """``openapi_extra`` of a route whose body is ``{"events": [...]}``."""
    return _json_body(
        {
            "type": "object",
            "required": ["events"],
            "additionalProperties": False,
            "properties": {
                "events": {"type": "array", "items": {"$ref": _REF.format(model=INPUT_SCHEMA)}}
            },
        }
    )


def input_schemas() -> dict[str, dict[str, Any]]:
    """The ``<Model>Input`` components: every event model, plus the raw identifiers."""
    contract = TypeAdapter(ContactEvent).json_schema(ref_template=_REF)
    members = contract.pop("$defs", {})
    schemas = {f"{name}Input": schema for name, schema in members.items()}
    for schema in schemas.values():
        properties = schema.get("properties", {})
        if "customer_ref" in properties:
            properties.update(_RAW_IDENTIFIERS)
            properties["source"]["description"] = (
                "The reporting system; replaced by the authenticated source when API keys "
                "are configured."
            )
    schemas[f"{INPUT_SCHEMA}Input"] = contract
    return schemas


def document_contract(app: FastAPI) -> None:
    """Make ``app.openapi()`` include the input schemas as components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(input_schemas())
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in _SIGNED_HEADERS
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
    }

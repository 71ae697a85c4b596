"""Read tokens for supervisors: who may read ``/v1/*`` and open ``/wallboard``.

Tokens are separate from ingest's keys. When any is configured, a request to ``/v1/...``
or ``/wallboard`` needs ``Authorization: Bearer <token>``. A browser's EventSource cannot
set headers, so ``/v1/stream`` also takes ``?token=``, and so does ``/wallboard``, which
keeps the token in the tab's sessionStorage. ``/metrics``, ``/healthz``, ``/readyz``, the
OpenAPI pages and the wallboard's script and style sheet (code, no data) stay open. With
no token configured everything is open, and the server says so in its log.

Only SHA-256 digests of the tokens are held; a presented token is hashed and compared with
each of them in constant time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI
from pydantic import SecretStr
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ct_aggregator.wallboard import SECURITY_HEADERS

#: paths that also take the token as ``?token=`` (a browser cannot set the header there)
QUERY_TOKEN_PATHS = frozenset({"/v1/stream", "/wallboard"})
WALLBOARD_PAGE = "/wallboard"
SCHEME = "readToken"


class ReadTokens:
    """The configured read tokens, as digests; empty means open."""

    def __init__(self, tokens: Iterable[SecretStr] = ()) -> None:
        self._digests = tuple(_digest(t.get_secret_value()) for t in tokens)

    @property
    def enabled(self) -> bool:
        """Whether any token is configured (otherwise everything is open)."""
        return bool(self._digests)

    def accepts(self, presented: str | None) -> bool:
        """Whether ``presented`` is one of the tokens (always True when none is set)."""
        if not self._digests:
            return True
        if not presented:
            return False
        digest = _digest(presented)
        matched = False
        for held in self._digests:  # no early exit: the time does not depend on which
            matched |= hmac.compare_digest(held, digest)
        return matched


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def protected(path: str) -> bool:
    """Whether ``path`` needs a read token (when tokens are configured)."""
    return path.startswith("/v1/") or path.rstrip("/") in ("/v1", WALLBOARD_PAGE)


def presented_token(scope: Scope) -> str | None:
    """The bearer token of the request, or its ``?token=`` where that is allowed."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            kind, _, token = bytes(value).decode("latin-1").partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip()
    if scope["path"].rstrip("/") in QUERY_TOKEN_PATHS:
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        values = query.get("token")
        if values:
            return str(values[0])
    return None


class ReadTokenMiddleware:
    """Refuses protected paths without a valid read token: 401 JSON for the API, a short
    page for the wallboard. Pure ASGI, so streams pass through untouched."""

    def __init__(self, app: ASGIApp, tokens: ReadTokens, locked_page: bytes = b"") -> None:
        self.app = app
        self.tokens = tokens
        self.locked_page = locked_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.tokens.enabled or not protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = presented_token(scope)
        if self.tokens.accepts(token):
            await self.app(scope, receive, send)
            return
        await _refusal(scope["path"], token is not None, self.locked_page)(scope, receive, send)


def _refusal(path: str, presented: bool, locked_page: bytes) -> Response:
    headers = {"WWW-Authenticate": f'Bearer realm="{SCHEME}"', "Cache-Control": "no-store"}
    if path.rstrip("/") == WALLBOARD_PAGE:
        page_headers = {**SECURITY_HEADERS, **headers}
        return Response(locked_page, 401, page_headers, media_type="text/html; charset=utf-8")
    if presented:
        reason = "the read token is not valid"
    elif path.rstrip("/") in QUERY_TOKEN_PATHS:
        reason = "a read token is required: Authorization: Bearer <token>, or ?token=<token>"
    else:
        reason = "a read token is required: Authorization: Bearer <token>"
    return JSONResponse({"detail": reason}, 401, headers)


def document_read_token(api: FastAPI) -> None:
    """Declare the bearer scheme in the OpenAPI document, on every /v1 operation."""
    build = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is not None:
            return api.openapi_schema
        schema = build()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "description": "A supervisor read token (CT_AGGREGATOR_READ_TOKENS); needed only "
            "when the server has tokens configured.",
        }
        for path, operations in schema.get("paths", {}).items():
            if protected(path):
                for operation in operations.values():
                    operation["security"] = [{SCHEME: []}]
        api.openapi_schema = schema
        return schema

    api.openapi = openapi  # type: ignore[method-assign]

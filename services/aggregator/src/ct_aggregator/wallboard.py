"""The wallboard: ``GET /wallboard`` and its script and style sheet, served from the
package (no CDN). The page reads ``/v1/queues``'s views from ``/v1/stream`` and redraws
tiles as events arrive."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

#: asset name -> media type; nothing else is served from the folder
ASSETS = {
    "wallboard.js": "text/javascript; charset=utf-8",
    "wallboard.css": "text/css; charset=utf-8",
    "locked.js": "text/javascript; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def read_asset(name: str) -> bytes:
    """One file of the package's ``wallboard/`` folder."""
    return files("ct_aggregator").joinpath("wallboard", name).read_bytes()


def locked_page() -> bytes:
    """The page a wallboard request without a valid token gets (with a 401)."""
    return read_asset("locked.html")


def wallboard_router() -> APIRouter:
    """``/wallboard`` and ``/wallboard/assets/<name>``."""
    router = APIRouter()
    page = read_asset("index.html")
    assets = {name: read_asset(name) for name in ASSETS}

    @router.get(
        "/wallboard",
        summary="The live wallboard (HTML); with read tokens set, open it once with ?token=",
        response_class=HTMLResponse,
    )
    async def wallboard() -> HTMLResponse:
        return HTMLResponse(page, headers=SECURITY_HEADERS)

    @router.get("/wallboard/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404, "no such wallboard asset")
        return Response(
            assets[name],
            media_type=ASSETS[name],
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    return router

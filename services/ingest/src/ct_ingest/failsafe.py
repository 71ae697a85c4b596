"""The last line: an unexpected exception becomes a bare 500, never a stack trace.

Starlette's own error middleware answers 500 too, but then re-raises, and the server logs
the traceback, whose text may quote submitted values. This middleware swallows the
exception and logs only its class name.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ct_ingest.payloads import InternalErrorBody
from ct_ingest.responses import answer

log = logging.getLogger(__name__)


class InternalErrorMiddleware:
    """Answer ``500 {"error": "internal_error"}`` to any exception a route lets escape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            log.info("client disconnected before the body was read")
        except Exception as exc:
            log.error("internal_error: %s", type(exc).__name__)
            if not started:
                await answer(InternalErrorBody(), 500)(scope, receive, send)

"""Reading a request body without ever holding more than the limit allows."""

from __future__ import annotations

from contextlib import aclosing

from starlette.requests import Request

from ct_ingest.errors import BodyTooLarge


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyTooLarge` as soon as it passes ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before reading anything; a
    chunked body is counted while it streams in, and reading stops at ``limit + 1`` bytes.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    async with aclosing(request.stream()) as chunks:
        async for chunk in chunks:
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge(limit)
    return bytes(body)

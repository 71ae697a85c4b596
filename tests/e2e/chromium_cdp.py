"""Headless /usr/bin/chromium driven over the Chrome DevTools Protocol (a websocket, spoken
with aiohttp): open a page, evaluate JavaScript, wait for a condition, take a screenshot."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

CHROMIUM = "/usr/bin/chromium"


class CdpError(RuntimeError):
    """The browser answered a command with an error, or a page script threw."""


class Chromium:
    """One headless browser with one page; use as ``async with Chromium() as page``."""

    def __init__(self, width: int = 1600, height: int = 1000) -> None:
        self._size = (width, height)
        self._profile = Path(tempfile.mkdtemp(prefix="ct-chromium-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []

    async def __aenter__(self) -> Chromium:
        self._proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={self._profile}",
                "--remote-debugging-port=0",
                f"--window-size={self._size[0]},{self._size[1]}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = await self._debugging_port(timeout_s=20)
        self._session = aiohttp.ClientSession()
        async with self._session.get(f"http://127.0.0.1:{port}/json/list") as response:
            targets = await response.json()
        page = next(t for t in targets if t["type"] == "page")
        self._ws = await self._session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.send("Page.enable")
        await self.send("Runtime.enable")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _debugging_port(self, timeout_s: float) -> int:
        marker = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self._proc is not None and self._proc.poll() is None, "chromium exited"
            with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
                return int(marker.read_text().splitlines()[0])
            await asyncio.sleep(0.05)
        raise TimeoutError("chromium did not open its debugging port")

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            body = message.json()
            waiter = self._waiting.pop(body.get("id", -1), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(body)
            elif "method" in body:
                self.events.append(body)

    async def send(self, method: str, timeout_s: float = 15.0, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result, or CdpError."""
        assert self._ws is not None
        command_id = next(self._ids)
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[command_id] = waiter
        await self._ws.send_json({"id": command_id, "method": method, "params": params})
        body = await asyncio.wait_for(waiter, timeout_s)
        if "error" in body:
            raise CdpError(f"{method}: {body['error'].get('message')}")
        result: dict[str, Any] = body.get("result", {})
        return result

    async def open(self, url: str, timeout_s: float = 15.0) -> None:
        """Navigate to ``url`` and wait for its load event."""
        start = len(self.events)
        await self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(e["method"] == "Page.loadEventFired" for e in self.events[start:]):
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"page did not load: {url}")

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able values only)."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise CdpError(str(result["exceptionDetails"].get("text")))
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout_s: float, every_s: float = 0.05) -> Any:
        """Poll ``expression`` until it is truthy; its value, or TimeoutError."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"not true within {timeout_s} s: {expression}")
            await asyncio.sleep(every_s)

    def navigations(self) -> int:
        """How many times the main frame navigated (a reload counts)."""
        return sum(
            1
            for e in self.events
            if e["method"] == "Page.frameNavigated" and "parentId" not in e["params"]["frame"]
        )

    async def screenshot(self, path: Path) -> bytes:
        """Save the page as a PNG at ``path``; the bytes."""
        result = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        data = base64.b64decode(result["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

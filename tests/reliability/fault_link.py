"""A fault-injecting TCP link between the services (as separate processes) and the broker.

The broker advertises the link's port as its own address, so every connection, bootstrap
and per-broker, goes through it. The link runs its own asyncio loop in a thread, so a
synchronous test can drive it while the services run elsewhere. Modes:

* ``pass``: bytes flow both ways untouched;
* ``delay``: each chunk is held ``delay_s`` before it is forwarded (a slow network);
* ``reset``: the port still accepts, but every connection, open or new, is reset at once
  (RST: a broker process that crashes on every request);
* ``cut``: the port stops listening and open connections are reset (a partition: new
  connections are refused).

:meth:`FaultyLink.heal` goes back to ``pass``, listening on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from typing import Any

from ct_broker.embedded import free_port

_CHUNK = 65536


class FaultyLink:
    """Forwards ``127.0.0.1:port`` to ``target``; call :meth:`cut`, :meth:`reset`,
    :meth:`delay` and :meth:`heal` from any thread. Use as a context manager."""

    def __init__(self, target_host: str, target_port: int, port: int | None = None) -> None:
        self.port = port or free_port()
        self._target = (target_host, target_port)
        self.mode = "pass"
        self.delay_s = 0.0
        self.accepted = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._sockets: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> FaultyLink:
        self._thread.start()
        self._call(self._listen())
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self._close_all(stop_listening=True))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        self.mode = "cut"
        self._call(self._close_all(stop_listening=True))

    def reset(self) -> None:
        """Accept connections but reset each at once; reset the open ones too."""
        self.mode = "reset"
        self._call(self._listen())
        self._call(self._close_all(stop_listening=False))

    def delay(self, seconds: float) -> None:
        """Forward every chunk ``seconds`` late (open connections included)."""
        self.mode, self.delay_s = "delay", seconds
        self._call(self._listen())

    def heal(self) -> None:
        """Forward untouched again, listening on the same port."""
        self.mode, self.delay_s = "pass", 0.0
        self._call(self._listen())

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._accept, "127.0.0.1", self.port, reuse_address=True
            )

    async def _close_all(self, stop_listening: bool) -> None:
        if stop_listening and self._server is not None:
            server, self._server = self._server, None
            server.close()
        for writer in list(self._sockets):
            _reset(writer)
        self._sockets.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.mode in ("reset", "cut"):
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            _reset(writer)
            return
        pair = (writer, up_writer)
        self._sockets.update(pair)
        try:
            await asyncio.gather(self._forward(reader, up_writer), self._forward(up_reader, writer))
        finally:
            for end in pair:
                self._sockets.discard(end)
                _reset(end)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError, asyncio.IncompleteReadError):
            while data := await reader.read(_CHUNK):
                if self.mode == "delay":
                    await asyncio.sleep(self.delay_s)
                if self.mode != "pass" and self.mode != "delay":
                    break
                writer.write(data)
                await writer.drain()
        _reset(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), not a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()

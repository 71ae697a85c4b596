"""A fault-injecting TCP proxy, to make a broker unreachable without stopping it.

Clients connect to the proxy's port, which the broker advertises as its own address, so every
connection (bootstrap and per-broker) goes through it. :meth:`FaultProxy.cut` closes every
open connection and stops listening, so new connections are refused, like a network
partition; :meth:`FaultProxy.restore` listens again on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib


class FaultProxy:
    """Forwards ``127.0.0.1:listen_port`` to ``target_host:target_port`` until cut."""

    def __init__(self, listen_port: int, target_host: str, target_port: int) -> None:
        self.listen_port = listen_port
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    async def start(self) -> None:
        """Listen (again) on the proxy port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)

    async def cut(self) -> None:
        """Refuse new connections and abort the open ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for link in list(self._links):
            link.cancel()
        await asyncio.gather(*self._links, return_exceptions=True)

    async def restore(self) -> None:
        """Accept connections again."""
        await self.start()

    async def stop(self) -> None:
        await self.cut()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        try:
            broker_reader, broker_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.transport.abort()
            return
        writers = (client_writer, broker_writer)
        self._writers.update(writers)
        pumps = [
            asyncio.create_task(_pump(client_reader, broker_writer)),
            asyncio.create_task(_pump(broker_reader, client_writer)),
        ]
        self._links.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            for writer in writers:
                writer.transport.abort()
            self._links.difference_update(pumps)
            self._writers.difference_update(writers)


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()

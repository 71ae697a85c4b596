"""Per-source rate limits: one token bucket per configured source, on a monotonic clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from ct_ingest.core.token_bucket import TokenBucket, retry_after_s
from ct_ingest.errors import RateLimited


class RateLimiter:
    """Admits a source's request while its bucket has a token; else :class:`RateLimited`."""

    def __init__(
        self,
        limits: Mapping[str, tuple[float, int]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``limits``: source -> (requests a second, burst)."""
        self._clock = clock
        now = clock()
        self._buckets = {
            source: TokenBucket(rate, burst, now) for source, (rate, burst) in limits.items()
        }

    def admit(self, source: str) -> None:
        """Take one of ``source``'s tokens, or raise :class:`RateLimited` with Retry-After."""
        bucket = self._buckets.get(source)
        if bucket is None:
            return
        wait_s = bucket.take(self._clock())
        if wait_s > 0:
            raise RateLimited(source, retry_after_s(wait_s))

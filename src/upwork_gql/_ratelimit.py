"""Client-side rate limiting: a token bucket plus a concurrency cap, shared by client copies.

Upwork throttles per IP (about 10 requests/second today) and answers ``429`` when a burst goes over.
A :class:`RateLimiter` makes a burst of coroutines *wait* instead of collecting 429s. Every copy
of a client (``with_tenant``, ``with_options``) shares its limiter; pass one limiter to several
clients to share a budget between them.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from upwork_gql._constants import DEFAULT_MAX_CONCURRENCY, DEFAULT_RATE_LIMIT_PER_SECOND

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token bucket (``rate`` requests per second, bursts of up to ``burst``) and a concurrency cap.

    ``rate=None`` disables the bucket; ``max_concurrency=None`` disables the cap. The bucket is a
    GCRA ("virtual scheduling"): acquiring is O(1), needs no lock and never busy-waits; a waiter
    sleeps exactly until its slot. A cancelled waiter gives back nothing, which only errs on the
    side of sending less.
    """

    __slots__ = ("_burst", "_interval", "_max_concurrency", "_semaphore", "_tat", "_tolerance")

    def __init__(
        self,
        rate: float | None = DEFAULT_RATE_LIMIT_PER_SECOND,
        *,
        burst: int | None = None,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
    ) -> None:
        if rate is not None and not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number of requests per second, or None")
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1, or None")
        if burst is None:
            burst = max(1, int(rate)) if rate is not None else 1
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._interval = 1.0 / rate if rate is not None else 0.0
        self._burst = burst
        self._tolerance = (burst - 1) * self._interval
        self._tat = 0.0  # theoretical arrival time of the next request
        self._max_concurrency = max_concurrency
        # Created on first use, inside the running event loop (asyncio or trio).
        self._semaphore: anyio.Semaphore | None = None

    @property
    def rate(self) -> float | None:
        """Requests per second, or ``None`` when unlimited."""
        return 1.0 / self._interval if self._interval else None

    @property
    def max_concurrency(self) -> int | None:
        """Maximum requests in flight, or ``None`` when unlimited."""
        return self._max_concurrency

    def __repr__(self) -> str:
        return (
            f"RateLimiter(rate={self.rate!r}, burst={self._burst}, "
            f"max_concurrency={self._max_concurrency!r})"
        )

    def _reserve(self) -> float:
        """Take the next slot of the bucket; return how long to wait for it (seconds)."""
        if not self._interval:
            return 0.0
        now = time.monotonic()
        tat = self._tat if self._tat > now else now
        self._tat = tat + self._interval
        return tat - self._tolerance - now

    async def acquire(self) -> None:
        """Wait until the bucket allows one more request."""
        delay = self._reserve()
        if delay > 0:
            await anyio.sleep(delay)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the ``max_concurrency`` in-flight slots for the body of the block."""
        if self._max_concurrency is None:
            yield
            return
        semaphore = self._semaphore
        if semaphore is None:
            semaphore = self._semaphore = anyio.Semaphore(self._max_concurrency)
        async with semaphore:
            yield

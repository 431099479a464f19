"""Client-side rate limiting: a token bucket plus a concurrency cap, shared by client copies.

Upwork throttles per IP (about 10 requests/second today) and answers ``429`` when a burst goes over.
A :class:`RateLimiter` makes a burst of coroutines *wait* instead of collecting 429s. Every copy
of a client (``with_tenant``, ``with_options``) shares its limiter; pass one limiter to several
clients to share a budget between them.
"""

from __future__ import annotations

import math
import time
from collections import deque
from types import TracebackType

import anyio

from upwork_gql._constants import DEFAULT_MAX_CONCURRENCY, DEFAULT_RATE_LIMIT_PER_SECOND

__all__ = ["RateLimiter"]


class RateLimiter:
    """Token bucket (``rate`` requests per second, bursts of up to ``burst``) and a concurrency cap.

    ``rate=None`` disables the bucket; ``max_concurrency=None`` disables the cap. The bucket is a
    GCRA ("virtual scheduling"): acquiring is O(1), needs no lock and never busy-waits; a waiter
    sleeps exactly until its slot. A cancelled waiter gives back nothing, which only errs on the
    side of sending less.

    The concurrency cap is a FIFO counter: taking a free slot neither yields to the event loop
    nor allocates (the request that follows yields anyway); only a caller that finds every slot
    taken waits, on an event of its own, until a finishing request hands its slot over.
    """

    __slots__ = (
        "_burst",
        "_in_flight",
        "_interval",
        "_max_concurrency",
        "_slot",
        "_tat",
        "_tolerance",
        "_waiters",
    )

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
        self._in_flight = 0
        # Callers waiting for a slot, first come first served; each event is created by its
        # waiter, inside the running event loop (asyncio or trio).
        self._waiters: deque[anyio.Event] = deque()
        self._slot = _Slot(self)

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

    @property
    def in_flight(self) -> int:
        """Requests currently holding a concurrency slot."""
        return self._in_flight

    def slot(self) -> _Slot:
        """``async with limiter.slot():`` holds one of the ``max_concurrency`` in-flight slots."""
        return self._slot

    async def acquire_slot(self) -> None:
        """Take an in-flight slot, waiting (first come, first served) while all are taken.

        Every successful call must be paired with :meth:`release_slot`.
        """
        limit = self._max_concurrency
        if limit is None:
            return
        if self._in_flight < limit and not self._waiters:
            self._in_flight += 1
            return
        event = anyio.Event()
        self._waiters.append(event)
        try:
            await event.wait()
        except BaseException:
            if event.is_set():  # the slot was handed over just as the wait was cancelled
                self.release_slot()
            else:
                self._waiters.remove(event)
            raise
        # A finishing request handed its slot over: ``_in_flight`` already counts this caller.

    def release_slot(self) -> None:
        """Give back the slot taken by :meth:`acquire_slot` (to the first waiter, if any)."""
        if self._max_concurrency is None:
            return
        if self._waiters:
            self._waiters.popleft().set()
        else:
            self._in_flight -= 1


class _Slot:
    """The reusable ``async with`` of :meth:`RateLimiter.slot` (holds no per-use state)."""

    __slots__ = ("_limiter",)

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> None:
        await self._limiter.acquire_slot()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._limiter.release_slot()

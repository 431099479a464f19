"""Client-side rate limiting: evenly spaced requests and a concurrency cap, shared by copies.

Upwork throttles per IP (10 requests/second today) and answers ``429`` when a second holds more.
A :class:`RateLimiter` makes a crowd of coroutines *wait* instead of collecting 429s. Every copy
of a client (``with_tenant``, ``with_options``) shares its limiter; pass one limiter to several
clients to share a budget between them.

The guarantee, with the default ``burst=1``: requests are let through one at a time, at least
``(1 + RATE_LIMIT_JITTER_MARGIN) / rate`` seconds apart, measured from the moment each one was
actually let through. So no one-second window holds more than ``rate`` requests (``ceil(rate)``
for a fractional rate), from the very first second on: there is no initial burst, and a waiter
that wakes up late never lets the next one catch up. The margin (100 ms per second by default)
absorbs that much jitter between the client and the server that counts the requests.

``burst=n`` lets up to ``n`` requests through back to back after an idle period (a GCRA with a
tolerance of ``n - 1`` intervals); a one-second window then holds at most ``rate + n - 1``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType

import anyio

from upwork_gql._constants import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_RATE_LIMIT_BURST,
    DEFAULT_RATE_LIMIT_PER_SECOND,
    RATE_LIMIT_JITTER_MARGIN,
)

__all__ = ["RateLimiter"]


class RateLimiter:
    """``rate`` requests per second, evenly spaced (``burst`` back to back at most), and a cap of
    ``max_concurrency`` requests in flight.

    ``rate=None`` disables the pacing; ``max_concurrency=None`` disables the cap. ``clock`` (a
    monotonic clock in seconds) is for tests; the limiter sleeps with ``anyio.sleep``.

    Pacing is a GCRA ("virtual scheduling") whose theoretical arrival time advances from the
    moment a request is actually let through. A caller that finds the way clear passes without
    yielding to the event loop; the others wait first come, first served, and only the first of
    them sleeps (until its slot), so waking up is O(1) whatever the crowd. A cancelled waiter
    takes nothing.

    The concurrency cap is a FIFO counter: taking a free slot neither yields to the event loop
    nor allocates; only a caller that finds every slot taken waits, on an event of its own, until
    a finishing request hands its slot over.

    Use :meth:`acquire_request` right before sending (slot first, pacing last, so the request
    leaves when the pacing let it through) and :meth:`release_slot` when it is done.
    """

    __slots__ = (
        "_burst",
        "_clock",
        "_head_busy",
        "_in_flight",
        "_interval",
        "_max_concurrency",
        "_pace_waiters",
        "_rate",
        "_slot",
        "_tat",
        "_tolerance",
        "_waiters",
    )

    def __init__(
        self,
        rate: float | None = DEFAULT_RATE_LIMIT_PER_SECOND,
        *,
        burst: int = DEFAULT_RATE_LIMIT_BURST,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is not None and not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number of requests per second, or None")
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1, or None")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError("burst must be an integer of at least 1")
        self._rate = rate
        self._interval = (1.0 + RATE_LIMIT_JITTER_MARGIN) / rate if rate is not None else 0.0
        self._burst = burst
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._tat = -math.inf  # theoretical arrival time of the next request
        # Pacing: the first waiter sleeps (``_head_busy``), the others wait for it to hand over.
        self._head_busy = False
        self._pace_waiters: deque[anyio.Event] = deque()
        self._max_concurrency = max_concurrency
        self._in_flight = 0
        # Callers waiting for a slot, first come first served; each event is created by its
        # waiter, inside the running event loop (asyncio or trio).
        self._waiters: deque[anyio.Event] = deque()
        self._slot = _Slot(self)

    @property
    def rate(self) -> float | None:
        """Requests per second, or ``None`` when unlimited."""
        return self._rate

    @property
    def burst(self) -> int:
        """Requests let through back to back after an idle period (1: evenly spaced)."""
        return self._burst

    @property
    def max_concurrency(self) -> int | None:
        """Maximum requests in flight, or ``None`` when unlimited."""
        return self._max_concurrency

    def __repr__(self) -> str:
        return (
            f"RateLimiter(rate={self.rate!r}, burst={self._burst}, "
            f"max_concurrency={self._max_concurrency!r})"
        )

    # -- pacing ---------------------------------------------------------------------------------

    def _delay(self, now: float) -> float:
        """Seconds until the next request may go (``<= 0``: now)."""
        return self._tat - self._tolerance - now

    def _grant(self, now: float) -> None:
        self._tat = max(self._tat, now) + self._interval

    def _hand_over(self) -> None:
        if self._pace_waiters:
            self._pace_waiters.popleft().set()  # ``_head_busy`` stays set for the next one
        else:
            self._head_busy = False

    async def acquire(self) -> None:
        """Wait until the pacing lets one more request through."""
        if not self._interval:
            return
        if not self._head_busy:
            now = self._clock()
            if self._delay(now) <= 0:
                self._grant(now)
                return
            self._head_busy = True
        else:
            event = anyio.Event()
            self._pace_waiters.append(event)
            try:
                await event.wait()
            except BaseException:
                if event.is_set():  # handed the head just as the wait was cancelled
                    self._hand_over()
                else:
                    self._pace_waiters.remove(event)
                raise
        try:
            while True:
                now = self._clock()
                delay = self._delay(now)
                if delay <= 0:
                    break
                await anyio.sleep(delay)
            self._grant(now)
        finally:
            self._hand_over()

    # -- concurrency ----------------------------------------------------------------------------

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

    async def acquire_request(self) -> None:
        """Take an in-flight slot, then wait for the pacing: await it right before sending.

        The pacing comes last so that nothing delays a request between the moment the pacing
        let it through and the moment it is sent (a request held back after its pacing slot
        could land in the same second as the later ones). Pair with :meth:`release_slot`.
        """
        await self.acquire_slot()
        try:
            await self.acquire()
        except BaseException:
            self.release_slot()
            raise


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

"""RateLimiter: no second holds more than the rate (fake clocks), cancellation, and 50 workers
against a loopback server that counts what it receives."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from email.message import Message
from typing import Any

import anyio
import anyio.lowlevel
import pytest
import trio
import trio.testing
from _json_server import JSONServer

from upwork_gql import UpworkClient
from upwork_gql._constants import RATE_LIMIT_JITTER_MARGIN
from upwork_gql._ratelimit import RateLimiter


def most_in_one_second(times: Sequence[float]) -> int:
    """The largest number of ``times`` inside one half-open window ``[t, t + 1)``."""
    ordered = sorted(times)
    return max((bisect.bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered)), default=0)


def run_fake_time(main: Callable[[], Any]) -> Any:
    """Run ``main`` under trio with a virtual clock that jumps whenever every task sleeps."""
    clock = trio.testing.MockClock(autojump_threshold=0)
    return anyio.run(main, backend="trio", backend_options={"clock": clock})


async def crowd(limiter: RateLimiter, n: int, clock: Callable[[], float]) -> list[float]:
    """``n`` tasks acquire at once; the times (``clock``) at which each got through."""
    granted: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        granted.append(clock())

    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(one)
    return granted


def test_a_fresh_limiter_never_bursts_past_the_rate() -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(10, max_concurrency=None, clock=anyio.current_time)
        start = anyio.current_time()
        return [t - start for t in await crowd(limiter, 30, anyio.current_time)]

    granted = run_fake_time(main)
    assert len(granted) == 30
    assert most_in_one_second(granted) == 10
    assert sum(t < 1.0 for t in granted) == 10  # not 20: no initial bucket on top of the rate
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) == pytest.approx((1 + RATE_LIMIT_JITTER_MARGIN) / 10)


def test_a_late_wake_up_does_not_let_the_next_request_catch_up() -> None:
    # A clock that jumps ahead now and then (a loaded machine waking sleepers late): spacing is
    # measured from the moment a request really got through, so the gaps never shrink.
    rng = random.Random(7)

    async def main() -> list[float]:
        lateness = 0.0

        def jittery() -> float:  # what the limiter reads
            nonlocal lateness
            if rng.random() < 0.3:
                lateness += rng.uniform(0.0, 0.08)
            return anyio.current_time() + lateness

        def peek() -> float:  # what the test reads, without moving the clock
            return anyio.current_time() + lateness

        limiter = RateLimiter(10, max_concurrency=None, clock=jittery)
        return await crowd(limiter, 40, peek)

    granted = run_fake_time(main)
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= (1 + RATE_LIMIT_JITTER_MARGIN) / 10 - 1e-9
    assert most_in_one_second(granted) <= 10


def test_an_explicit_burst_goes_back_to_back_then_paces() -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(10, burst=3, max_concurrency=None, clock=anyio.current_time)
        start = anyio.current_time()
        return [t - start for t in await crowd(limiter, 25, anyio.current_time)]

    granted = run_fake_time(main)
    assert granted[:3] == [0.0, 0.0, 0.0]
    assert granted[3] > 0
    assert most_in_one_second(granted) == 10 + 3 - 1  # the documented bound


def test_fractional_rate_and_the_ceiling_bound() -> None:
    async def main() -> list[float]:
        limiter = RateLimiter(2.5, max_concurrency=None, clock=anyio.current_time)
        return await crowd(limiter, 12, anyio.current_time)

    assert most_in_one_second(run_fake_time(main)) == math.ceil(2.5)


def test_an_idle_limiter_lets_the_next_request_through_at_once() -> None:
    async def main() -> tuple[float, float]:
        limiter = RateLimiter(10, max_concurrency=None, clock=anyio.current_time)
        await limiter.acquire()
        await anyio.sleep(5)  # idle: no credit piles up, but nothing to wait for either
        before = anyio.current_time()
        await limiter.acquire()
        first = anyio.current_time() - before
        await limiter.acquire()
        return first, anyio.current_time() - before

    first, second = run_fake_time(main)
    assert first == 0.0
    assert second == pytest.approx((1 + RATE_LIMIT_JITTER_MARGIN) / 10)


def test_cancelled_waiters_take_nothing() -> None:
    interval = (1 + RATE_LIMIT_JITTER_MARGIN) / 10

    async def main() -> list[tuple[str, float]]:
        limiter = RateLimiter(10, max_concurrency=None, clock=anyio.current_time)
        start = anyio.current_time()
        got: list[tuple[str, float]] = []

        async def one(name: str) -> None:
            await limiter.acquire()
            got.append((name, anyio.current_time() - start))

        await limiter.acquire()  # t=0
        async with anyio.create_task_group() as tg:
            head = anyio.CancelScope()
            queued = anyio.CancelScope()

            async def cancellable(scope: anyio.CancelScope, name: str) -> None:
                with scope:
                    await one(name)

            tg.start_soon(cancellable, head, "head")  # sleeps until t=interval
            await anyio.lowlevel.checkpoint()
            tg.start_soon(cancellable, queued, "queued")  # waits behind the head
            await anyio.lowlevel.checkpoint()
            tg.start_soon(one, "last")
            await anyio.sleep(interval / 2)
            head.cancel()
            queued.cancel()
        return got

    got = run_fake_time(main)
    assert [name for name, _ in got] == ["last"]
    assert got[0][1] == pytest.approx(interval)  # the slot the cancelled head would have had


def test_acquire_request_takes_the_slot_first_and_gives_it_back_on_cancel() -> None:
    async def main() -> tuple[int, int]:
        limiter = RateLimiter(10, max_concurrency=2, clock=anyio.current_time)
        await limiter.acquire_request()
        with anyio.move_on_after(0.01):
            await limiter.acquire_request()  # got the slot, then waits for the pacing
        during = limiter.in_flight
        limiter.release_slot()
        return during, limiter.in_flight

    assert run_fake_time(main) == (1, 0)


def test_validation_and_repr() -> None:
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(ValueError, match="rate"):
            RateLimiter(bad)
    for bad_burst in (0, True, 1.5):
        with pytest.raises(ValueError, match="burst"):
            RateLimiter(10, burst=bad_burst)  # type: ignore[arg-type]
    assert RateLimiter().burst == 1
    assert repr(RateLimiter(5, burst=2)) == "RateLimiter(rate=5, burst=2, max_concurrency=16)"
    assert RateLimiter(None).rate is None


async def test_unlimited_pacing_never_waits() -> None:
    limiter = RateLimiter(None, max_concurrency=None)
    for _ in range(1000):
        await limiter.acquire()


async def test_real_clock_under_asyncio() -> None:
    limiter = RateLimiter(100, max_concurrency=None)
    granted = await crowd(limiter, 20, time.monotonic)
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= (1 + RATE_LIMIT_JITTER_MARGIN) / 100 - 1e-6


# ---------------------------------------------------------------------------------------------
# 50 workers against rate_limit=50, counted by a loopback server


class CountingServer(JSONServer):
    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    def respond(self, path: str, headers: Message, raw: str) -> tuple[int, Any]:
        now = time.monotonic()
        with self._lock:
            self.arrivals.append(now)
        return 200, {"data": {"contract": None}}


@pytest.mark.slow
def test_fifty_workers_never_put_more_than_fifty_requests_in_a_second_at_the_server() -> None:
    duration = 5.0

    async def main(url: str) -> int:
        sent = 0
        async with UpworkClient(url=url, access_token="t", rate_limit=50) as client:
            stop_at = time.monotonic() + duration

            async def worker() -> None:
                nonlocal sent
                while time.monotonic() < stop_at:
                    await client.contract(id="1")
                    sent += 1

            async with anyio.create_task_group() as tg:
                for _ in range(50):
                    tg.start_soon(worker)
        return sent

    with CountingServer() as server:
        sent = anyio.run(main, server.base_url)
        arrivals = list(server.arrivals)
    assert len(arrivals) == sent
    assert most_in_one_second(arrivals) <= 50
    assert sent >= 40 * duration  # and the limiter did not just starve the workers

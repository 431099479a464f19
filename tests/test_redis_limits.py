"""RedisRateLimiter against a real redis-server: shared spacing, daily budget, outages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
from _redis_server import REDIS_SERVER, RedisServer

from upwork_gql import QuotaExceededError, RateLimiter
from upwork_gql._redis import connect
from upwork_gql.limits import Limiter, RedisRateLimiter, redis_rate_limiter_from_url
from upwork_gql.limits import redis as limits_redis

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")

CLIENT_ID = "client-1"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the limiter asked for, recorded instead of slept."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(limits_redis.anyio, "sleep", fake_sleep)
    return recorded


@pytest.fixture
async def limiters(redis_server: RedisServer) -> AsyncIterator[list[RedisRateLimiter]]:
    """Two limiters on one key, as two replicas would have (rate 20/s, quota 5)."""
    redis_server.flush()
    made = [
        redis_rate_limiter_from_url(redis_server.url, CLIENT_ID, rate=20, daily_quota=5)
        for _ in range(2)
    ]
    yield made
    for limiter in made:
        await limiter.aclose()


def test_same_interface_as_the_in_process_limiter() -> None:
    assert isinstance(RateLimiter(), Limiter)
    limiter = RedisRateLimiter(connect("redis://127.0.0.1:1/0"), CLIENT_ID, rate=20)
    assert isinstance(limiter, Limiter)
    assert limiter.rate_key == "upwork-gql:{client-1}:rate"
    assert limiter.quota_key == "upwork-gql:{client-1}:quota"
    assert repr(limiter).startswith("RedisRateLimiter(")


async def test_replicas_share_one_schedule_without_burst(
    redis_server: RedisServer, delays: list[float]
) -> None:
    redis_server.flush()
    a, b = (
        redis_rate_limiter_from_url(redis_server.url, CLIENT_ID, rate=20, daily_quota=None)
        for _ in range(2)
    )
    try:
        start = anyio.current_time()
        for _ in range(5):
            await a.acquire()
            await b.acquire()
        elapsed = anyio.current_time() - start
    finally:
        await a.aclose()
        await b.aclose()
    interval = 1.1 / 20  # 20 requests span 1.1 s: the jitter allowance
    assert len(delays) == 9  # the very first request goes at once
    for k, delay in enumerate(delays, start=1):
        assert k * interval - elapsed - 0.001 <= delay <= k * interval + 0.001


async def test_daily_budget_is_shared_and_refuses_before_sending(
    limiters: list[RedisRateLimiter], delays: list[float]
) -> None:
    a, b = limiters
    assert await a.remaining_daily_budget() == 5
    for limiter in (a, b, a, b, a):
        await limiter.acquire()
    assert await b.remaining_daily_budget() == 0
    for limiter in (a, b):
        with pytest.raises(QuotaExceededError, match=r"daily budget of 5 .*00:00 UTC") as info:
            await limiter.acquire()
        assert 0 < info.value.retry_after <= 86400
        assert info.value.resets_at > 0
    assert len(delays) == 4  # refused requests did not take a rate slot either


async def test_budget_starts_again_on_a_new_utc_day(
    limiters: list[RedisRateLimiter], redis_server: RedisServer, delays: list[float]
) -> None:
    a, _ = limiters
    client = connect(redis_server.url)
    try:
        seconds, _micro = await client.time()
        yesterday = seconds // 86400 - 1
        await client.hset(a.quota_key, mapping={"day": yesterday, "used": 5})
        assert await a.remaining_daily_budget() == 5
        await a.acquire()
        assert await client.hget(a.quota_key, "used") == b"1"
    finally:
        await client.aclose()


async def test_no_limits_means_no_redis_round_trip() -> None:
    limiter = RedisRateLimiter(
        connect("redis://127.0.0.1:1/0"), CLIENT_ID, rate=None, daily_quota=None
    )
    await limiter.acquire()  # would fail to connect if it asked Redis
    assert await limiter.remaining_daily_budget() is None


async def test_concurrency_slots_stay_per_process() -> None:
    limiter = RedisRateLimiter(
        connect("redis://127.0.0.1:1/0"), CLIENT_ID, max_concurrency=2, daily_quota=None
    )
    await limiter.acquire_slot()
    async with limiter.slot():
        assert limiter.in_flight == 2
    limiter.release_slot()
    assert limiter.in_flight == 0


async def test_redis_down_paces_locally_then_uses_redis_again(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = RedisServer()
    now = [0.0]
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:  # the limiter's clock moves while it sleeps
        delays.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(limits_redis.anyio, "sleep", fake_sleep)
    limiter = redis_rate_limiter_from_url(
        server.url, CLIENT_ID, rate=20, daily_quota=1, retry_interval=5, clock=lambda: now[0]
    )
    try:
        with caplog.at_level(logging.WARNING, logger="upwork_gql.limits"):
            for _ in range(3):  # Redis is not running: no error, paced in-process
                await limiter.acquire()
        assert [r.message for r in caplog.records if "unavailable" in r.message] != []
        assert len([r for r in caplog.records if "unavailable" in r.message]) == 1
        assert len(delays) == 2  # the in-process bucket (burst 1) spaced the 2nd and 3rd
        server.start()
        now[0] += 1  # still within the retry interval: Redis is not asked
        await limiter.acquire()
        now[0] += 5
        await limiter.acquire()  # back on Redis: the budget of 1 is counted from here
        with pytest.raises(QuotaExceededError):
            await limiter.acquire()
    finally:
        await limiter.aclose()
        server.close()


async def test_late_waiter_takes_a_new_slot_without_spending_budget(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_server.flush()
    now = [100.0]
    late = [0.2, 0.0]  # the first wake-up comes 0.2 s after its slot (a stalled process)
    slept: list[float] = []

    async def stalled_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds + late.pop(0)

    monkeypatch.setattr(limits_redis.anyio, "sleep", stalled_sleep)
    monkeypatch.setattr(limits_redis.anyio, "current_time", lambda: now[0])
    limiter = redis_rate_limiter_from_url(redis_server.url, CLIENT_ID, rate=20, daily_quota=10)
    try:
        await limiter.acquire()  # slot now
        await limiter.acquire()  # slot +55 ms: woke 200 ms late, so takes another
        assert len(slept) == 2
        assert await limiter.remaining_daily_budget() == 8  # counted once per request
    finally:
        await limiter.aclose()

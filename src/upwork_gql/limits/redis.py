"""A rate limiter shared by every replica through Redis: requests per second and a daily budget.

Upwork counts requests per IP (about 10 per second) and per API key (40,000 per day), not per
process. :class:`RedisRateLimiter` keeps both counts in Redis, decided by one Lua script on the
Redis server's clock (``TIME``), so replicas with drifting clocks still share one budget:

* **Rate**: GCRA ("virtual scheduling") without burst: each request reserves the next slot,
  ``(1 + REDIS_RATE_JITTER_ALLOWANCE) / rate`` seconds after the previous one, and the caller
  sleeps (anyio) until its slot. Nothing is sent in a burst, and the slack per second absorbs
  network and scheduling jitter, so no one-second window at the server holds more than ``rate``
  requests. A caller that wakes up more than half the allowance after its slot (a stalled
  process) takes a new slot rather than bunching up with the requests due next (at most
  ``REDIS_RATE_MAX_RETAKES`` times). A caller cancelled while waiting gives its slot back to
  nobody (errs on sending less).
* **Daily budget**: a counter per API key for the current UTC day; the request that would go
  over it raises :class:`~upwork_gql.QuotaExceededError` before anything is sent. The budget
  resets at 00:00 UTC (Upwork does not document when its own day starts; a calendar day keeps
  the count predictable and visible). Every reserved slot counts, whatever the response.
* **Concurrency** stays per process (``max_concurrency``, like the in-process limiter).
* **Redis down**: requests are paced in this process at ``rate`` (the daily budget cannot be
  counted meanwhile) and Redis is tried again after ``REDIS_RETRY_INTERVAL``; a warning is
  logged once per outage. Calls keep working.

Keys: ``upwork-gql:{client_id}:rate`` (the next free slot, expires when idle) and
``upwork-gql:{client_id}:quota`` (the UTC day and the requests counted in it).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio

from upwork_gql._constants import (
    DEFAULT_DAILY_QUOTA,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_RATE_LIMIT_PER_SECOND,
    REDIS_KEY_PREFIX,
    REDIS_RATE_JITTER_ALLOWANCE,
    REDIS_RATE_MAX_RETAKES,
    REDIS_RETRY_INTERVAL,
)
from upwork_gql._exceptions import ConfigurationError, QuotaExceededError
from upwork_gql._ratelimit import RateLimiter
from upwork_gql._redis import connect, key_prefix, redis_errors, require_asyncio
from upwork_gql._telemetry import register_budget

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from upwork_gql._ratelimit import _Slot

__all__ = ["RedisRateLimiter", "redis_rate_limiter_from_url"]

logger = logging.getLogger("upwork_gql.limits")

# KEYS[1]: rate key (next free slot, microseconds of the server clock); KEYS[2]: quota hash.
# ARGV[1]: interval in microseconds (0: no rate limit); ARGV[2]: daily quota (-1: none);
# ARGV[3]: 1 to count this request against the quota, 0 for a slot retaken by a late waiter.
# Returns {wait_us, seconds_until_utc_midnight, used_today}; wait_us = -1: the budget is spent.
_RESERVE = """
local interval = tonumber(ARGV[1])
local quota = tonumber(ARGV[2])
local t = redis.call('TIME')
local seconds = tonumber(t[1])
local now = seconds * 1000000 + tonumber(t[2])
local day = math.floor(seconds / 86400)
local reset_in = (day + 1) * 86400 - seconds
local used = 0
if quota >= 0 and ARGV[3] == '1' then
  local stored_day = tonumber(redis.call('HGET', KEYS[2], 'day') or '-1')
  if stored_day == day then
    used = tonumber(redis.call('HGET', KEYS[2], 'used') or '0')
  end
  if used >= quota then
    return {-1, reset_in, used}
  end
  used = used + 1
  redis.call('HSET', KEYS[2], 'day', day, 'used', used)
  redis.call('EXPIRE', KEYS[2], reset_in + 86400)
end
local wait = 0
if interval > 0 then
  local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
  if slot < now then
    slot = now
  end
  wait = slot - now
  local ttl_ms = math.ceil((wait + interval) / 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', ttl_ms)
end
return {wait, reset_in, used}
"""

# KEYS[1]: quota hash. Returns {used_today, seconds_until_utc_midnight}.
_USED = """
local t = redis.call('TIME')
local seconds = tonumber(t[1])
local day = math.floor(seconds / 86400)
local used = 0
if tonumber(redis.call('HGET', KEYS[1], 'day') or '-1') == day then
  used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
end
return {used, (day + 1) * 86400 - seconds}
"""


def _describe_reset(reset_in: int) -> str:
    # reset_in comes from the Redis server's clock; the date is today's UTC midnight + 1 day.
    midnight = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=reset_in + 60)
    hours, rest = divmod(reset_in, 3600)
    return f"resets at {midnight:%Y-%m-%d} 00:00 UTC, in {hours}h{rest // 60:02d}m"


class RedisRateLimiter:
    """Requests per second and per day shared through Redis; concurrency capped per process.

    Same interface as :class:`~upwork_gql.RateLimiter` (``acquire``, ``acquire_slot``,
    ``release_slot``, ``slot``), so a client takes either. ``rate=None`` or
    ``daily_quota=None`` disables that limit. asyncio only (redis-py).
    """

    def __init__(
        self,
        redis: Redis,
        client_id: str,
        *,
        rate: float | None = DEFAULT_RATE_LIMIT_PER_SECOND,
        daily_quota: int | None = DEFAULT_DAILY_QUOTA,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        prefix: str = REDIS_KEY_PREFIX,
        jitter_allowance: float = REDIS_RATE_JITTER_ALLOWANCE,
        retry_interval: float = REDIS_RETRY_INTERVAL,
        owns_client: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is not None and not (rate > 0 and math.isfinite(rate)):
            raise ConfigurationError("rate must be a positive number of requests per second")
        if daily_quota is not None and daily_quota < 0:
            raise ConfigurationError("daily_quota must be a number of requests (0 or more)")
        if not jitter_allowance >= 0:
            raise ConfigurationError("jitter_allowance must be 0 or more seconds")
        self._redis = redis
        self.client_id = client_id
        base = key_prefix(client_id, prefix)
        self.rate_key = f"{base}:rate"
        self.quota_key = f"{base}:quota"
        self._rate = rate
        self.daily_quota = daily_quota
        self._interval_us = (
            0 if rate is None else max(1, round((1.0 + jitter_allowance) / rate * 1_000_000))
        )
        # A waiter that wakes up later than this after its slot takes a new one (half the
        # allowance: the other half absorbs the network).
        self._max_lateness = jitter_allowance / 2
        self._retry_interval = retry_interval
        self._owns_client = owns_client
        self._clock = clock
        self._reserve = redis.register_script(_RESERVE)
        self._used = redis.register_script(_USED)
        # Concurrency slots (always), and pacing while Redis is unreachable.
        self._local = RateLimiter(rate, burst=1, max_concurrency=max_concurrency, clock=clock)
        self._down_until: float | None = None
        self._remaining: int | None = None
        register_budget(self)  # the daily budget gauge (OpenTelemetry), while this lives

    @property
    def rate(self) -> float | None:
        """Requests per second across all replicas, or ``None`` when unlimited."""
        return self._rate

    @property
    def last_remaining_daily_budget(self) -> int | None:
        """Requests left today as of this process's last request (no Redis round trip);
        ``None`` without a daily quota or before the first request."""
        return self._remaining

    @property
    def max_concurrency(self) -> int | None:
        """Maximum requests in flight in this process."""
        return self._local.max_concurrency

    @property
    def in_flight(self) -> int:
        """Requests of this process currently holding a concurrency slot."""
        return self._local.in_flight

    def __repr__(self) -> str:
        return (
            f"RedisRateLimiter(key={self.rate_key!r}, rate={self._rate!r}, "
            f"daily_quota={self.daily_quota!r}, max_concurrency={self.max_concurrency!r})"
        )

    async def aclose(self) -> None:
        """Close the Redis connections if this limiter created the client."""
        if self._owns_client:
            await self._redis.aclose()

    # -- rate and budget ---------------------------------------------------------------------

    async def acquire(self) -> None:
        """Wait for this request's slot; :class:`~upwork_gql.QuotaExceededError` when the daily
        budget is spent (nothing may be sent then)."""
        if self._rate is None and self.daily_quota is None:
            return
        if self._down_until is not None and self._clock() < self._down_until:
            await self._local.acquire()
            return
        require_asyncio()
        count = 1  # the first reservation counts against the daily budget, a retaken one not
        for _ in range(REDIS_RATE_MAX_RETAKES + 1):
            wait = await self._take_slot(count)
            if wait is None:
                return
            count = 0
            if wait == 0:
                return
            due = anyio.current_time() + wait
            await anyio.sleep(wait)
            if anyio.current_time() - due <= self._max_lateness:
                return
            # Woke up too late (a stalled process): sent now, this request could bunch up with
            # the ones due next at the server. Take a new slot instead.

    async def _take_slot(self, count: int) -> float | None:
        """Reserve a slot; the seconds to wait for it, or ``None`` when paced locally."""
        quota = -1 if self.daily_quota is None else self.daily_quota
        try:
            reply: Any = await self._reserve(
                keys=[self.rate_key, self.quota_key], args=[self._interval_us, quota, count]
            )
        except redis_errors() as exc:
            if self._down_until is None:
                logger.warning(
                    "shared rate limit unavailable (Redis: %s); pacing this process alone at "
                    "%s requests/second, the daily budget is not counted until Redis is back",
                    type(exc).__name__,
                    self._rate,
                )
            self._down_until = self._clock() + self._retry_interval
            await self._local.acquire()
            return None
        if self._down_until is not None:
            logger.warning("shared rate limit available again (Redis)")
            self._down_until = None
        wait_us, reset_in = int(reply[0]), int(reply[1])
        if count and self.daily_quota is not None:
            self._remaining = max(0, self.daily_quota - int(reply[2]))
        if wait_us < 0:
            raise QuotaExceededError(
                f"the daily budget of {self.daily_quota} requests for this API key is spent; "
                f"it {_describe_reset(reset_in)}; the request was not sent",
                resets_at=time.time() + reset_in,
                retry_after=float(reset_in),
            )
        return wait_us / 1_000_000

    async def remaining_daily_budget(self) -> int | None:
        """Requests left today for this API key (``None`` without a daily quota)."""
        if self.daily_quota is None:
            return None
        require_asyncio()
        reply: Any = await self._used(keys=[self.quota_key])
        self._remaining = max(0, self.daily_quota - int(reply[0]))
        return self._remaining

    # -- concurrency (per process) --------------------------------------------------------------

    def slot(self) -> _Slot:
        """``async with limiter.slot():`` holds one of this process's in-flight slots."""
        return self._local.slot()

    async def acquire_slot(self) -> None:
        """Take an in-flight slot of this process (pair with :meth:`release_slot`)."""
        await self._local.acquire_slot()

    def release_slot(self) -> None:
        """Give back the slot taken by :meth:`acquire_slot`."""
        self._local.release_slot()


def redis_rate_limiter_from_url(
    url: str,
    client_id: str,
    *,
    rate: float | None = DEFAULT_RATE_LIMIT_PER_SECOND,
    daily_quota: int | None = DEFAULT_DAILY_QUOTA,
    **options: Any,
) -> RedisRateLimiter:
    """A :class:`RedisRateLimiter` on its own connection pool to ``url`` (``UPWORK_REDIS_URL``).

    ``rate`` is ``UPWORK_RATE_LIMIT``, ``daily_quota`` ``UPWORK_DAILY_QUOTA``; ``options`` go to
    :class:`RedisRateLimiter`. Close it with :meth:`RedisRateLimiter.aclose`.
    """
    if not url:
        raise ConfigurationError("an empty Redis URL")
    return RedisRateLimiter(
        connect(url), client_id, rate=rate, daily_quota=daily_quota, owns_client=True, **options
    )

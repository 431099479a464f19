"""Rate limiters: the in-process one, and one shared by replicas through Redis.

Both have the interface the client uses (:class:`Limiter`): ``acquire()`` before each request,
``acquire_slot()`` / ``release_slot()`` around it. :class:`RedisRateLimiter` needs the ``redis``
extra (redis-py is imported only when one is created from a URL).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from upwork_gql._ratelimit import RateLimiter
from upwork_gql.limits.redis import RedisRateLimiter, redis_rate_limiter_from_url

__all__ = ["Limiter", "RateLimiter", "RedisRateLimiter", "redis_rate_limiter_from_url"]


@runtime_checkable
class Limiter(Protocol):
    """What the client needs from a rate limiter."""

    async def acquire(self) -> None:
        """Wait until one more request may be sent (or raise: nothing may be sent)."""

    async def acquire_slot(self) -> None:
        """Take an in-flight slot; pair every success with :meth:`release_slot`."""

    def release_slot(self) -> None:
        """Give back an in-flight slot."""

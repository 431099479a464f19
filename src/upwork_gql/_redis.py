"""The Redis connection shared by the Redis token store and the shared rate limiter.

redis-py (the ``redis`` extra) is imported only here and only when a Redis URL is used. Its
asyncio client runs under asyncio only (not trio). Connections have finite timeouts and at most
one quick retry, so an unreachable Redis fails a call fast instead of hanging it. The URL may hold
a password: it is shown only through :func:`redact_url`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from upwork_gql._constants import (
    REDIS_CONNECT_TIMEOUT,
    REDIS_KEY_PREFIX,
    REDIS_SOCKET_TIMEOUT,
)
from upwork_gql._exceptions import ConfigurationError

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["connect", "key_prefix", "redact_url", "redis_errors", "require_asyncio"]


def redact_url(url: str) -> str:
    """``url`` without its password (``redis://user:***@host:port/db``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "redis://***"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, ""))


def connect(url: str) -> Redis:
    """A redis-py asyncio client for ``url`` (``redis://``, ``rediss://`` or ``unix://``)."""
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(
            "a Redis URL needs the redis extra: pip install 'upwork-gql[redis]'"
        ) from None
    try:
        client: Redis = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_SOCKET_TIMEOUT,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 1),
        )
    except ValueError as exc:
        raise ConfigurationError(f"invalid Redis URL {redact_url(url)!r}: {exc}") from None
    return client


def redis_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "Redis did not answer usably" (connection, timeout, server)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def key_prefix(client_id: str, prefix: str = REDIS_KEY_PREFIX) -> str:
    """``upwork-gql:{client_id}``: every key of one credential (one hash slot in a cluster)."""
    if not client_id:
        raise ConfigurationError("a client id is required to namespace the Redis keys")
    return f"{prefix}:{{{client_id}}}"


def require_asyncio() -> None:
    """redis-py's asyncio client cannot run under trio: say so instead of failing obscurely."""
    import sniffio

    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return
    if library != "asyncio":
        raise ConfigurationError(
            f"the Redis token store and rate limiter need asyncio (redis-py's asyncio client), "
            f"not {library}"
        )

"""A token store in Redis, shared by every replica of a service that uses one credential.

Keys (``{client_id}`` is a Redis Cluster hash tag, so one credential's keys share a slot)::

    upwork-gql:{client_id}:token   the token pair, JSON (the python-upwork-oauth2 dict)
    upwork-gql:{client_id}:lock    the refresh lock: a random owner token, with an expiry

One refresh across all replicas:

* :meth:`RedisTokenStore.lock` takes the lock with ``SET NX PX`` (redis-py's ``Lock``: an owner
  token, released only by its owner through a compare-and-delete script). Its expiry
  (``REDIS_TOKEN_LOCK_TTL``) is longer than a token request may take, so a live holder keeps it;
  a holder that died delays the others by the expiry at most.
* A replica that finds the lock taken polls the *stored token*: as soon as another replica wrote a
  new pair it goes on without the lock (the token manager re-reads the store and uses that pair).
* The rotated pair is written by :meth:`RedisTokenStore.save_rotated`, a compare-and-set against
  the refresh token that was redeemed (the fencing value): a replica that lost the lock by expiry
  can never overwrite a newer pair.
* Every Redis failure is a :class:`~upwork_gql.TokenStoreError` naming Redis (never its
  password). The token manager then keeps using a still-valid access token from memory, and never
  uses a refreshed token whose save failed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import anyio

from upwork_gql._constants import (
    REDIS_KEY_PREFIX,
    REDIS_TOKEN_LOCK_TTL,
    REDIS_TOKEN_LOCK_WAIT,
    REDIS_TOKEN_POLL_INTERVAL,
)
from upwork_gql._exceptions import ConfigurationError, OAuthError, TokenStoreError
from upwork_gql._redis import connect, key_prefix, redact_url, redis_errors, require_asyncio
from upwork_gql.auth._token import Token
from upwork_gql.auth.stores import TokenStore

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisTokenStore", "import_token_file", "redis_token_store_from_url"]

logger = logging.getLogger("upwork_gql.auth")

# KEYS[1]: token key. ARGV[1]: the refresh token that was redeemed ("" for none); ARGV[2]: the new
# pair. Writes only when the stored pair still holds that refresh token (or nothing is stored).
_COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
if current then
  local ok, data = pcall(cjson.decode, current)
  local stored = ''
  if ok and type(data) == 'table' and type(data['refresh_token']) == 'string' then
    stored = data['refresh_token']
  end
  if stored ~= ARGV[1] then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""

_UNSET: Any = object()


def _encode(token: Token) -> str:
    return json.dumps(token.to_dict(), sort_keys=True, separators=(",", ":"))


class RedisTokenStore:
    """The token of one credential in Redis, with a cross-replica refresh lock.

    ``redis`` is a ``redis.asyncio.Redis`` client (see :func:`redis_token_store_from_url`). It
    implements :class:`~upwork_gql.auth.LockableTokenStore`, plus :meth:`save_rotated`, which the
    token manager uses for the compare-and-set after a refresh. asyncio only (redis-py).
    """

    def __init__(
        self,
        redis: Redis,
        client_id: str,
        *,
        prefix: str = REDIS_KEY_PREFIX,
        lock_ttl: float = REDIS_TOKEN_LOCK_TTL,
        lock_wait: float = REDIS_TOKEN_LOCK_WAIT,
        poll_interval: float = REDIS_TOKEN_POLL_INTERVAL,
        owns_client: bool = False,
    ) -> None:
        if not lock_ttl > 0 or not lock_wait > 0 or not poll_interval > 0:
            raise ConfigurationError("lock_ttl, lock_wait and poll_interval must be positive")
        self._redis = redis
        self.client_id = client_id
        base = key_prefix(client_id, prefix)
        self.token_key = f"{base}:token"
        self.lock_key = f"{base}:lock"
        self.lock_ttl = float(lock_ttl)
        self.lock_wait = float(lock_wait)
        self.poll_interval = float(poll_interval)
        self._owns_client = owns_client
        self._cas = redis.register_script(_COMPARE_AND_SET)

    @property
    def location(self) -> str:
        """Where the token lives, for messages (``Redis redis://host:port/0``, no password)."""
        pool = getattr(self._redis, "connection_pool", None)
        kwargs: dict[str, Any] = getattr(pool, "connection_kwargs", {}) or {}
        if "path" in kwargs:
            where = f"unix://{kwargs['path']}"
        else:
            where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
        return f"Redis {where}"

    def __repr__(self) -> str:
        return f"RedisTokenStore(key={self.token_key!r}, server={self.location!r})"

    def _error(self, action: str, exc: BaseException) -> TokenStoreError:
        reason = type(exc).__name__
        return TokenStoreError(f"cannot {action} the token in {self.location} ({reason})")

    async def aclose(self) -> None:
        """Close the Redis connections if this store created the client."""
        if self._owns_client:
            await self._redis.aclose()

    # -- TokenStore ------------------------------------------------------------------------------

    async def load(self) -> Token | None:
        require_asyncio()
        try:
            raw = await self._redis.get(self.token_key)
        except redis_errors() as exc:
            raise self._error("read", exc) from None
        if raw is None:
            return None
        try:
            return Token.from_dict(json.loads(raw))
        except (ValueError, OAuthError):
            raise TokenStoreError(f"{self.token_key} in {self.location} is not a token") from None

    async def save(self, token: Token) -> None:
        """Write ``token`` unconditionally (a login or an import)."""
        require_asyncio()
        try:
            await self._redis.set(self.token_key, _encode(token))
        except redis_errors() as exc:
            raise self._error("save", exc) from None

    async def save_rotated(self, token: Token, replaces: Token | None) -> bool:
        """Write ``token`` only if the store still holds ``replaces``'s refresh token (or nothing).

        Returns ``False`` when another replica stored a newer pair meanwhile: ``token`` was not
        written and must not be used.
        """
        require_asyncio()
        redeemed = ""
        if replaces is not None and replaces.refresh_token is not None:
            redeemed = replaces.refresh_token.get_secret_value()
        try:
            written = await self._cas(keys=[self.token_key], args=[redeemed, _encode(token)])
        except redis_errors() as exc:
            raise self._error("save", exc) from None
        return bool(written)

    async def clear(self) -> None:
        require_asyncio()
        try:
            await self._redis.delete(self.token_key)
        except redis_errors() as exc:
            raise self._error("remove", exc) from None

    # -- the refresh lock ------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[bool]:
        """Hold the refresh lock; yields ``True``.

        While another replica holds it, polls the stored token; if a new pair appears, yields
        ``False`` *without* the lock (the caller re-reads the store and uses that pair, or waits
        again). Raises :class:`~upwork_gql.TokenStoreError` after ``lock_wait`` seconds.
        """
        require_asyncio()
        errors = redis_errors()
        lock = self._redis.lock(
            self.lock_key, timeout=self.lock_ttl, thread_local=False, raise_on_release_error=False
        )
        deadline = anyio.current_time() + self.lock_wait
        seen: Any = _UNSET
        while True:
            try:
                if seen is _UNSET:
                    seen = await self._redis.get(self.token_key)
                if await lock.acquire(blocking=False):
                    held = True
                    break
                current = await self._redis.get(self.token_key)
            except errors as exc:
                raise self._error("lock", exc) from None
            if current != seen:
                held = False
                break
            if anyio.current_time() >= deadline:
                raise TokenStoreError(
                    f"timed out after {self.lock_wait:g}s waiting for another replica's token "
                    f"refresh ({self.lock_key} in {self.location})"
                )
            await anyio.sleep(self.poll_interval)
        try:
            yield held
        finally:
            if held:
                with anyio.CancelScope(shield=True):
                    try:
                        await lock.release()
                    except errors as exc:  # it expires on its own
                        logger.warning(
                            "could not release %s (%s); it expires in %gs",
                            self.lock_key,
                            type(exc).__name__,
                            self.lock_ttl,
                        )


def redis_token_store_from_url(url: str, client_id: str, **options: Any) -> RedisTokenStore:
    """A :class:`RedisTokenStore` on its own connection pool to ``url`` (``UPWORK_REDIS_URL``).

    ``options`` go to :class:`RedisTokenStore` (``lock_ttl``, ``lock_wait``, ``poll_interval``,
    ``prefix``). Close it with :meth:`RedisTokenStore.aclose`.
    """
    if not url:
        raise ConfigurationError("an empty Redis URL")
    store = RedisTokenStore(connect(url), client_id, owns_client=True, **options)
    logger.debug("token store: %s (%s)", store.location, redact_url(url))
    return store


def _read_with_mtime(path: Path) -> tuple[str, float]:
    return path.read_text(encoding="utf-8"), path.stat().st_mtime


async def import_token_file(
    source: str | os.PathLike[str] | IO[str],
    store: TokenStore,
    *,
    now: float | None = None,
) -> Token:
    """Load a saved token into ``store`` (under its lock) and return it.

    ``source`` is a path, ``"-"`` for stdin, or an open text file. Accepted: this project's token
    file and ``python-upwork-oauth2``'s (a JSON object with ``access_token``, ``refresh_token``,
    ``token_type`` and ``expires_at`` and/or ``expires_in``). Without ``expires_at``, the lifetime
    counts from the file's modification time (from now for stdin, which makes the access token
    count as expired: the first call refreshes it). Errors never show the file's content.
    """
    name, issued_at = "stdin", None
    try:
        if isinstance(source, str | os.PathLike):
            if os.fspath(source) == "-":
                text = await anyio.to_thread.run_sync(sys.stdin.read)
            else:
                path = Path(source)
                name = str(path)
                text, issued_at = await anyio.to_thread.run_sync(_read_with_mtime, path)
        else:
            name = getattr(source, "name", "the input")
            text = await anyio.to_thread.run_sync(source.read)
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenStoreError(f"cannot read the token file {name} ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise TokenStoreError(f"{name} is not JSON") from None
    if not isinstance(data, dict):
        raise TokenStoreError(f"{name} does not hold a token object")
    now = time.time() if now is None else now
    if data.get("expires_at") in (None, "") and data.get("expires_in") not in (None, ""):
        if issued_at is None:
            data = {**data, "expires_at": now}
        else:
            try:
                data = {**data, "expires_at": issued_at + float(data["expires_in"])}
            except (TypeError, ValueError):
                raise TokenStoreError(f"{name}: expires_in is not a number") from None
    try:
        token = Token.from_dict(data, now=now)
    except OAuthError as exc:
        raise TokenStoreError(f"{name} is not a usable token: {exc}") from None
    lock = getattr(store, "lock", None)
    cm: contextlib.AbstractAsyncContextManager[Any] = (
        lock() if callable(lock) else contextlib.nullcontext()
    )
    async with cm:
        await store.save(token)
    return token

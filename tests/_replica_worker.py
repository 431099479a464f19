"""One replica for the multi-process tests: coroutines calling an API through Redis.

Started by :func:`serve` in a child process (``multiprocessing``, forkserver: the imports are
done once, so starting a replica costs milliseconds). Configuration is the child's environment:
``UPWORK_REDIS_URL``, ``UPWORK_CLIENT_ID``, ``UPWORK_CLIENT_SECRET``, ``UPWORK_TOKEN_URL``,
``UPWORK_API_URL``, ``UPWORK_RATE_LIMIT`` and ``UPWORK_DAILY_QUOTA`` ("none": no limit), plus

- ``WORKER_COROUTINES`` (default 50), ``WORKER_CALLS`` per coroutine (default 1),
  ``WORKER_MAX_CALLS`` per process per round (default: no cap);
- ``WORKER_AUTH``: ``manager`` (a TokenManager on the Redis store, new for every round unless
  ``WORKER_FRESH_MANAGER=0``) or ``static`` (``Bearer static``); ``WORKER_LIMITER``: ``redis`` or
  ``none``;
- ``WORKER_LOCK_TTL`` and ``WORKER_DEADLINE`` (seconds): the refresh lock's expiry and the token
  request deadline; ``WORKER_HANG_ON_SAVE=1``: after redeeming the refresh token, send
  ``saving`` and hang instead of saving (the test kills it there).

Protocol on the pipe: sends ``"ready"``; then for every ``"go"`` received runs one round and sends
``{"ok", "failed", "quota_exceeded", "errors", "refreshes"}``; exits on anything else or EOF.
"""

from __future__ import annotations

import os
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any, cast

import anyio
import httpx

from upwork_gql import QuotaExceededError
from upwork_gql._redis import connect
from upwork_gql.auth import Token, TokenManager
from upwork_gql.auth.redis_store import RedisTokenStore, redis_token_store_from_url
from upwork_gql.limits import redis_rate_limiter_from_url

QUERY = {"query": "query { __typename }"}


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "") or default


_channel: Connection | None = None


def tell(message: object) -> None:
    assert _channel is not None
    _channel.send(message)


class HangingStore(RedisTokenStore):
    async def save_rotated(self, token: Token, replaces: Token | None) -> bool:
        tell("saving")
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


def make_store() -> RedisTokenStore:
    options: dict[str, Any] = {"poll_interval": 0.02}
    if ttl := os.environ.get("WORKER_LOCK_TTL"):
        options["lock_ttl"] = float(ttl)
        options["lock_wait"] = float(ttl) * 10
    url, client_id = os.environ["UPWORK_REDIS_URL"], os.environ["UPWORK_CLIENT_ID"]
    if os.environ.get("WORKER_HANG_ON_SAVE") == "1":
        return HangingStore(connect(url), client_id, owns_client=True, **options)
    return redis_token_store_from_url(url, client_id, **options)


def optional_number(name: str, default: str) -> float | None:
    value = setting(name, default)
    return None if value == "none" else float(value)


def make_manager(http: httpx.AsyncClient) -> TokenManager:
    return TokenManager(
        os.environ["UPWORK_CLIENT_ID"],
        os.environ["UPWORK_CLIENT_SECRET"],
        token_url=os.environ["UPWORK_TOKEN_URL"],
        store=make_store(),
        http_client=http,
        deadline=float(setting("WORKER_DEADLINE", "30")),
    )


async def run_round(
    http: httpx.AsyncClient, limiter: Any, manager: TokenManager | None
) -> dict[str, Any]:
    api_url = os.environ["UPWORK_API_URL"]
    auth: httpx.Auth | None = manager
    headers = {} if auth is not None else {"Authorization": "Bearer static"}
    refreshes_before = manager.refreshes if manager is not None else 0
    coroutines = int(setting("WORKER_COROUTINES", "50"))
    calls = int(setting("WORKER_CALLS", "1"))
    budget = [int(setting("WORKER_MAX_CALLS", str(coroutines * calls)))]
    outcome: Counter[str] = Counter()
    errors: Counter[str] = Counter()

    async def one_call() -> None:
        if limiter is not None:
            await limiter.acquire()
            await limiter.acquire_slot()
        try:
            if auth is None:
                response = await http.post(api_url, json=QUERY, headers=headers)
            else:
                response = await http.post(api_url, json=QUERY, auth=auth)
        finally:
            if limiter is not None:
                limiter.release_slot()
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"HTTP {response.status_code}")

    async def coroutine() -> None:
        for _ in range(calls):
            if budget[0] <= 0:
                return
            budget[0] -= 1
            try:
                await one_call()
            except QuotaExceededError:
                outcome["quota_exceeded"] += 1
            except Exception as exc:
                outcome["failed"] += 1
                errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
            else:
                outcome["ok"] += 1

    async with anyio.create_task_group() as tg:
        for _ in range(coroutines):
            tg.start_soon(coroutine)
    return {
        "ok": outcome["ok"],
        "failed": outcome["failed"],
        "quota_exceeded": outcome["quota_exceeded"],
        "errors": dict(errors),
        "refreshes": (manager.refreshes if manager is not None else 0) - refreshes_before,
    }


async def main() -> None:
    limiter = None
    if setting("WORKER_LIMITER", "redis") == "redis":
        quota = optional_number("UPWORK_DAILY_QUOTA", "40000")
        limiter = redis_rate_limiter_from_url(
            os.environ["UPWORK_REDIS_URL"],
            os.environ["UPWORK_CLIENT_ID"],
            rate=optional_number("UPWORK_RATE_LIMIT", "10"),
            daily_quota=None if quota is None else int(quota),
            max_concurrency=None,
        )
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        use_manager = setting("WORKER_AUTH", "manager") == "manager"
        fresh = setting("WORKER_FRESH_MANAGER", "1") == "1"
        manager = make_manager(http) if use_manager and not fresh else None
        tell("ready")
        while True:
            try:
                command = await anyio.to_thread.run_sync(_receive)
            except EOFError:
                break
            if command != "go":
                break
            if use_manager and fresh:  # a new manager: it starts from the store
                if manager is not None:
                    await cast(RedisTokenStore, manager.store).aclose()
                manager = make_manager(http)
            tell(await run_round(http, limiter, manager))
        if manager is not None:
            await cast(RedisTokenStore, manager.store).aclose()
    if limiter is not None:
        await limiter.aclose()


def _receive() -> object:
    assert _channel is not None
    return _channel.recv()


def serve(channel: Connection, env: dict[str, str]) -> None:
    """The child process: ``env`` replaces the environment, ``channel`` talks to the test."""
    global _channel
    _channel = channel
    os.environ.clear()
    os.environ.update(env)
    anyio.run(main)

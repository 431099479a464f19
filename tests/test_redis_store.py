"""RedisTokenStore against a real redis-server: keys, compare-and-set, the lock, outages, import."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _redis_server import REDIS_SERVER, RedisServer

from upwork_gql import ConfigurationError, TokenStoreError
from upwork_gql._redis import connect, redact_url
from upwork_gql.auth import Token, TokenManager
from upwork_gql.auth.redis_store import (
    RedisTokenStore,
    import_token_file,
    redis_token_store_from_url,
)

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")

CLIENT_ID = "client-1"


def pair(n: int, *, expires_in: float = 3600.0, now: float | None = None) -> Token:
    return Token.from_dict(
        {"access_token": f"access-{n}", "refresh_token": f"refresh-{n}", "expires_in": expires_in},
        now=time.time() if now is None else now,
    )


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[RedisTokenStore]:
    redis_server.flush()
    store = redis_token_store_from_url(
        redis_server.url, CLIENT_ID, lock_ttl=0.5, lock_wait=2.0, poll_interval=0.01
    )
    yield store
    await store.aclose()


async def raw_get(url: str, key: str) -> bytes | None:
    client = connect(url)
    try:
        value: bytes | None = await client.get(key)
        return value
    finally:
        await client.aclose()


async def test_round_trip_under_namespaced_keys(
    store: RedisTokenStore, redis_server: RedisServer
) -> None:
    assert await store.load() is None
    token = pair(1)
    await store.save(token)
    assert store.token_key == "upwork-gql:{client-1}:token"
    assert store.lock_key == "upwork-gql:{client-1}:lock"
    raw = await raw_get(redis_server.url, "upwork-gql:{client-1}:token")
    assert raw is not None
    assert json.loads(raw)["refresh_token"] == "refresh-1"
    loaded = await store.load()
    assert loaded is not None
    assert loaded.to_dict() == token.to_dict()
    await store.clear()
    assert await store.load() is None


async def test_repr_names_the_server_not_the_secrets(store: RedisTokenStore) -> None:
    await store.save(pair(1))
    text = repr(store)
    assert "Redis 127.0.0.1:" in text
    assert "access-1" not in text
    assert "refresh-1" not in text


async def test_compare_and_set_is_fenced_by_the_redeemed_refresh_token(
    store: RedisTokenStore,
) -> None:
    assert await store.save_rotated(pair(1), replaces=None)  # nothing stored: written
    assert await store.save_rotated(pair(2), replaces=pair(1))  # redeemed refresh-1: written
    # A replica that redeemed refresh-1 late (its lock expired) cannot overwrite pair 2.
    assert not await store.save_rotated(pair(3), replaces=pair(1))
    loaded = await store.load()
    assert loaded is not None
    assert loaded.access == "access-2"


async def test_lock_excludes_others_and_only_its_owner_releases_it(
    store: RedisTokenStore, redis_server: RedisServer
) -> None:
    other = RedisTokenStore(connect(redis_server.url), CLIENT_ID, lock_ttl=5, lock_wait=0.2)
    try:
        async with store.lock() as held:
            assert held is True
            with pytest.raises(TokenStoreError, match="waiting for another replica"):
                async with other.lock():
                    pass  # pragma: no cover
        # Released: the other store takes it at once.
        async with other.lock() as held:
            assert held is True
    finally:
        await other.aclose()
        await other._redis.aclose()


async def test_expired_lock_is_taken_over_and_not_released_by_the_old_owner(
    store: RedisTokenStore, redis_server: RedisServer
) -> None:
    other = RedisTokenStore(connect(redis_server.url), CLIENT_ID, lock_ttl=5, lock_wait=2)
    client = connect(redis_server.url)
    try:
        first = store.lock()  # lock_ttl 0.5 s: expires while its owner still runs
        assert await first.__aenter__() is True
        second = other.lock()
        assert await second.__aenter__() is True  # waited for the expiry, then took it
        owner = await client.get(store.lock_key)
        assert owner is not None
        await first.__aexit__(None, None, None)  # the old owner's late release: refused
        assert await client.get(store.lock_key) == owner
        await second.__aexit__(None, None, None)
        assert await client.get(store.lock_key) is None
    finally:
        await client.aclose()
        await other._redis.aclose()


async def test_waiter_goes_on_without_the_lock_when_a_new_token_is_stored(
    redis_server: RedisServer,
) -> None:
    redis_server.flush()
    holder = redis_token_store_from_url(redis_server.url, CLIENT_ID, lock_ttl=30)
    waiter = redis_token_store_from_url(
        redis_server.url, CLIENT_ID, lock_ttl=30, lock_wait=5, poll_interval=0.01
    )
    await holder.save(pair(1))
    polling = anyio.Event()
    reads = 0
    original_get = waiter._redis.get

    async def counting_get(*args: Any) -> Any:
        nonlocal reads
        reads += 1
        if reads == 2:  # the first read, a refused lock, the second read: it is waiting
            polling.set()
        return await original_get(*args)

    waiter._redis.get = counting_get  # type: ignore[method-assign]
    entered: list[bool | None] = []
    try:
        async with holder.lock() as held, anyio.create_task_group() as tg:
            assert held is True

            async def wait() -> None:
                async with waiter.lock() as held:
                    entered.append(held)

            tg.start_soon(wait)
            with anyio.fail_after(5):
                await polling.wait()
            assert entered == []
            await holder.save(pair(2))  # the holder saves; the lock is still held
        assert entered == [False]
        assert reads < 100  # it went on as soon as the new pair appeared
    finally:
        await holder.aclose()
        await waiter.aclose()


async def test_unreachable_redis_is_a_token_store_error_naming_redis() -> None:
    server = RedisServer()  # never started: the port refuses connections
    url = f"redis://:s3cr3t-password@127.0.0.1:{server.port}/0"
    store = redis_token_store_from_url(url, CLIENT_ID)
    try:
        for action in (store.load(), store.save(pair(1)), store.clear()):
            with pytest.raises(TokenStoreError, match=r"Redis 127\.0\.0\.1") as info:
                await action
            assert "s3cr3t" not in str(info.value)
        with pytest.raises(TokenStoreError, match="cannot lock"):
            async with store.lock():
                pass  # pragma: no cover
    finally:
        await store.aclose()
        server.close()
    assert redact_url(url) == f"redis://:***@127.0.0.1:{server.port}/0"


def test_trio_is_refused_clearly(redis_server: RedisServer) -> None:
    async def main() -> None:
        store = redis_token_store_from_url(redis_server.url, CLIENT_ID)
        await store.load()

    with pytest.raises(ConfigurationError, match="asyncio"):
        anyio.run(main, backend="trio")


# -- the token manager on the Redis store -----------------------------------------------------


class TokenEndpoint:
    """A token endpoint (httpx MockTransport) that rotates and may run a hook first."""

    def __init__(self) -> None:
        self.grants: list[str] = []
        self.before_answer: Any = None
        self.counter = 10

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        self.grants.append(form["refresh_token"])
        if self.before_answer is not None:
            await self.before_answer()
        self.counter += 1
        n = self.counter
        body = {"access_token": f"access-{n}", "refresh_token": f"refresh-{n}", "expires_in": 3600}
        return httpx.Response(200, json=body)


@pytest.fixture
async def endpoint() -> AsyncIterator[tuple[TokenEndpoint, httpx.AsyncClient]]:
    handler = TokenEndpoint()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        yield handler, http


async def test_managers_sharing_redis_refresh_once(
    store: RedisTokenStore,
    redis_server: RedisServer,
    endpoint: tuple[TokenEndpoint, httpx.AsyncClient],
) -> None:
    handler, http = endpoint
    await store.save(pair(1, expires_in=-10))  # expired access token
    stores = [store] + [
        redis_token_store_from_url(redis_server.url, CLIENT_ID, poll_interval=0.01)
        for _ in range(3)
    ]
    managers = [TokenManager(CLIENT_ID, "secret", store=s, http_client=http) for s in stores]
    results: list[str] = []
    try:
        async with anyio.create_task_group() as tg:
            for manager in managers:
                for _ in range(20):

                    async def call(m: TokenManager = manager) -> None:
                        results.append(await m.get_access_token())

                    tg.start_soon(call)
    finally:
        for s in stores[1:]:
            await s.aclose()
    assert handler.grants == ["refresh-1"]
    assert results == ["access-11"] * 80
    stored = await store.load()
    assert stored is not None
    assert stored.access == "access-11"


async def test_refresh_that_lost_the_race_uses_the_newer_stored_pair(
    store: RedisTokenStore, endpoint: tuple[TokenEndpoint, httpx.AsyncClient]
) -> None:
    handler, http = endpoint
    await store.save(pair(1, expires_in=-10))

    async def another_replica_wins() -> None:
        # Another replica (which took the lock after ours expired) stored its rotation first.
        await store.save_rotated(pair(2), replaces=pair(1))

    handler.before_answer = another_replica_wins
    manager = TokenManager(CLIENT_ID, "secret", store=store, http_client=http)
    token = await manager.get_token()
    assert token.access == "access-2"  # the stored pair, not our unsaved access-11
    stored = await store.load()
    assert stored is not None
    assert stored.access == "access-2"
    assert manager.refreshes == 0


async def test_redis_down_valid_token_keeps_working_refresh_fails_and_unsaved_token_unused(
    endpoint: tuple[TokenEndpoint, httpx.AsyncClient],
) -> None:
    handler, http = endpoint
    server = RedisServer()
    server.start()
    store = redis_token_store_from_url(server.url, CLIENT_ID)
    now = [1_000_000.0]
    try:
        await store.save(pair(1, expires_in=3600, now=now[0]))
        manager = TokenManager(
            CLIENT_ID, "secret", store=store, http_client=http, clock=lambda: now[0]
        )
        assert (await manager.get_token()).access == "access-1"
        server.stop()
        # Valid access token in memory: keeps working, even inside the refresh leeway.
        assert (await manager.get_token()).access == "access-1"
        now[0] += 3600 - 60
        assert (await manager.get_token()).access == "access-1"
        # Expired: a refresh is needed and cannot be coordinated or saved.
        now[0] += 120
        with pytest.raises(TokenStoreError, match="Redis"):
            await manager.get_token()
        assert handler.grants == []  # nothing redeemed without the store
        # Redis dies between the lock and the save: the rotated pair is not used.
        server.start()
        handler.before_answer = lambda: anyio.to_thread.run_sync(server.stop)
        with pytest.raises(TokenStoreError, match="Redis"):
            await manager.get_token()
        assert handler.grants == ["refresh-1"]
        assert manager.token is not None
        assert manager.token.access == "access-1"
    finally:
        await store.aclose()
        server.close()


# -- import ------------------------------------------------------------------------------------


async def test_import_python_upwork_oauth2_file(store: RedisTokenStore, tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    data = {"access_token": "a", "refresh_token": "r", "token_type": "Bearer", "expires_in": 86400}
    path.write_text(json.dumps(data))
    os.utime(path, (1_700_000_000, 1_700_000_000))
    token = await import_token_file(path, store)
    assert token.expires_at == 1_700_000_000 + 86400  # counted from the file's mtime
    loaded = await store.load()
    assert loaded is not None
    assert loaded.to_dict() == token.to_dict()


async def test_import_own_token_file_and_stream(store: RedisTokenStore) -> None:
    own = pair(5).to_dict()
    token = await import_token_file(io.StringIO(json.dumps(own)), store, now=1.0)
    assert token.to_dict() == own


async def test_import_rejects_garbage_without_echoing_it(
    store: RedisTokenStore, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text("not json secret-value")
    with pytest.raises(TokenStoreError, match="not JSON") as info:
        await import_token_file(path, store)
    assert "secret-value" not in str(info.value)
    path.write_text(json.dumps({"refresh_token": "secret-value"}))
    with pytest.raises(TokenStoreError, match="not a usable token") as info:
        await import_token_file(path, store)
    assert "secret-value" not in str(info.value)
    assert await store.load() is None


def test_cli_import_into_redis(redis_server: RedisServer, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from upwork_gql.cli._auth_import import register

    redis_server.flush()
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group, as `upwork-gql auth` is
    register(app)
    path = tmp_path / "token.json"
    path.write_text(json.dumps(pair(7).to_dict()))
    env = {"UPWORK_REDIS_URL": redis_server.url, "UPWORK_CLIENT_ID": CLIENT_ID}
    result = CliRunner().invoke(app, ["import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "imported into Redis 127.0.0.1" in result.output
    assert "upwork-gql:{client-1}:token" in result.output
    assert "access-7" not in result.output
    assert "refresh-7" not in result.output
    stored = anyio.run(raw_get, redis_server.url, "upwork-gql:{client-1}:token")
    assert stored is not None
    assert json.loads(stored)["refresh_token"] == "refresh-7"
    missing = CliRunner().invoke(app, ["import", str(tmp_path / "nope.json")], env=env)
    assert missing.exit_code == 1
    assert "cannot read the token file" in missing.output

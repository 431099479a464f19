"""Login, expiry and refresh-token rotation through the public client over real loopback HTTP.

The sandbox and the token manager share a fake clock, so "an hour later" is one assignment and
nothing waits on wall time (one test also crosses a real one-second expiry).
"""

from __future__ import annotations

import json
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _live_sandbox import CounterDelta, without_faults

from upwork_gql import (
    FileTokenStore,
    ReauthenticationRequired,
    Token,
    TokenEndpointError,
    TokenManager,
    UpworkClient,
)
from upwork_gql.auth.login import http_consent, run_login
from upwork_gql.sandbox import RunningSandbox, SandboxConfig, serve_in_thread
from upwork_gql.types import Pagination

ACCESS_TTL = 60.0
REFRESH_GRACE = 30.0


class FakeClock:
    """Seconds since the epoch, moved by hand; read by the sandbox thread and the client."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def auth_server(clock: FakeClock) -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        jobs=50, access_token_ttl=ACCESS_TTL, refresh_grace=REFRESH_GRACE, clock=clock
    )
    with serve_in_thread(config) as running:
        yield running


@pytest.fixture
def sandbox(auth_server: RunningSandbox) -> Iterator[RunningSandbox]:
    yield from without_faults(auth_server)


async def new_login(sandbox: RunningSandbox, clock: FakeClock, path: Path) -> FileTokenStore:
    issued = sandbox.state.issue_tokens()
    token = Token.from_dict(issued.as_response(), now=clock()).with_grant_type("authorization_code")
    store = FileTokenStore(path)
    await store.save(token)
    return store


def manager_for(
    sandbox: RunningSandbox, clock: FakeClock, store: FileTokenStore, **kwargs: Any
) -> TokenManager:
    return TokenManager(
        sandbox.client_id,
        sandbox.client_secret,
        token_url=sandbox.token_url,
        store=store,
        clock=clock,
        retry_base_delay=0.01,
        retry_max_delay=0.05,
        **kwargs,
    )


def client_for(sandbox: RunningSandbox, manager: TokenManager) -> UpworkClient:
    return UpworkClient(
        url=sandbox.graphql_url,
        auth=manager,
        rate_limit=None,
        max_concurrency=None,
        timeout=10.0,
        retry_initial_delay=0.01,
        retry_max_delay=0.05,
    )


def saved(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


def refresh_record(sandbox: RunningSandbox, refresh_token: str) -> Any:
    return sandbox.state.tokens.refresh[refresh_token]


async def first_room_count(client: UpworkClient) -> int:
    result = await client.room_list(pagination=Pagination(first=1))
    return result.room_list.total_count


# ---------------------------------------------------------------------------------------------
# Expiry and rotation


async def test_calls_across_expiry_rotate_and_save_the_refresh_token(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    counts = CounterDelta(sandbox)
    seen_refresh = [saved(path)["refresh_token"]]
    async with manager_for(sandbox, clock, store) as manager:
        client = client_for(sandbox, manager)
        assert await first_room_count(client) == 64
        assert counts["token_requests"] == 0  # the saved token is still good
        for rotation in range(1, 4):
            clock.advance(ACCESS_TTL + 1)  # the access token is now expired
            for _ in range(3):
                assert await first_room_count(client) == 64
            assert counts["refreshes"] == rotation  # once per expiry, not once per call
            on_disk = saved(path)
            old, new = seen_refresh[-1], on_disk["refresh_token"]
            assert new != old  # the rotated refresh token was saved...
            assert on_disk["access_token"] == manager.token.access  # type: ignore[union-attr]
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert refresh_record(sandbox, old).rotated
            assert refresh_record(sandbox, new).uses == 0  # ...and is the live one
            seen_refresh.append(new)
        await client.aclose()
    assert counts["unauthorized"] == 0  # refreshed before expiry, never after a 401
    assert counts["token_requests"] == 3
    # No refresh token was ever sent twice.
    assert [refresh_record(sandbox, r).uses for r in seen_refresh] == [1, 1, 1, 0]
    assert manager.refreshes == 3


async def test_concurrent_calls_across_expiry_refresh_once(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    async with manager_for(sandbox, clock, store) as manager:
        client = client_for(sandbox, manager)
        assert await first_room_count(client) == 64
        clock.advance(ACCESS_TTL + 1)
        counts = CounterDelta(sandbox)
        results: list[int] = []

        async def call() -> None:
            results.append(await first_room_count(client))

        async with anyio.create_task_group() as tg:
            for _ in range(60):
                tg.start_soon(call)
        await client.aclose()
    assert results == [64] * 60
    assert counts["token_requests"] == 1
    assert counts["refreshes"] == 1
    assert counts["unauthorized"] == 0
    assert counts["graphql_requests"] == 60


async def test_token_rejected_by_the_api_refreshes_once_and_retries(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    async with manager_for(sandbox, clock, store) as manager:
        client = client_for(sandbox, manager)
        assert await first_room_count(client) == 64
        before = saved(path)["refresh_token"]
        # The server revokes every access token the client still believes valid.
        async with httpx.AsyncClient() as http:
            expired = await http.post(sandbox.url + "/_sandbox/expire-tokens")
        assert expired.json()["expired"] >= 1
        counts = CounterDelta(sandbox)
        raw = await client.with_raw_response(client.room_list, pagination=Pagination(first=1))
        await client.aclose()
    assert raw.parsed.room_list.total_count == 64
    assert raw.retries_taken == 0  # the auth flow replayed it, not the retry loop
    assert counts["unauthorized"] == 1
    assert counts["refreshes"] == 1
    assert counts["graphql_requests"] == 2
    assert saved(path)["refresh_token"] != before


async def test_a_dead_refresh_token_requires_login_and_leaves_the_store_alone(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    stale_path = tmp_path / "stale-copy.json"
    stale_path.write_bytes(path.read_bytes())  # e.g. a backup restored, or a second machine
    stale_path.chmod(0o600)
    stale_bytes = stale_path.read_bytes()
    old_refresh = saved(path)["refresh_token"]

    async with manager_for(sandbox, clock, store) as manager:
        client = client_for(sandbox, manager)
        clock.advance(ACCESS_TTL + 1)
        assert await first_room_count(client) == 64  # rotates: the copy's token is cut short
        await client.aclose()
    assert saved(path)["refresh_token"] != old_refresh
    clock.advance(REFRESH_GRACE + 1)  # the rotated-away refresh token is now dead

    counts = CounterDelta(sandbox)
    async with manager_for(sandbox, clock, FileTokenStore(stale_path)) as stale:
        client = client_for(sandbox, stale)
        for _ in range(2):  # fails the same way every time, without a loop
            with pytest.raises(ReauthenticationRequired) as caught:
                await first_room_count(client)
        await client.aclose()
    assert stale_path.read_bytes() == stale_bytes  # byte for byte
    assert counts["token_requests"] == 2  # one per call: invalid_grant is not retried
    assert counts["token_errors"] == 2
    assert counts["graphql_requests"] == 0
    message = str(caught.value) + repr(caught.value)
    assert "upwork-gql auth login" in message
    assert old_refresh not in message
    assert sandbox.client_secret not in message

    # The live login is unaffected.
    async with manager_for(sandbox, clock, FileTokenStore(path)) as manager:
        client = client_for(sandbox, manager)
        assert await first_room_count(client) == 64
        await client.aclose()


# ---------------------------------------------------------------------------------------------
# Token endpoint faults


async def test_token_endpoint_faults_are_retried(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    old_refresh = saved(path)["refresh_token"]
    async with manager_for(sandbox, clock, store, max_retries=4) as manager:
        client = client_for(sandbox, manager)
        clock.advance(ACCESS_TTL + 1)
        sandbox.push_faults(
            {
                "token": [
                    {"status": 503},
                    {"status": 502, "html": True},
                    {"status": 429, "retry_after": 0},
                    {"drop": True},
                ]
            }
        )
        counts = CounterDelta(sandbox)
        assert await first_room_count(client) == 64
        await client.aclose()
    assert counts["token_requests"] == 5
    assert counts["refreshes"] == 1
    assert refresh_record(sandbox, old_refresh).uses == 1
    assert saved(path)["refresh_token"] != old_refresh


async def test_token_endpoint_down_fails_loudly_and_keeps_the_login(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    before = path.read_bytes()
    async with manager_for(sandbox, clock, store, max_retries=2) as manager:
        client = client_for(sandbox, manager)
        clock.advance(ACCESS_TTL + 1)
        sandbox.push_faults({"token": [{"status": 500, "times": 3}]})
        counts = CounterDelta(sandbox)
        with pytest.raises(TokenEndpointError) as caught:
            await first_room_count(client)
        assert caught.value.status_code == 500
        assert counts["token_requests"] == 3
        assert counts["graphql_requests"] == 0
        assert path.read_bytes() == before
        # Once the endpoint is back, the same (never rotated) login refreshes normally.
        assert await first_room_count(client) == 64
        await client.aclose()
    assert counts["refreshes"] == 1
    assert saved(path)["refresh_token"] != json.loads(before)["refresh_token"]


async def test_a_lost_rotation_response_is_recovered_within_the_grace_period(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    # The server rotated the pair but the answer never arrived: the client retries with the
    # refresh token it has, which Upwork keeps alive for a grace period, and saves the newest.
    path = tmp_path / "token.json"
    store = await new_login(sandbox, clock, path)
    old_refresh = saved(path)["refresh_token"]
    async with manager_for(sandbox, clock, store) as manager:
        client = client_for(sandbox, manager)
        clock.advance(ACCESS_TTL + 1)
        sandbox.push_faults({"token": [{"drop": True, "after": True}]})
        counts = CounterDelta(sandbox)
        assert await first_room_count(client) == 64
        await client.aclose()
    assert counts["token_requests"] == 2
    assert counts["refreshes"] == 2  # the lost one and the retry
    newest = saved(path)["refresh_token"]
    assert newest != old_refresh
    assert refresh_record(sandbox, newest).uses == 0


# ---------------------------------------------------------------------------------------------
# Login, then the environment a user would export


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_login_then_client_from_env(
    sandbox: RunningSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    token_file = tmp_path / "login" / "token.json"
    redirect_uri = f"http://127.0.0.1:{_free_port()}/callback"
    environ = {**sandbox.env(redirect_uri), "UPWORK_TOKEN_FILE": str(token_file)}
    counts = CounterDelta(sandbox)
    messages: list[str] = []
    async with TokenManager.from_env(environ=environ, clock=clock) as manager:
        token = await run_login(
            manager, consent=http_consent, open_browser=False, echo=messages.append
        )
    assert token.refresh_token is not None
    assert counts["token.authorization_code"] == 1
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert saved(token_file)["access_token"] == token.access
    assert not any(token.access in m for m in messages)

    async with UpworkClient.from_env(environ=environ, rate_limit=None) as client:
        rooms = [room.id async for room in client.paginate_room_list(page_size=50)]
    assert len(rooms) == 64
    assert counts["token_requests"] == 1  # the saved login was used as is


# ---------------------------------------------------------------------------------------------
# A real one-second access token (wall clock, no fakes)


def test_real_short_lived_tokens_are_refreshed_proactively(tmp_path: Path) -> None:
    async def main(sandbox: RunningSandbox) -> tuple[int, int, list[int]]:
        path = tmp_path / "token.json"
        issued = sandbox.state.issue_tokens()
        store = FileTokenStore(path)
        await store.save(Token.from_dict(issued.as_response()))
        manager = TokenManager(
            sandbox.client_id,
            sandbox.client_secret,
            token_url=sandbox.token_url,
            store=store,
            retry_base_delay=0.01,
        )
        counts: list[int] = []
        async with manager, client_for(sandbox, manager) as client:
            deadline = time.monotonic() + 15
            while manager.refreshes < 2 and time.monotonic() < deadline:
                counts.append(await first_room_count(client))
                await anyio.sleep(0.05)
        return manager.refreshes, sandbox.state.refreshes, counts

    config = SandboxConfig(jobs=10, access_token_ttl=1.0, refresh_grace=0.0)
    with serve_in_thread(config) as sandbox:
        client_refreshes, server_refreshes, counts = anyio.run(main, sandbox)
        uses = [r.uses for r in sandbox.state.tokens.refresh.values()]
    assert client_refreshes == server_refreshes == 2
    assert counts
    assert set(counts) == {64}
    # Old refresh tokens die at once here (no grace): none was ever sent twice.
    assert sorted(uses) == [0, 1, 1]

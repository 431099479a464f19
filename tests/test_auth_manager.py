"""TokenManager: single flight, rotation, reactive refresh, retries, invalid_grant, secrecy."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio
import httpx
import pytest

from upwork_gql._exceptions import (
    ConfigurationError,
    ReauthenticationRequired,
    TokenEndpointError,
    TokenStoreError,
)
from upwork_gql.auth import FileTokenStore, MemoryTokenStore, Token, TokenManager

TOKEN_URL = "https://auth.test/api/v3/oauth2/token"
API_URL = "https://api.test/graphql"
CLIENT_SECRET = "client-SECRET-zzz"


class FakeUpwork:
    """Token endpoint + API behind one httpx.MockTransport; rotates refresh tokens like Upwork."""

    def __init__(self, *, expires_in: int = 3600, token_delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.token_delay = token_delay
        self.counter = 0
        self.token_calls: list[dict[str, str]] = []
        self.valid_access: set[str] = set()
        self.live_refresh: set[str] = set()
        self.api_calls = 0
        self.api_auth: list[str] = []
        # Scripted token-endpoint failures, consumed one per call: status or an exception.
        self.token_failures: list[int | Exception] = []
        self.omit_refresh = False
        self.reject_access: set[str] = set()

    def issue(self, *, refresh: bool = True) -> dict[str, Any]:
        self.counter += 1
        access = f"at-SECRET-{self.counter}"
        self.valid_access.add(access)
        data: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if refresh and not self.omit_refresh:
            rt = f"rt-SECRET-{self.counter}"
            self.live_refresh.add(rt)
            data["refresh_token"] = rt
        return data

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return await self.token(request)
        self.api_calls += 1
        auth = request.headers.get("authorization", "")
        self.api_auth.append(auth)
        access = auth.removeprefix("Bearer ")
        if access not in self.valid_access or access in self.reject_access:
            return httpx.Response(401, json={"message": "unauthorized"})
        return httpx.Response(200, json={"data": {"ok": True}})

    async def token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.token_calls.append(form)
        if self.token_delay:
            await anyio.sleep(self.token_delay)
        if self.token_failures:
            failure = self.token_failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return httpx.Response(failure, json={"error": "server_error"})
        if form.get("client_id") != "cid" or form.get("client_secret") != CLIENT_SECRET:
            return httpx.Response(401, json={"error": "invalid_client"})
        grant = form.get("grant_type")
        if grant == "refresh_token":
            rt = form.get("refresh_token", "")
            if rt not in self.live_refresh:
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": f"bad token {rt}"}
                )
            self.live_refresh.discard(rt)  # stricter than Upwork: the old one dies at once
            return httpx.Response(200, json=self.issue())
        if grant == "client_credentials":
            return httpx.Response(200, json=self.issue(refresh=False))
        if grant == "authorization_code":
            if form.get("code") != "good-code":
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(200, json=self.issue())
        return httpx.Response(400, json={"error": "unsupported_grant_type"})

    def refresh_calls(self) -> list[dict[str, str]]:
        return [c for c in self.token_calls if c.get("grant_type") == "refresh_token"]

    def seed(self) -> Token:
        data = self.issue()
        return Token.from_dict(data)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_manager(fake: FakeUpwork, http: httpx.AsyncClient, **kwargs: Any) -> TokenManager:
    kwargs.setdefault("retry_base_delay", 0.0)
    return TokenManager("cid", CLIENT_SECRET, token_url=TOKEN_URL, http_client=http, **kwargs)


@pytest.fixture
def fake() -> FakeUpwork:
    return FakeUpwork()


@pytest.fixture
async def http(fake: FakeUpwork) -> Any:
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as client:
        yield client


def seeded_token(fake: FakeUpwork, clock: Clock, *, expires_in: float = 3600) -> Token:
    data = fake.issue()
    data["expires_in"] = expires_in
    return Token.from_dict(data, now=clock.now)


def seeded_manager(
    fake: FakeUpwork, http: httpx.AsyncClient, *, clock: Clock | None = None, **kwargs: Any
) -> TokenManager:
    """A manager whose memory store holds a freshly issued token (an hour left by default)."""
    clock = clock or Clock()
    store = MemoryTokenStore(seeded_token(fake, clock))
    return make_manager(fake, http, store=store, clock=clock, **kwargs)


async def test_500_coroutines_across_expiry_one_token_call(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    fake.token_delay = 0.05  # a slow token endpoint widens the race
    clock = Clock()
    store = MemoryTokenStore(seeded_token(fake, clock))
    manager = make_manager(fake, http, store=store, clock=clock)
    first_wave_done = anyio.Event()
    results: list[int] = []
    done = 0

    async def worker() -> None:
        nonlocal done
        response = await http.get(API_URL, auth=manager)
        results.append(response.status_code)
        done += 1
        if done == 500:
            clock.now += 3600 - 10  # cross the refresh point (leeway 300s) for everyone at once
            first_wave_done.set()
        await first_wave_done.wait()
        response = await http.get(API_URL, auth=manager)
        results.append(response.status_code)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for _ in range(500):
                tg.start_soon(worker)
    assert results == [200] * 1000
    assert len(fake.token_calls) == 1
    assert fake.refresh_calls()[0]["refresh_token"] == "rt-SECRET-1"
    assert manager.refreshes == 1
    assert fake.api_calls == 1000
    assert fake.api_auth[-1] == "Bearer at-SECRET-2"
    assert (await store.load()) == manager.token


async def test_500_coroutines_real_time_expiry_one_token_call(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    # Real clock: a 1-second token (leeway 0.1s) expiring while 500 coroutines keep calling.
    fake.token_delay = 0.05
    token = Token.from_dict({**fake.issue(), "expires_in": 1})
    manager = make_manager(fake, http, store=MemoryTokenStore(token))
    statuses: list[int] = []

    async def worker() -> None:
        for _ in range(4):
            statuses.append((await http.get(API_URL, auth=manager)).status_code)
            await anyio.sleep(0.3)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for _ in range(500):
                tg.start_soon(worker)
    assert statuses == [200] * 2000
    assert len(fake.refresh_calls()) == 1


async def test_rotation_never_resends_old_refresh_token(
    fake: FakeUpwork, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    clock = Clock()
    store = FileTokenStore(tmp_path / "token.json")
    await store.save(seeded_token(fake, clock))
    manager = make_manager(fake, http, store=store, clock=clock)
    for _ in range(5):
        await manager.refresh()
        clock.now += 3600  # also exercise the proactive path
        await manager.get_access_token()
    sent = [c["refresh_token"] for c in fake.refresh_calls()]
    assert len(sent) == 10
    assert len(set(sent)) == len(sent), "a refresh token was sent twice"
    # Each one sent is exactly the one issued by the previous call.
    assert sent == [f"rt-SECRET-{i}" for i in range(1, 11)]
    saved = json.loads((tmp_path / "token.json").read_text())
    assert saved["refresh_token"] == "rt-SECRET-11"


async def test_old_refresh_token_not_reused_even_if_store_is_stale(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    class ForgetfulStore(MemoryTokenStore):
        """Acknowledges saves but keeps returning the first token (a broken custom store)."""

        async def save(self, token: Token) -> None:
            self.saved = token

    clock = Clock()
    first = seeded_token(fake, clock)
    manager = make_manager(fake, http, store=ForgetfulStore(first), clock=clock)
    await manager.refresh()
    await manager.refresh()
    sent = [c["refresh_token"] for c in fake.refresh_calls()]
    assert sent == ["rt-SECRET-1", "rt-SECRET-2"]


async def test_response_without_refresh_token_keeps_old_one(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    clock = Clock()
    store = MemoryTokenStore(seeded_token(fake, clock))
    manager = make_manager(fake, http, store=store, clock=clock)
    fake.omit_refresh = True
    fake.live_refresh.add("rt-SECRET-1")
    token = await manager.refresh()
    assert token.access == "at-SECRET-2"
    assert token.refresh_token is not None
    assert token.refresh_token.get_secret_value() == "rt-SECRET-1"
    stored = await store.load()
    assert stored is not None
    assert stored.refresh_token == token.refresh_token


async def test_401_refreshes_once_and_retries_once(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    manager = seeded_manager(fake, http)
    fake.valid_access.discard("at-SECRET-1")  # revoked server-side before its expiry
    response = await http.get(API_URL, auth=manager)
    assert response.status_code == 200
    assert len(fake.refresh_calls()) == 1
    assert fake.api_auth == ["Bearer at-SECRET-1", "Bearer at-SECRET-2"]


async def test_401_twice_does_not_loop(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    manager = seeded_manager(fake, http)
    fake.reject_access = {"at-SECRET-1", "at-SECRET-2", "at-SECRET-3"}
    response = await http.get(API_URL, auth=manager)
    assert response.status_code == 401
    assert fake.api_calls == 2
    assert len(fake.refresh_calls()) == 1


async def test_concurrent_401s_share_one_refresh(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    fake.token_delay = 0.02
    manager = seeded_manager(fake, http)
    await manager.get_token()
    fake.valid_access.discard("at-SECRET-1")
    statuses: list[int] = []

    async def call() -> None:
        statuses.append((await http.get(API_URL, auth=manager)).status_code)

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(call)
    assert statuses == [200] * 50
    assert fake.api_calls == 100  # each was rejected once, then retried once
    assert len(fake.refresh_calls()) == 1


async def test_handle_rejected_token(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    manager = seeded_manager(fake, http)
    old = await manager.get_access_token()
    new = await manager.handle_rejected_token(old)
    assert new.access != old
    again = await manager.handle_rejected_token(old)  # already replaced: no second refresh
    assert again is new
    assert len(fake.refresh_calls()) == 1


async def test_invalid_grant_requires_reauthentication_store_untouched(
    fake: FakeUpwork, http: httpx.AsyncClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    path = tmp_path / "token.json"
    store = FileTokenStore(path)
    await store.save(seeded_token(fake, clock))
    before = path.read_bytes()
    fake.live_refresh.clear()  # expired / revoked
    manager = make_manager(fake, http, store=store, clock=clock)
    clock.now += 7200
    with pytest.raises(ReauthenticationRequired) as info:
        await manager.get_access_token()
    assert "upwork-gql auth login" in str(info.value)
    assert "invalid_grant" in str(info.value)
    assert "rt-SECRET" not in str(info.value)  # the server echoed it; we scrubbed it
    assert path.read_bytes() == before
    assert len(fake.token_calls) == 1  # invalid_grant is not retried
    assert_no_secrets(caplog.text + repr(info.value) + str(manager))


async def test_retries_5xx_429_and_connection_errors(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    manager = seeded_manager(fake, http, max_retries=3)
    fake.token_failures = [503, 429, httpx.ConnectError("refused")]
    token = await manager.refresh()
    assert token.access == "at-SECRET-2"
    assert len(fake.token_calls) == 4
    assert manager.token_requests == 4


async def test_retry_after_is_honoured(fake: FakeUpwork, tmp_path: Path) -> None:
    calls: list[float] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(anyio.current_time())
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "0.2"})
        return httpx.Response(200, json={"access_token": "x", "expires_in": 60})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        manager = make_manager(fake, client, client_credentials=True)
        await manager.get_token()
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.19


@pytest.mark.parametrize("value", ["soon", "", "nan", "Wed, 99 Foo 2015 07:28:00 GMT"])
async def test_unparsable_retry_after_falls_back_to_backoff(fake: FakeUpwork, value: str) -> None:
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503, headers={"Retry-After": value})
        return httpx.Response(200, json={"access_token": "x", "expires_in": 60})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        manager = make_manager(fake, client, client_credentials=True)
        with anyio.fail_after(5):
            token = await manager.get_token()
    assert token.access == "x"
    assert calls == 2


async def test_retries_exhausted(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    manager = seeded_manager(fake, http, max_retries=2)
    fake.token_failures = [500, 502, 503, 200]
    with pytest.raises(TokenEndpointError) as info:
        await manager.refresh()
    assert info.value.status_code == 503
    assert len(fake.token_calls) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_other_4xx_not_retried(
    fake: FakeUpwork, http: httpx.AsyncClient, status: int
) -> None:
    manager = seeded_manager(fake, http)
    fake.token_failures = [status]
    with pytest.raises(TokenEndpointError) as info:
        await manager.refresh()
    assert info.value.status_code == status
    assert len(fake.token_calls) == 1


async def test_failed_save_fails_loudly_and_new_token_unused(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    class BrokenStore(MemoryTokenStore):
        fail = True

        async def save(self, token: Token) -> None:
            if self.fail:
                raise OSError("disk full")
            await super().save(token)

    clock = Clock()
    store = BrokenStore(seeded_token(fake, clock))
    manager = make_manager(fake, http, store=store, clock=clock)
    await manager.get_token()
    with pytest.raises(TokenStoreError):
        await manager.refresh()
    assert manager.token is not None
    assert manager.token.access == "at-SECRET-1"
    # Upwork keeps the previous refresh token alive for 24h: the next attempt works.
    fake.live_refresh.add("rt-SECRET-1")
    store.fail = False
    token = await manager.refresh()
    assert (await store.load()) == token


async def test_on_token_update_hook(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    seen: list[Token] = []

    async def hook(token: Token) -> None:
        seen.append(token)

    clock = Clock()
    manager = make_manager(
        fake,
        http,
        store=MemoryTokenStore(seeded_token(fake, clock)),
        on_token_update=hook,
        clock=clock,
    )
    token = await manager.refresh()
    assert seen == [token]
    manager.on_token_update = lambda token: seen.append(token)
    token2 = await manager.refresh()
    assert seen == [token, token2]


async def test_client_credentials(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    clock = Clock()
    store = MemoryTokenStore()
    manager = make_manager(fake, http, store=store, clock=clock, client_credentials=True)
    response = await http.get(API_URL, auth=manager)
    assert response.status_code == 200
    assert fake.token_calls[0]["grant_type"] == "client_credentials"
    token = await store.load()
    assert token is not None
    assert token.grant_type == "client_credentials"
    clock.now += 3600
    await manager.get_token()  # no refresh token: fetched again with client credentials
    assert [c["grant_type"] for c in fake.token_calls] == ["client_credentials"] * 2


async def test_exchange_code_saves_token(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    store = MemoryTokenStore()
    manager = make_manager(fake, http, store=store, redirect_uri="http://127.0.0.1:1/cb")
    token = await manager.exchange_code(
        "http://127.0.0.1:1/cb?code=good-code&state=S", expected_state="S"
    )
    assert fake.token_calls[0]["redirect_uri"] == "http://127.0.0.1:1/cb"
    assert (await store.load()) == token
    with pytest.raises(TokenEndpointError, match="start the login again"):
        await manager.exchange_code("bad-code")
    assert (await store.load()) == token


async def test_not_logged_in(fake: FakeUpwork, http: httpx.AsyncClient) -> None:
    manager = make_manager(fake, http, store=MemoryTokenStore())
    with pytest.raises(ReauthenticationRequired, match="upwork-gql auth login"):
        await manager.get_access_token()
    assert fake.token_calls == []


def test_from_env(tmp_path: Path) -> None:
    env = {
        "UPWORK_CLIENT_ID": "cid",
        "UPWORK_CLIENT_SECRET": "sec",
        "UPWORK_TOKEN_FILE": str(tmp_path / "t.json"),
        "UPWORK_TOKEN_URL": "http://127.0.0.1:1/token",
    }
    manager = TokenManager.from_env(environ=env)
    assert isinstance(manager.store, FileTokenStore)
    assert manager.store.path == tmp_path / "t.json"
    assert manager.token_url == "http://127.0.0.1:1/token"
    with pytest.raises(ConfigurationError):
        TokenManager.from_env(environ={})


SECRET_MARKERS = ("SECRET",)


def assert_no_secrets(text: str) -> None:
    for marker in SECRET_MARKERS:
        assert marker not in text, (
            f"secret leaked: ...{text[max(0, text.find(marker) - 40) :][:80]}"
        )


async def test_logs_reprs_and_errors_contain_no_secrets(
    fake: FakeUpwork, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    store = FileTokenStore(tmp_path / "token.json")
    await store.save(seeded_token(fake, clock))
    manager = make_manager(fake, http, store=store, clock=clock, max_retries=2)
    texts: list[str] = [repr(manager), repr(store)]
    # 401 -> refresh, retries on 5xx and connection errors, then invalid_grant.
    fake.valid_access.discard("at-SECRET-1")
    fake.token_failures = [500, httpx.ConnectError("refused rt-SECRET-1")]
    await http.get(API_URL, auth=manager)
    texts += [repr(manager), repr(manager.token), str(manager.token)]
    fake.token_failures = [503, 503, 503]
    with pytest.raises(TokenEndpointError) as e1:
        await manager.refresh()
    fake.live_refresh.clear()
    with pytest.raises(ReauthenticationRequired) as e2:
        await manager.refresh()
    for exc in (e1.value, e2.value):
        texts += [str(exc), repr(exc)]
    http_logs = caplog.text
    assert "token refreshed" in http_logs
    assert_no_secrets("\n".join([*texts, http_logs]).replace(str(tmp_path), ""))
    assert CLIENT_SECRET not in "\n".join([*texts, http_logs])


def test_trio_smoke(fake: FakeUpwork) -> None:
    async def main() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
            clock = Clock()
            manager = make_manager(
                fake, http, store=MemoryTokenStore(seeded_token(fake, clock)), clock=clock
            )
            statuses: list[int] = []

            async def call() -> None:
                statuses.append((await http.get(API_URL, auth=manager)).status_code)

            clock.now += 3600
            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(call)
            return statuses

    assert anyio.run(main, backend="trio") == [200] * 20
    assert len(fake.refresh_calls()) == 1


def _unused(_: Callable[..., Any]) -> None:  # pragma: no cover
    pass


async def test_cancelled_caller_does_not_lose_rotation(
    fake: FakeUpwork, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    fake.token_delay = 0.3
    clock = Clock()
    store = FileTokenStore(tmp_path / "token.json")
    await store.save(seeded_token(fake, clock))
    manager = make_manager(fake, http, store=store, clock=clock)
    clock.now += 3600
    with anyio.move_on_after(0.05):
        await manager.get_access_token()
    saved = await store.load()
    assert saved is not None
    assert saved.refresh_token is not None
    assert saved.refresh_token.get_secret_value() == "rt-SECRET-2"  # rotation reached the store
    assert (await manager.get_access_token()) == "at-SECRET-2"
    assert len(fake.token_calls) == 1


async def test_two_managers_one_file_in_one_process(
    fake: FakeUpwork, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    fake.token_delay = 0.05
    clock = Clock()
    path = tmp_path / "token.json"
    await FileTokenStore(path).save(seeded_token(fake, clock))
    managers = [make_manager(fake, http, store=FileTokenStore(path), clock=clock) for _ in range(3)]
    for manager in managers:
        await manager.get_token()
    clock.now += 3600
    results: list[str] = []

    async def use(manager: TokenManager) -> None:
        results.append(await manager.get_access_token())

    async with anyio.create_task_group() as tg:
        for manager in managers * 10:
            tg.start_soon(use, manager)
    assert set(results) == {"at-SECRET-2"}
    assert len(fake.refresh_calls()) == 1


async def test_token_without_expiry_refreshes_only_when_rejected(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    clock = Clock()
    data = fake.issue()
    del data["expires_in"]
    manager = make_manager(fake, http, store=MemoryTokenStore(Token.from_dict(data)), clock=clock)
    clock.now += 10 * 365 * 86400
    assert (await http.get(API_URL, auth=manager)).status_code == 200
    assert fake.token_calls == []
    fake.valid_access.discard("at-SECRET-1")
    assert (await http.get(API_URL, auth=manager)).status_code == 200
    assert len(fake.refresh_calls()) == 1


async def test_www_authenticate_invalid_token_triggers_refresh(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return await fake.token(request)
        calls.append(request.headers["authorization"])
        if len(calls) == 1:
            challenge = 'Bearer error="invalid_token", error_description="expired"'
            return httpx.Response(403, headers={"WWW-Authenticate": challenge})
        return httpx.Response(200, json={})

    clock = Clock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        manager = make_manager(
            fake, client, store=MemoryTokenStore(seeded_token(fake, clock)), clock=clock
        )
        assert (await client.get(API_URL, auth=manager)).status_code == 200
    assert calls == ["Bearer at-SECRET-1", "Bearer at-SECRET-2"]


# -- overall deadline and shared retryable statuses ---------------------------------------------


def test_lock_waiters_outlast_the_token_request_deadline() -> None:
    from upwork_gql import _constants

    assert _constants.TOKEN_FILE_LOCK_TIMEOUT > _constants.TOKEN_ENDPOINT_DEADLINE
    manager = TokenManager("cid", CLIENT_SECRET)
    assert FileTokenStore("unused.json").lock_timeout > manager.deadline
    with pytest.raises(ConfigurationError):
        TokenManager("cid", CLIENT_SECRET, deadline=0)


async def test_hung_token_endpoint_hits_the_deadline_store_untouched(
    fake: FakeUpwork, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    fake.token_delay = 30.0  # answers far beyond the deadline
    clock = Clock()
    path = tmp_path / "token.json"
    store = FileTokenStore(path)
    await store.save(seeded_token(fake, clock))
    before = path.read_bytes()
    manager = make_manager(fake, http, store=store, clock=clock, deadline=0.3)
    clock.now += 7200
    started = anyio.current_time()
    with anyio.fail_after(10), pytest.raises(TokenEndpointError, match="deadline"):
        await manager.get_access_token()
    assert anyio.current_time() - started < 5
    assert path.read_bytes() == before
    assert len(fake.token_calls) == 1
    # The cross-process lock was released: another store takes it at once.
    with anyio.fail_after(5):
        async with FileTokenStore(path, lock_timeout=1).lock():
            pass


async def test_deadline_stops_retries_instead_of_sleeping_past_it(
    fake: FakeUpwork, tmp_path: Path
) -> None:
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, headers={"Retry-After": "30"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        manager = make_manager(fake, client, client_credentials=True, max_retries=5, deadline=2)
        started = anyio.current_time()
        with anyio.fail_after(10), pytest.raises(TokenEndpointError) as info:
            await manager.get_token()
    assert anyio.current_time() - started < 1.5  # did not sleep 30 s (or the 2 s deadline)
    assert "deadline" in str(info.value)
    assert info.value.status_code == 503
    assert calls == 1


async def test_deadline_also_bounds_a_shielded_attempt_of_a_cancelled_caller(
    fake: FakeUpwork, http: httpx.AsyncClient
) -> None:
    fake.token_delay = 30.0
    clock = Clock()
    manager = make_manager(
        fake,
        http,
        store=MemoryTokenStore(seeded_token(fake, clock)),
        clock=clock,
        deadline=0.3,
    )
    started = anyio.current_time()
    # The caller gives up after 0.05 s, but the attempt is shielded (a rotation must not be
    # lost): the deadline is what ends it, with the endpoint error or the caller's cancellation.
    with anyio.fail_after(10), anyio.move_on_after(0.05), contextlib.suppress(TokenEndpointError):
        await manager.refresh()
    assert anyio.current_time() - started < 5
    assert len(fake.token_calls) == 1


def test_token_endpoint_and_api_client_share_the_retryable_statuses() -> None:
    from upwork_gql import _constants
    from upwork_gql._client import UpworkClient
    from upwork_gql._retry import RetryPolicy

    manager = TokenManager("cid", token_url=TOKEN_URL)
    client = UpworkClient(url="http://127.0.0.1:9/graphql", access_token="t")
    # One policy decides for both: the same class, and what it retries is the shared set.
    assert type(manager.retry_policy) is type(client.retry_policy) is RetryPolicy
    for status in range(100, 700):
        retried = status in _constants.RETRYABLE_STATUS_CODES
        response = httpx.Response(status)
        assert manager.retry_policy.should_retry(idempotent=True, response=response) is retried
        assert client.retry_policy.should_retry(idempotent=True, response=response) is retried
    assert {408, 429, 500, 501, 502, 503, 504, 507, 599} <= _constants.RETRYABLE_STATUS_CODES
    assert not {400, 401, 403, 404, 409, 600} & _constants.RETRYABLE_STATUS_CODES


def test_retry_settings_make_the_manager_s_policy() -> None:
    from upwork_gql._retry import RetryPolicy

    manager = TokenManager(
        "cid", token_url=TOKEN_URL, max_retries=4, retry_base_delay=0.25, retry_max_delay=2.0
    )
    assert manager.retry_policy == RetryPolicy(4, 0.25, 2.0)
    with pytest.raises(ConfigurationError):
        TokenManager("cid", token_url=TOKEN_URL, max_retries=-1)


async def test_token_endpoint_backoff_has_the_api_jitter(
    fake: FakeUpwork, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    monkeypatch.setattr(anyio, "sleep", fake_sleep)
    manager = seeded_manager(fake, http, max_retries=3, retry_base_delay=0.5, retry_max_delay=1.5)
    fake.token_failures = [503, 503, 503]
    token = await manager.refresh()
    assert token.access == "at-SECRET-2"
    assert len(sleeps) == 3
    for delay, nominal in zip(sleeps, [0.5, 1.0, 1.5], strict=True):
        assert 0.75 * nominal <= delay <= nominal  # 0-25 % taken off, never added


@pytest.mark.parametrize("status", [429, 503])
async def test_a_retry_after_beyond_the_limit_gives_up_at_once(
    fake: FakeUpwork, status: int
) -> None:
    """As for API calls: a server asking for a longer wait than ``max_retry_after`` is not
    waited for, even with retries and deadline left."""
    from upwork_gql._constants import MAX_RETRY_AFTER

    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(status, headers={"Retry-After": str(int(MAX_RETRY_AFTER) + 1)})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        manager = make_manager(
            fake, client, client_credentials=True, max_retries=5, deadline=MAX_RETRY_AFTER * 10
        )
        started = anyio.current_time()
        with anyio.fail_after(10), pytest.raises(TokenEndpointError) as info:
            await manager.get_token()
    assert anyio.current_time() - started < 1.5
    assert info.value.status_code == status
    assert "deadline" not in str(info.value)
    assert calls == 1


@pytest.mark.parametrize("status", [408, 501, 507, 520])
async def test_token_endpoint_retries_every_retryable_status(
    fake: FakeUpwork, http: httpx.AsyncClient, status: int
) -> None:
    manager = seeded_manager(fake, http)
    fake.token_failures = [status]
    token = await manager.refresh()
    assert token.access == "at-SECRET-2"
    assert len(fake.token_calls) == 2

"""Runtime: UpworkClient construction, auth modes, tenants, user http clients, raw responses,
rate limiting, and a trio smoke test."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _runtime_fakes import FakeGeneratedClient
from pydantic import SecretStr
from test_runtime_errors import CONTRACT_DATA, URL, Recorder, make_client

from upwork_gql._client import StaticTokenAuth, UpworkClient
from upwork_gql._constants import TENANT_HEADER
from upwork_gql._exceptions import ConfigurationError, PaginationError
from upwork_gql._ratelimit import RateLimiter

OK = httpx.Response(200, json={"data": CONTRACT_DATA}, headers={"vnd.eo.request-id": "r-1"})
ME = "query me { user { id } }"
ME_OK = httpx.Response(200, json={"data": {"user": {"id": "u1"}}})


class HeaderAuth(httpx.Auth):
    def __init__(self, value: str) -> None:
        self.value = value

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self.value
        yield request


# --- tenants ------------------------------------------------------------------------------------


async def test_no_tenant_header_by_default() -> None:
    rec = Recorder(OK)
    async with make_client(rec) as client:
        await client.contract(id="1")
    assert TENANT_HEADER not in rec.requests[0].headers


async def test_with_tenant_sends_header_and_shares_everything() -> None:
    rec = Recorder(OK)
    limiter = RateLimiter(100)
    async with make_client(rec, rate_limiter=limiter, auth=HeaderAuth("Bearer x")) as client:
        scoped = client.with_tenant("org-1")
        await scoped.contract(id="1")
        await client.contract(id="1")
        back = scoped.with_tenant(None)
        await back.contract(id="1")
        assert scoped.http_client is client.http_client
        assert scoped.rate_limiter is client.rate_limiter is limiter
        assert scoped.auth is client.auth
        assert client.tenant_id is None
    assert rec.requests[0].headers[TENANT_HEADER] == "org-1"
    assert TENANT_HEADER not in rec.requests[1].headers
    assert TENANT_HEADER not in rec.requests[2].headers
    assert all(r.headers["Authorization"] == "Bearer x" for r in rec.requests)


async def test_tenant_from_constructor_and_extra_headers() -> None:
    rec = Recorder(OK)
    async with make_client(rec, tenant_id="org-9", headers={"X-App": "a"}) as client:
        await client.contract(id="1", extra_headers={"X-Trace": "t-1"})
        await client.contract(id="1")
    first, second = rec.requests
    assert first.headers[TENANT_HEADER] == "org-9"
    assert first.headers["X-App"] == "a"
    assert first.headers["X-Trace"] == "t-1"
    assert "X-Trace" not in second.headers
    assert first.headers["content-type"] == "application/json"


async def test_copies_do_not_close_the_shared_pool() -> None:
    client = FakeGeneratedClient(URL, rate_limit=None)
    async with client.with_tenant("org") as scoped:
        assert scoped.tenant_id == "org"
    assert not client.http_client.is_closed
    await client.aclose()
    assert client.http_client.is_closed


# --- user-supplied http client ---------------------------------------------------------------


async def test_user_http_client_keeps_its_headers_and_auth_and_is_not_closed() -> None:
    rec = Recorder(OK)
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(rec),
        headers={"X-Corp-Proxy": "yes", "User-Agent": "corp/1"},
        auth=HeaderAuth("Bearer from-user-client"),
    )
    async with FakeGeneratedClient(URL, http_client=http, rate_limit=None) as client:
        await client.contract(id="1")
    assert not http.is_closed
    request = rec.requests[0]
    assert request.headers["X-Corp-Proxy"] == "yes"
    assert request.headers["User-Agent"] == "corp/1"
    assert request.headers["Authorization"] == "Bearer from-user-client"
    await http.aclose()


async def test_our_auth_applies_per_request_on_a_user_client() -> None:
    rec = Recorder(httpx.Response(503), OK)
    http = httpx.AsyncClient(transport=httpx.MockTransport(rec), headers={"X-Corp": "1"})
    client = UpworkClient(
        url=URL,
        http_client=http,
        access_token="tok-abc",
        rate_limit=None,
        retry_initial_delay=0.001,
    )
    async with client:
        raw = await client.with_raw_response(client.execute, ME)
    assert raw.retries_taken == 1
    assert [r.headers["Authorization"] for r in rec.requests] == ["Bearer tok-abc"] * 2
    assert all(r.headers["X-Corp"] == "1" for r in rec.requests)
    assert not http.is_closed
    await http.aclose()


async def test_own_http_client_is_closed_and_has_user_agent() -> None:
    client = UpworkClient(url=URL, rate_limit=None)
    assert client.http_client.headers["User-Agent"].startswith("upwork-gql")
    await client.aclose()
    assert client.http_client.is_closed
    await client.aclose()  # idempotent


# --- auth modes ---------------------------------------------------------------------------------


def test_static_token_is_secret() -> None:
    auth = StaticTokenAuth(SecretStr("very-secret-token"))
    assert "very-secret-token" not in repr(auth)
    client = UpworkClient(access_token="very-secret-token")
    assert "very-secret-token" not in repr(client)
    assert "very-secret-token" not in repr(client.auth)
    with pytest.raises(ConfigurationError):
        StaticTokenAuth("")


def test_only_one_auth_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    from upwork_gql.auth import MemoryTokenStore

    with pytest.raises(ConfigurationError, match="not both"):
        UpworkClient(access_token="a", auth=HeaderAuth("b"))
    monkeypatch.delenv("UPWORK_CLIENT_ID", raising=False)
    with pytest.raises(ConfigurationError, match="client id"):
        UpworkClient(token_store=MemoryTokenStore())


async def test_token_store_alone_takes_the_credential_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from upwork_gql.auth import MemoryTokenStore, TokenManager

    monkeypatch.setenv("UPWORK_CLIENT_ID", "env-cid")
    monkeypatch.setenv("UPWORK_CLIENT_SECRET", "env-secret-777")
    monkeypatch.setenv("UPWORK_TOKEN_URL", "http://127.0.0.1:9/tok")
    monkeypatch.setenv("UPWORK_REDIRECT_URI", "http://127.0.0.1:9/cb")
    store = MemoryTokenStore()
    async with UpworkClient(token_store=store, tenant_id="org-2") as client:
        manager = client.auth
        assert isinstance(manager, TokenManager)
        assert manager.client_id == "env-cid"
        assert manager.token_url == "http://127.0.0.1:9/tok"
        assert manager.redirect_uri == "http://127.0.0.1:9/cb"
        assert manager.store is store
        assert client.tenant_id == "org-2"
        assert "env-secret-777" not in repr(manager) + repr(client)


async def test_client_id_and_store_build_a_token_manager() -> None:
    from upwork_gql.auth import MemoryTokenStore, TokenManager

    store = MemoryTokenStore()
    client = UpworkClient(
        client_id="cid",
        client_secret="csecret-123",
        token_store=store,
        token_url="http://127.0.0.1:9/token",
        redirect_uri="http://127.0.0.1:8765/cb",
    )
    manager = client.auth
    assert isinstance(manager, TokenManager)
    assert manager.client_id == "cid"
    assert manager.store is store
    assert manager.token_url == "http://127.0.0.1:9/token"
    assert manager.redirect_uri == "http://127.0.0.1:8765/cb"
    assert "csecret-123" not in repr(manager)
    await client.aclose()


ENV = {
    "UPWORK_CLIENT_ID": "env-client",
    "UPWORK_CLIENT_SECRET": "env-secret-xyz",
    "UPWORK_REDIRECT_URI": "http://127.0.0.1:7777/callback",
    "UPWORK_TENANT_ID": "org-env",
    "UPWORK_API_URL": "http://127.0.0.1:9/graphql",
    "UPWORK_TOKEN_URL": "http://127.0.0.1:9/token",
    "UPWORK_AUTHORIZE_URL": "http://127.0.0.1:9/authorize",
}


async def test_from_env_reads_every_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from upwork_gql.auth import FileTokenStore, TokenManager

    for key, value in {**ENV, "UPWORK_TOKEN_FILE": str(tmp_path / "tok.json")}.items():
        monkeypatch.setenv(key, value)
    async with UpworkClient.from_env() as client:
        assert client.url == "http://127.0.0.1:9/graphql"
        assert client.tenant_id == "org-env"
        manager = client.auth
        assert isinstance(manager, TokenManager)
        assert manager.client_id == "env-client"
        assert manager.token_url == "http://127.0.0.1:9/token"
        assert manager.authorize_url == "http://127.0.0.1:9/authorize"
        assert manager.redirect_uri == "http://127.0.0.1:7777/callback"
        assert isinstance(manager.store, FileTokenStore)
        assert manager.store.path == tmp_path / "tok.json"
        assert "env-secret-xyz" not in repr(client) + repr(manager)


async def test_from_env_defaults_and_overrides(tmp_path: Path) -> None:
    env = {"UPWORK_CLIENT_ID": "c", "UPWORK_TOKEN_FILE": str(tmp_path / "t.json")}
    async with UpworkClient.from_env(environ=env) as client:
        assert client.url == "https://api.upwork.com/graphql"
        assert client.tenant_id is None
    async with UpworkClient.from_env(environ=env, tenant_id="org-x", url="http://x/") as client:
        assert client.tenant_id == "org-x"
        assert client.url == "http://x/"
    async with UpworkClient.from_env(environ={}, access_token="t") as client:
        assert isinstance(client.auth, StaticTokenAuth)


@pytest.mark.parametrize("kwargs", [{"client_id": "arg-cid"}, {"token_store": "memory"}])
async def test_from_env_reads_the_given_environ_not_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any]
) -> None:
    from upwork_gql.auth import FileTokenStore, MemoryTokenStore, TokenManager

    for key in ENV:
        monkeypatch.setenv(key, "http://127.0.0.1:1/from-os-environ")
    monkeypatch.setenv("UPWORK_TOKEN_FILE", str(tmp_path / "os-environ.json"))
    chosen = {**ENV, "UPWORK_TOKEN_FILE": str(tmp_path / "chosen.json")}
    if kwargs.get("token_store") == "memory":
        kwargs = {"token_store": MemoryTokenStore()}
    async with UpworkClient.from_env(environ=chosen, **kwargs) as client:
        manager = client.auth
        assert isinstance(manager, TokenManager)
        assert manager.client_id == kwargs.get("client_id", "env-client")
        assert manager.token_url == "http://127.0.0.1:9/token"
        assert manager.authorize_url == "http://127.0.0.1:9/authorize"
        assert manager.redirect_uri == "http://127.0.0.1:7777/callback"
        assert manager._secret_value() == "env-secret-xyz"
        if "client_id" in kwargs:
            assert isinstance(manager.store, FileTokenStore)
            assert manager.store.path == tmp_path / "chosen.json"
        assert client.url == "http://127.0.0.1:9/graphql"
        assert client.tenant_id == "org-env"


def test_from_env_without_client_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="UPWORK_CLIENT_ID"):
        UpworkClient.from_env(environ={"UPWORK_CLIENT_SECRET": "s3cr3t-value"})


# --- settings: one resolution (argument, then environment, then default) -----------------------


def test_an_oauth_setting_without_a_client_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="client id"):
        UpworkClient(client_secret="s", environ={})


def test_an_oauth_setting_with_a_static_token_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="token_url"):
        UpworkClient(access_token="t", token_url="https://x")


def test_the_api_url_comes_from_the_given_environ() -> None:
    client = UpworkClient(environ={"UPWORK_API_URL": "http://127.0.0.1:1/graphql"})
    assert client.url == "http://127.0.0.1:1/graphql"
    assert client.auth is None  # no client id anywhere: no login is looked for


async def test_from_env_keywords_win_over_the_environment(tmp_path: Path) -> None:
    from upwork_gql.auth import TokenManager

    environ = {
        "UPWORK_CLIENT_ID": "env-id",
        "UPWORK_CLIENT_SECRET": "env-secret-0001",
        "UPWORK_TOKEN_URL": "http://127.0.0.1:9/env-token",
        "UPWORK_TOKEN_FILE": str(tmp_path / "token.json"),
    }
    async with UpworkClient.from_env(
        environ=environ, client_secret="kw", token_url="https://tok.example/t"
    ) as client:
        manager = client.auth
        assert isinstance(manager, TokenManager)
        assert manager.token_url == "https://tok.example/t"
        assert manager._secret_value() == "kw"
        assert manager.client_id == "env-id"


def test_token_manager_reads_the_given_environ() -> None:
    from upwork_gql.auth import TokenManager

    manager = TokenManager(
        environ={"UPWORK_CLIENT_ID": "id", "UPWORK_TOKEN_URL": "http://127.0.0.1:9/t"}
    )
    assert manager.client_id == "id"
    assert manager.token_url == "http://127.0.0.1:9/t"


async def test_a_malformed_url_is_refused_before_any_request() -> None:
    rec = Recorder(OK)
    http = httpx.AsyncClient(transport=httpx.MockTransport(rec))
    with pytest.raises(ConfigurationError, match="not-a-url"):
        UpworkClient(url="not-a-url", http_client=http, access_token="t")
    with pytest.raises(ConfigurationError, match="UPWORK_API_URL"):
        UpworkClient(environ={"UPWORK_API_URL": "ftp://example.com/graphql"}, http_client=http)
    await http.aclose()
    assert rec.requests == []


# --- lifecycle --------------------------------------------------------------------------------


async def test_a_call_after_aclose_raises_client_closed_error() -> None:
    from upwork_gql import ClientClosedError, UpworkError

    rec = Recorder(OK)
    client = make_client(rec)
    await client.contract(id="1")
    await client.aclose()
    with pytest.raises(ClientClosedError) as info:
        await client.contract(id="1")
    assert isinstance(info.value, UpworkError)
    assert "contract" in str(info.value)
    with pytest.raises(ClientClosedError):
        await client.with_tenant("org").contract(id="1")  # copies share the closed pool
    with pytest.raises(ClientClosedError):
        await client.execute(ME)
    assert len(rec.requests) == 1


async def test_a_generated_call_after_aclose_raises_client_closed_error() -> None:
    from upwork_gql import ClientClosedError

    client = UpworkClient(url=URL, access_token="t", rate_limit=None)
    await client.aclose()
    with pytest.raises(ClientClosedError):
        await client.contract(id="1")
    with pytest.raises(PaginationError) as info:
        await client.paginate_room_list().to_list()
    assert isinstance(info.value.__cause__, ClientClosedError)


# --- raw responses ------------------------------------------------------------------------------


async def test_raw_response_exposes_status_headers_request_id_and_retries() -> None:
    rec = Recorder(httpx.Response(502), OK)
    async with make_client(rec, max_retries=2, retry_initial_delay=0.001) as client:
        raw = await client.with_raw_response(client.contract, id="1")
        raw2 = await client.with_raw_response.contract(id="2")
    assert raw.status_code == 200
    assert raw.request_id == "r-1"
    assert raw.headers["vnd.eo.request-id"] == "r-1"
    assert raw.retries_taken == 1
    assert raw.parsed.contract is not None
    assert raw.parsed.contract.id == "42"
    assert raw.http_response.status_code == 200
    assert raw.elapsed >= 0
    assert raw.info.operation == "contract"
    assert raw2.retries_taken == 0


async def test_raw_responses_are_per_call_under_concurrency() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        ident = json.loads(request.content)["variables"]["id"]
        await anyio.sleep(0.01 * (5 - int(ident)))
        return httpx.Response(
            200, json={"data": CONTRACT_DATA}, headers={"vnd.eo.request-id": f"rid-{ident}"}
        )

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    results: dict[str, str | None] = {}
    async with FakeGeneratedClient(URL, http_client=http, rate_limit=None) as client:

        async def one(ident: str) -> None:
            raw = await client.with_raw_response(client.contract, id=ident)
            results[ident] = raw.request_id

        async with anyio.create_task_group() as tg:
            for i in range(5):
                tg.start_soon(one, str(i))
    await http.aclose()
    assert results == {str(i): f"rid-{i}" for i in range(5)}


async def test_raw_accessor_rejects_non_operations() -> None:
    async with make_client(Recorder(OK)) as client:
        with pytest.raises(AttributeError):
            client.with_raw_response._private  # noqa: B018

        async def not_an_operation() -> int:
            return 1

        with pytest.raises(TypeError):
            await client.with_raw_response(not_an_operation)


async def test_execute_returns_dict_data_for_ad_hoc_queries() -> None:
    rec = Recorder(ME_OK)
    async with make_client(rec) as client:
        result = await client.execute(ME)
        named = await client.execute(ME, operation_name="me")
    assert result == named == {"user": {"id": "u1"}}
    assert type(result) is dict
    # ad-hoc documents are not parsed at run time: the name is sent only when given
    assert [json.loads(r.content)["operationName"] for r in rec.requests] == [None, "me"]


async def test_execute_returns_exactly_the_data_object() -> None:
    """An ad-hoc document's result is the response's ``data`` as plain JSON: no envelope, no
    generated model, even when a generated operation of the same name exists."""
    rec = Recorder(httpx.Response(200, json={"data": {"contract": {"id": "1"}}}))
    async with UpworkClient(
        url=URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(rec)), rate_limit=None
    ) as client:
        result = await client.execute(
            "query contract($id: ID!) { contract(id: $id) { id } }", variables={"id": "1"}
        )
        await client.http_client.aclose()
    assert result == {"contract": {"id": "1"}}
    assert type(result) is dict
    assert type(result["contract"]) is dict
    body = json.loads(rec.requests[0].content)
    assert body["variables"] == {"id": "1"}
    assert body["query"] == "query contract($id: ID!) { contract(id: $id) { id } }"


# --- rate limiting ------------------------------------------------------------------------------


async def test_token_bucket_paces_a_burst() -> None:
    limiter = RateLimiter(20, burst=2, max_concurrency=None)
    start = time.monotonic()
    for _ in range(6):
        await limiter.acquire()
    elapsed = time.monotonic() - start
    # 2 immediately, then 4 more at 20/s
    assert elapsed >= 0.19
    assert elapsed < 2


async def test_rate_limiter_is_shared_by_copies() -> None:
    rec = Recorder(OK)
    limiter = RateLimiter(20, burst=1, max_concurrency=None)
    async with make_client(rec, rate_limiter=limiter) as client:
        copies = [client, client.with_tenant("a"), client.with_options(max_retries=1)]
        start = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(lambda c=copies[i % 3]: c.contract(id="1"))
        elapsed = time.monotonic() - start
    assert len(rec.requests) == 6
    assert elapsed >= 0.24  # 5 intervals of 50 ms


async def test_concurrency_cap() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={"data": CONTRACT_DATA})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with (
        FakeGeneratedClient(URL, http_client=http, rate_limit=None, max_concurrency=3) as client,
        anyio.create_task_group() as tg,
    ):
        for _ in range(12):
            tg.start_soon(lambda: client.contract(id="1"))
    await http.aclose()
    assert peak == 3


def test_rate_limiter_validation() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="max_concurrency"):
        RateLimiter(1, max_concurrency=0)
    assert RateLimiter(None, max_concurrency=None).rate is None
    assert "rate=10.0" in repr(RateLimiter())


async def test_default_rate_limiter_is_upworks_documented_rate() -> None:
    async with UpworkClient(access_token="t") as client:
        limiter = client.rate_limiter
        assert limiter is not None
        assert limiter.rate == 10.0
        assert limiter.max_concurrency == 16
        assert client.with_tenant("x").rate_limiter is limiter
    async with UpworkClient(access_token="t", rate_limit=None, max_concurrency=None) as client:
        assert client.rate_limiter is None


# --- trio ---------------------------------------------------------------------------------------


def test_runs_under_trio() -> None:
    rec = Recorder(httpx.Response(503), OK)

    async def main() -> str:
        http = httpx.AsyncClient(transport=httpx.MockTransport(rec))
        async with FakeGeneratedClient(
            URL, http_client=http, max_concurrency=2, retry_initial_delay=0.001
        ) as client:
            result = await client.contract(id="1")
        await http.aclose()
        assert result.contract is not None
        return result.contract.id

    assert anyio.run(main, backend="trio") == "42"
    assert len(rec.requests) == 2


async def test_client_id_alone_uses_the_saved_login_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`UpworkClient(client_id=..., client_secret=...)` finds the login `auth login` saved."""
    from upwork_gql.auth import FileTokenStore, Token, TokenManager

    path = tmp_path / "token.json"
    monkeypatch.setenv("UPWORK_TOKEN_FILE", str(path))
    await FileTokenStore(path).save(Token.from_dict({"access_token": "saved-at-123"}))
    async with UpworkClient(client_id="cid", client_secret="csecret-456") as client:
        manager = client.auth
        assert isinstance(manager, TokenManager)
        assert isinstance(manager.store, FileTokenStore)
        assert manager.store.path == path
        assert await manager.get_access_token() == "saved-at-123"

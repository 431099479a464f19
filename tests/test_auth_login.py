"""The reusable login flow: loopback callback server, automated consent, paste mode."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio
import httpx
import pytest

from upwork_gql._exceptions import ConfigurationError, OAuthError, StateMismatchError
from upwork_gql.auth import FileTokenStore, TokenManager
from upwork_gql.auth import login as login_module
from upwork_gql.auth.login import http_consent, is_loopback_redirect, run_login

TOKEN_URL = "https://auth.test/token"
AUTHORIZE_URL = "https://auth.test/authorize"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TokenEndpoint:
    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.calls.append(form)
        if form.get("code") != "good-code":
            return httpx.Response(400, json={"error": "invalid_grant"})
        return httpx.Response(
            200,
            json={
                "access_token": "at-SECRET",
                "refresh_token": "rt-SECRET",
                "token_type": "Bearer",
                "expires_in": 86400,
            },
        )


@pytest.fixture
def endpoint() -> TokenEndpoint:
    return TokenEndpoint()


@pytest.fixture
async def manager_factory(endpoint: TokenEndpoint, tmp_path: Path) -> AsyncIterator[Any]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint.handler)) as http:

        def make(redirect_uri: str | None) -> TokenManager:
            return TokenManager(
                "cid",
                "csecret",
                token_url=TOKEN_URL,
                authorize_url=AUTHORIZE_URL,
                redirect_uri=redirect_uri,
                store=FileTokenStore(tmp_path / "token.json"),
                http_client=http,
            )

        yield make


def auto_consent(
    *, state: str | None = None, extra: dict[str, str] | None = None, code: str = "good-code"
) -> Any:
    """Plays the authorization server that consents at once: redirects to the callback."""
    visited: list[str] = []

    async def consent(url: str) -> None:
        visited.append(url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        params = {"code": code, "state": state if state is not None else query["state"]}
        params.update(extra or {})
        callback = f"{query['redirect_uri']}?{urlencode(params)}"
        async with httpx.AsyncClient() as client:
            # A stray request first (browsers ask for /favicon.ico): must not end the flow.
            stray = await client.get(callback.split("/cb")[0] + "/favicon.ico")
            assert stray.status_code == 404
            response = await client.get(callback)
            assert response.status_code == 200
            assert "at-SECRET" not in response.text

    consent.visited = visited  # type: ignore[attr-defined]
    return consent


async def test_loopback_login_with_automated_consent(
    manager_factory: Any, endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    redirect = f"http://127.0.0.1:{free_port()}/cb"
    manager = manager_factory(redirect)
    consent = auto_consent()
    messages: list[str] = []
    with anyio.fail_after(20):
        token = await run_login(manager, consent=consent, pkce=True, echo=messages.append)
    assert token.access == "at-SECRET"
    assert endpoint.calls[0]["grant_type"] == "authorization_code"
    assert endpoint.calls[0]["redirect_uri"] == redirect
    assert len(endpoint.calls[0]["code_verifier"]) >= 43
    authorize = consent.visited[0]
    assert authorize.startswith(AUTHORIZE_URL)
    assert "code_challenge=" in authorize
    assert any(authorize in m for m in messages)
    assert await FileTokenStore(tmp_path / "token.json").load() == token
    assert all("SECRET" not in m for m in messages)


async def test_http_consent_follows_redirects_to_callback(
    manager_factory: Any, tmp_path: Path
) -> None:
    # A stand-in authorization server that auto-consents with a 302, as the sandbox does.
    redirect = f"http://127.0.0.1:{free_port()}/cb"
    manager = manager_factory(redirect)

    async def authorize(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.test":
            q = dict(request.url.params)
            location = f"{q['redirect_uri']}?code=good-code&state={q['state']}"
            return httpx.Response(302, headers={"Location": location})
        async with httpx.AsyncClient() as real:  # the loopback callback is a real server
            return await real.get(str(request.url))

    async with httpx.AsyncClient(transport=httpx.MockTransport(authorize)) as browser:

        async def consent(url: str) -> None:
            await http_consent(url, client=browser)

        with anyio.fail_after(20):
            token = await run_login(manager, consent=consent, echo=lambda m: None)
    assert token.access == "at-SECRET"


async def test_state_mismatch_is_refused_and_nothing_saved(
    manager_factory: Any, endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    manager = manager_factory(f"http://127.0.0.1:{free_port()}/cb")
    with anyio.fail_after(20), pytest.raises(StateMismatchError):
        await run_login(manager, consent=auto_consent(state="forged"), echo=lambda m: None)
    assert endpoint.calls == []
    assert not (tmp_path / "token.json").exists()


async def test_denied_consent_fails_and_nothing_saved(
    manager_factory: Any, endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    manager = manager_factory(f"http://127.0.0.1:{free_port()}/cb")
    consent = auto_consent(code="", extra={"error": "access_denied"})
    with anyio.fail_after(20), pytest.raises(OAuthError, match="access_denied"):
        await run_login(manager, consent=consent, echo=lambda m: None)
    assert endpoint.calls == []
    assert not (tmp_path / "token.json").exists()


async def test_rejected_code_fails_and_nothing_saved(manager_factory: Any, tmp_path: Path) -> None:
    manager = manager_factory(f"http://127.0.0.1:{free_port()}/cb")
    with anyio.fail_after(20), pytest.raises(OAuthError, match="invalid_grant"):
        await run_login(manager, consent=auto_consent(code="bad"), echo=lambda m: None)
    assert not (tmp_path / "token.json").exists()


async def test_consent_error_is_reported(manager_factory: Any) -> None:
    manager = manager_factory(f"http://127.0.0.1:{free_port()}/cb")

    async def consent(url: str) -> None:
        raise httpx.ConnectError("sandbox down")

    with anyio.fail_after(20), pytest.raises(OAuthError, match="consent step failed"):
        await run_login(manager, consent=consent, echo=lambda m: None)


async def test_consent_that_never_reaches_callback(
    manager_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_module, "_CONSENT_GRACE", 0.2)
    manager = manager_factory(f"http://127.0.0.1:{free_port()}/cb")

    async def consent(url: str) -> None:
        return None

    with anyio.fail_after(20), pytest.raises(OAuthError, match="without reaching"):
        await run_login(manager, consent=consent, echo=lambda m: None)


async def test_timeout_waiting_for_redirect(manager_factory: Any) -> None:
    manager = manager_factory(f"http://127.0.0.1:{free_port()}/cb")
    with anyio.fail_after(20), pytest.raises(OAuthError, match="timed out"):
        await run_login(manager, open_browser=False, redirect_timeout=0.3, echo=lambda m: None)


async def test_port_in_use_is_a_clear_error(manager_factory: Any) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        manager = manager_factory(f"http://127.0.0.1:{busy.getsockname()[1]}/cb")
        with pytest.raises(OAuthError, match="cannot listen"):
            await run_login(manager, open_browser=False, echo=lambda m: None)


async def test_paste_mode_for_non_loopback_redirect(
    manager_factory: Any, endpoint: TokenEndpoint
) -> None:
    manager = manager_factory("https://app.example.com/callback")
    prompts: list[str] = []

    async def read(prompt: str) -> str:
        prompts.append(prompt)
        state = parse_qs(urlsplit(shown[0]).query)["state"][0]
        return f"https://app.example.com/callback?code=good-code&state={state}\n"

    shown: list[str] = []

    def echo(message: str) -> None:
        shown.extend(w for w in message.split() if w.startswith("https://auth.test"))

    token = await run_login(manager, open_browser=False, echo=echo, read_redirect=read)
    assert token.access == "at-SECRET"
    assert prompts
    assert endpoint.calls[0]["redirect_uri"] == "https://app.example.com/callback"


async def test_paste_mode_accepts_implicit_redirect(manager_factory: Any, tmp_path: Path) -> None:
    manager = manager_factory("https://app.example.com/callback")
    shown: list[str] = []

    async def read(prompt: str) -> str:
        state = parse_qs(urlsplit(shown[0]).query)["state"][0]
        return f"https://app.example.com/callback#access_token=imp-SECRET&expires_in=86399&state={state}"

    def echo(message: str) -> None:
        shown.extend(w for w in message.split() if w.startswith("https://auth.test"))

    token = await run_login(manager, open_browser=False, echo=echo, read_redirect=read)
    assert token.access == "imp-SECRET"
    assert token.refresh_token is None
    assert await FileTokenStore(tmp_path / "token.json").load() == token


async def test_missing_redirect_uri(manager_factory: Any) -> None:
    with pytest.raises(ConfigurationError, match="UPWORK_REDIRECT_URI"):
        await run_login(manager_factory(None), open_browser=False)


def test_is_loopback_redirect() -> None:
    assert is_loopback_redirect("http://127.0.0.1:8080/cb")
    assert is_loopback_redirect("http://localhost:8080/cb")
    assert is_loopback_redirect("http://[::1]:8080/cb")
    assert not is_loopback_redirect("https://127.0.0.1:8080/cb")
    assert not is_loopback_redirect("http://example.com/cb")
    assert not is_loopback_redirect("http://10.0.0.1/cb")


def test_loopback_login_under_trio(endpoint: TokenEndpoint, tmp_path: Path) -> None:
    async def main() -> str:
        async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint.handler)) as http:
            manager = TokenManager(
                "cid",
                "csecret",
                token_url=TOKEN_URL,
                authorize_url=AUTHORIZE_URL,
                redirect_uri=f"http://127.0.0.1:{free_port()}/cb",
                store=FileTokenStore(tmp_path / "token.json"),
                http_client=http,
            )
            with anyio.fail_after(20):
                token = await run_login(manager, consent=auto_consent(), echo=lambda m: None)
            return token.access

    assert anyio.run(main, backend="trio") == "at-SECRET"

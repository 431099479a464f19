"""The sandbox's OAuth2 endpoints: Upwork's paths, grants, rotation and the bearer check."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from upwork_gql.sandbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    LIMITED_CLIENT_ID,
    LIMITED_CLIENT_SECRET,
    SandboxConfig,
    SandboxState,
    create_app,
    get_state,
)

AUTHORIZE = "/ab/account-security/oauth2/authorize"
TOKEN = "/api/v3/oauth2/token"
REDIRECT = "http://127.0.0.1:8765/callback"
USER_QUERY = {"query": "{ user { id name } }"}


class FakeClock:
    """A controllable clock for token lifetimes."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(clock: FakeClock) -> SandboxConfig:
    return SandboxConfig(clock=clock, access_token_ttl=3600, refresh_grace=86400)


@pytest.fixture
async def http(config: SandboxConfig) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


def state_of(http: httpx.AsyncClient) -> SandboxState:
    return get_state(http.app)  # type: ignore[attr-defined]


async def authorize(http: httpx.AsyncClient, **extra: str) -> dict[str, list[str]]:
    params = {
        "response_type": "code",
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "state": "xyz",
        **extra,
    }
    response = await http.get(AUTHORIZE, params=params)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


async def exchange(http: httpx.AsyncClient, code: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "code": code,
        "redirect_uri": REDIRECT,
        **extra,
    }
    return await http.post(TOKEN, data=form)


async def refresh(http: httpx.AsyncClient, token: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "refresh_token": token,
    }
    return await http.post(TOKEN, data=form)


async def login(http: httpx.AsyncClient) -> dict[str, object]:
    query = await authorize(http)
    response = await exchange(http, query["code"][0])
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_authorization_code_flow(http: httpx.AsyncClient) -> None:
    query = await authorize(http)
    assert query["state"] == ["xyz"]
    response = await exchange(http, query["code"][0])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("oauth2v2_")
    graphql = await http.post("/graphql", json=USER_QUERY, headers=bearer(body["access_token"]))
    assert graphql.status_code == 200
    assert graphql.json()["data"]["user"]["name"] == "Ada Lovelace"
    counters = state_of(http).counters
    assert counters["token_requests"] == 1
    assert counters["token.authorization_code"] == 1
    assert counters["authorize_requests"] == 1


async def test_code_is_single_use(http: httpx.AsyncClient) -> None:
    code = (await authorize(http))["code"][0]
    assert (await exchange(http, code)).status_code == 200
    again = await exchange(http, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_redirect_uri_must_match(http: httpx.AsyncClient) -> None:
    code = (await authorize(http))["code"][0]
    response = await exchange(http, code, redirect_uri="http://127.0.0.1:9/other")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_expired_code(http: httpx.AsyncClient, clock: FakeClock) -> None:
    code = (await authorize(http))["code"][0]
    clock.advance(601)
    response = await exchange(http, code)
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("method", ["S256", "plain"])
async def test_pkce(http: httpx.AsyncClient, method: str) -> None:
    verifier = "v" * 43 + method
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        challenge = verifier
    extra = {"code_challenge": challenge, "code_challenge_method": method}
    missing = await exchange(http, (await authorize(http, **extra))["code"][0])
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_grant"
    wrong = await exchange(
        http, (await authorize(http, **extra))["code"][0], code_verifier="w" * 43
    )
    assert wrong.json()["error"] == "invalid_grant"
    right = await exchange(
        http, (await authorize(http, **extra))["code"][0], code_verifier=verifier
    )
    assert right.status_code == 200
    assert "access_token" in right.json()


async def test_client_authentication_in_form_body(http: httpx.AsyncClient) -> None:
    code = (await authorize(http))["code"][0]
    bad = await exchange(http, code, client_secret="nope")
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    # HTTP Basic instead of the form body is refused: Upwork wants the credentials in the body.
    basic = await http.post(
        TOKEN,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
    )
    assert basic.status_code == 401
    assert basic.json()["error"] == "invalid_client"


async def test_refresh_rotation_like_upwork(http: httpx.AsyncClient, clock: FakeClock) -> None:
    first = await login(http)
    r1 = first["refresh_token"]
    second = (await refresh(http, str(r1))).json()
    r2 = second["refresh_token"]
    assert r2 != r1
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == 3600
    # The rotated token still works during the grace period (cut to 24 h) ...
    clock.advance(3600)
    within_grace = await refresh(http, str(r1))
    assert within_grace.status_code == 200
    # ... and is dead after it; the newer one lives on (14 days since issue).
    clock.advance(86400 - 3600 + 1)
    dead = await refresh(http, str(r1))
    assert dead.status_code == 400
    assert dead.json()["error"] == "invalid_grant"
    alive = await refresh(http, str(r2))
    assert alive.status_code == 200
    counters = state_of(http).counters
    assert counters["refreshes"] == 3
    assert counters["token_errors"] == 1


async def test_refresh_token_expires_after_its_ttl(
    http: httpx.AsyncClient, clock: FakeClock
) -> None:
    tokens = await login(http)
    clock.advance(14 * 86400 + 1)
    response = await refresh(http, str(tokens["refresh_token"]))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "refresh token is invalid or expired",
    }


async def test_unknown_refresh_token_and_other_client(http: httpx.AsyncClient) -> None:
    assert (await refresh(http, "oauth2v2_unknown")).json()["error"] == "invalid_grant"
    tokens = await login(http)
    other = await http.post(
        TOKEN,
        data={
            "grant_type": "refresh_token",
            "client_id": LIMITED_CLIENT_ID,
            "client_secret": LIMITED_CLIENT_SECRET,
            "refresh_token": str(tokens["refresh_token"]),
        },
    )
    assert other.json()["error"] == "invalid_grant"


async def test_client_credentials(http: httpx.AsyncClient) -> None:
    response = await http.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert "refresh_token" not in body
    assert body["token_type"] == "Bearer"
    graphql = await http.post("/graphql", json=USER_QUERY, headers=bearer(body["access_token"]))
    assert graphql.status_code == 200
    assert state_of(http).counters["token.client_credentials"] == 1


async def test_unsupported_grant_and_missing_fields(http: httpx.AsyncClient) -> None:
    base = {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
    password = await http.post(TOKEN, data={**base, "grant_type": "password"})
    assert password.status_code == 400
    assert password.json()["error"] == "unsupported_grant_type"
    no_code = await http.post(TOKEN, data={**base, "grant_type": "authorization_code"})
    assert no_code.json()["error"] == "invalid_request"


async def test_implicit_grant_returns_fragment(http: httpx.AsyncClient) -> None:
    response = await http.get(
        AUTHORIZE,
        params={
            "response_type": "token",
            "client_id": DEFAULT_CLIENT_ID,
            "redirect_uri": REDIRECT,
            "state": "s1",
        },
    )
    assert response.status_code == 302
    fragment = parse_qs(urlsplit(response.headers["location"]).fragment)
    assert fragment["expires_in"] == ["3600"]
    assert fragment["state"] == ["s1"]
    token = fragment["access_token"][0]
    ok = await http.post("/graphql", json=USER_QUERY, headers=bearer(token))
    assert ok.status_code == 200


async def test_authorize_rejects_unknown_client(http: httpx.AsyncClient) -> None:
    response = await http.get(
        AUTHORIZE,
        params={"response_type": "code", "client_id": "nobody", "redirect_uri": REDIRECT},
    )
    assert response.status_code == 400


async def test_denied_consent_redirects_with_error(clock: FakeClock) -> None:
    app = create_app(SandboxConfig(clock=clock, auto_consent=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        query = await authorize(http)
    assert query == {"error": ["access_denied"], "state": ["xyz"]}


async def test_bearer_check(http: httpx.AsyncClient, clock: FakeClock) -> None:
    missing = await http.post("/graphql", json=USER_QUERY)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    garbage = await http.post("/graphql", json=USER_QUERY, headers=bearer("oauth2v2_nope"))
    assert garbage.status_code == 401
    tokens = await login(http)
    ok = await http.post("/graphql", json=USER_QUERY, headers=bearer(tokens["access_token"]))
    assert ok.status_code == 200
    clock.advance(3600)
    expired = await http.post("/graphql", json=USER_QUERY, headers=bearer(tokens["access_token"]))
    assert expired.status_code == 401
    assert state_of(http).counters["unauthorized"] == 3
    fresh = (await refresh(http, str(tokens["refresh_token"]))).json()
    again = await http.post("/graphql", json=USER_QUERY, headers=bearer(fresh["access_token"]))
    assert again.status_code == 200


async def test_expire_tokens_control_endpoint(http: httpx.AsyncClient) -> None:
    tokens = await login(http)
    response = await http.post("/_sandbox/expire-tokens")
    assert response.json()["expired"] >= 1
    after = await http.post("/graphql", json=USER_QUERY, headers=bearer(tokens["access_token"]))
    assert after.status_code == 401
    assert (await refresh(http, str(tokens["refresh_token"]))).status_code == 200
    await http.post("/_sandbox/expire-tokens", params={"kind": "refresh"})
    dead = await refresh(http, str(tokens["refresh_token"]))
    assert dead.json()["error"] == "invalid_grant"


async def test_issued_tokens_repr_hides_secrets(http: httpx.AsyncClient) -> None:
    issued = state_of(http).issue_tokens()
    assert issued.access_token not in repr(issued)
    assert DEFAULT_CLIENT_SECRET not in repr(SandboxConfig().default_client)

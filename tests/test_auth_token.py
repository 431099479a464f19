"""Token (secrets, python-upwork-oauth2 shape, leeway) and the authlib-based grant helpers."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from upwork_gql._exceptions import OAuthError, StateMismatchError
from upwork_gql.auth import Token, TokenManager, grants, refresh_leeway

ACCESS = "oauth2v2_access_SECRET_1234567890"
REFRESH = "oauth2v2_refresh_SECRET_0987654321"


def legacy_dict() -> dict[str, object]:
    # What python-upwork-oauth2 (authlib OAuth2Token) users have saved.
    return {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "token_type": "Bearer",
        "expires_in": 86400,
        "expires_at": 1_900_000_000,
    }


def test_reads_python_upwork_oauth2_shape_and_writes_it_back() -> None:
    token = Token.from_dict(legacy_dict())
    assert token.access == ACCESS
    assert token.refresh_token is not None
    assert token.refresh_token.get_secret_value() == REFRESH
    assert token.expires_at == 1_900_000_000
    assert token.lifetime == 86400
    assert Token.from_dict(token.to_dict()) == token
    assert token.to_dict() == legacy_dict()


def test_expires_at_computed_from_expires_in() -> None:
    token = Token.from_dict({"access_token": "a", "expires_in": "3600"}, now=1000.0)
    assert token.expires_at == 4600.0
    assert token.token_type == "Bearer"
    assert token.refresh_token is None


def test_expires_at_as_string_and_no_expiry() -> None:
    assert Token.from_dict({"access_token": "a", "expires_at": "123"}).expires_at == 123.0
    forever = Token.from_dict({"access_token": "a"})
    assert forever.expires_at is None
    assert not forever.needs_refresh()
    assert not forever.is_expired()


@pytest.mark.parametrize(
    "data",
    [{}, {"access_token": ""}, {"access_token": 5}, {"access_token": "a", "expires_in": "x"}],
)
def test_invalid_token_data_is_refused_without_echoing(data: dict[str, object]) -> None:
    with pytest.raises(OAuthError):
        Token.from_dict(data)


def test_repr_and_str_hide_secrets() -> None:
    token = Token.from_dict(legacy_dict())
    for text in (repr(token), str(token), f"{token}", repr([token])):
        assert ACCESS not in text
        assert REFRESH not in text
        assert "***" in text


def test_leeway_scales_with_lifetime() -> None:
    assert refresh_leeway(86400) == 300.0
    assert refresh_leeway(60) == pytest.approx(6.0)
    assert refresh_leeway(1) == pytest.approx(0.1)
    now = 10_000.0
    short = Token.from_dict({"access_token": "a", "expires_in": 60}, now=now)
    assert not short.needs_refresh(now)  # a 60-second token is not born expired
    assert not short.needs_refresh(now + 53)
    assert short.needs_refresh(now + 54.5)
    assert not short.is_expired(now + 59)
    assert short.is_expired(now + 60)
    day = Token.from_dict({"access_token": "a", "expires_in": 86400}, now=now)
    assert not day.needs_refresh(now + 86400 - 301)
    assert day.needs_refresh(now + 86400 - 299)


def test_authorization_url_with_state_and_pkce() -> None:
    manager = TokenManager(
        "my-client",
        "s3cret",
        authorize_url="https://auth.example/authorize",
        redirect_uri="http://127.0.0.1:8765/callback",
    )
    url, state, verifier = manager.create_authorization_url(pkce=True)
    assert verifier is not None
    assert 43 <= len(verifier) <= 128
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://auth.example/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == "my-client"
    assert query["redirect_uri"] == "http://127.0.0.1:8765/callback"
    assert query["state"] == state
    assert len(state) >= 30
    assert query["code_challenge_method"] == "S256"
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    assert query["code_challenge"] == create_s256_code_challenge(verifier)
    assert "s3cret" not in url
    # States are random.
    assert manager.create_authorization_url()[1] != state
    url2, _, no_verifier = manager.create_authorization_url(state="fixed")
    assert no_verifier is None
    assert "code_challenge" not in url2
    assert "state=fixed" in url2


def test_token_requests_use_client_secret_post() -> None:
    request = grants.refresh_token_request("cid", "csecret", refresh_token=REFRESH)
    form = {k: v[0] for k, v in parse_qs(request.body).items()}
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
        "client_id": "cid",
        "client_secret": "csecret",
    }
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers
    assert REFRESH not in repr(request)
    assert "csecret" not in repr(request)
    code = grants.authorization_code_request(
        "cid", "csecret", code="the-code", redirect_uri="http://x/cb", code_verifier="v" * 50
    )
    form = {k: v[0] for k, v in parse_qs(code.body).items()}
    assert form["grant_type"] == "authorization_code"
    assert form["code"] == "the-code"
    assert form["redirect_uri"] == "http://x/cb"
    assert form["code_verifier"] == "v" * 50
    cc = grants.client_credentials_request("cid", "csecret")
    assert parse_qs(cc.body)["grant_type"] == ["client_credentials"]


def test_parse_authorization_response_checks_state() -> None:
    url = "http://127.0.0.1:1/cb?code=abc&state=good"
    assert grants.parse_authorization_response(url, "good").code == "abc"
    with pytest.raises(StateMismatchError):
        grants.parse_authorization_response(url, "other")
    with pytest.raises(StateMismatchError):
        grants.parse_authorization_response("http://127.0.0.1:1/cb?code=abc", "good")
    with pytest.raises(OAuthError, match="access_denied"):
        grants.parse_authorization_response(
            "http://127.0.0.1:1/cb?error=access_denied&state=good", "good"
        )
    with pytest.raises(OAuthError, match="no authorization code"):
        grants.parse_authorization_response("http://127.0.0.1:1/cb?state=good", "good")


def test_parse_implicit_redirect() -> None:
    manager = TokenManager("cid", clock=lambda: 1000.0)
    token = manager.parse_implicit_redirect(
        "https://app.example/cb#access_token=abcdefghijklmnopqrstuvwxyz&expires_in=86399"
    )
    assert token.access == "abcdefghijklmnopqrstuvwxyz"
    assert token.expires_at == 1000.0 + 86399
    assert token.token_type == "Bearer"
    assert token.refresh_token is None
    assert token.grant_type == "implicit"
    with pytest.raises(StateMismatchError):
        manager.parse_implicit_redirect("https://a/cb#access_token=x&state=a", expected_state="b")
    with pytest.raises(OAuthError):
        manager.parse_implicit_redirect("https://a/cb#expires_in=5")


def test_manager_repr_hides_secret() -> None:
    token = Token.from_dict(legacy_dict())
    manager = TokenManager("cid", "client-SECRET-value", token=token)
    text = repr(manager)
    assert "client-SECRET-value" not in text
    assert ACCESS not in text
    assert REFRESH not in text


def test_sync_auth_flow_raises_clear_error() -> None:
    import httpx

    manager = TokenManager("cid", token={"access_token": "a"})
    with httpx.Client(auth=manager) as client, pytest.raises(RuntimeError, match="async-only"):
        client.get("http://127.0.0.1:9/")


def test_time_is_wall_clock() -> None:
    token = Token.from_dict({"access_token": "a", "expires_in": 100})
    assert token.expires_at is not None
    assert abs(token.expires_at - (time.time() + 100)) < 5

"""OAuth2 protocol helpers (authlib): authorization URL, PKCE, token requests, redirect parsing.

Pure functions, no I/O: the token manager sends what they build with its own httpx client, so
retries, timeouts and secrecy stay under our control.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749 import parameters as rfc6749
from authlib.oauth2.rfc6749.errors import (
    MissingCodeException,
    MissingTokenException,
    MissingTokenTypeException,
)
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from upwork_gql._exceptions import OAuthError, StateMismatchError

__all__ = [
    "AuthorizationResponse",
    "TokenRequest",
    "authorization_code_request",
    "build_authorization_url",
    "client_credentials_request",
    "generate_code_verifier",
    "generate_state",
    "parse_authorization_response",
    "parse_implicit_redirect",
    "refresh_token_request",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def generate_state() -> str:
    return str(generate_token(32))


def generate_code_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43-128 unreserved characters)."""
    return str(generate_token(64))


def build_authorization_url(
    authorize_url: str,
    client_id: str,
    *,
    redirect_uri: str | None,
    state: str,
    response_type: str = "code",
    code_verifier: str | None = None,
    scope: str | None = None,
) -> str:
    """The URL the resource owner opens to grant access (``code`` or implicit ``token``)."""
    extra: dict[str, Any] = {}
    if code_verifier is not None:
        extra["code_challenge"] = create_s256_code_challenge(code_verifier)
        extra["code_challenge_method"] = "S256"
    url = rfc6749.prepare_grant_uri(
        authorize_url,
        client_id,
        response_type,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        **extra,
    )
    return str(url)


@dataclass(frozen=True, repr=False)
class TokenRequest:
    """A form-encoded token-endpoint request body (contains secrets: never log ``body``)."""

    grant_type: str
    body: str
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        return f"TokenRequest(grant_type={self.grant_type!r})"


def _token_request(
    grant_type: str,
    client_id: str,
    client_secret: str | None,
    *,
    redirect_uri: str | None = None,
    **params: Any,
) -> TokenRequest:
    body = rfc6749.prepare_token_request(grant_type, redirect_uri=redirect_uri, **params)
    # Upwork wants client_id and client_secret in the form body (client_secret_post).
    method = "client_secret_post" if client_secret is not None else "none"
    auth = ClientAuth(client_id, client_secret, method)
    headers = {"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"}
    _, headers, body = auth.prepare("POST", "", headers, body)
    return TokenRequest(grant_type=grant_type, body=str(body), headers=dict(headers))


def authorization_code_request(
    client_id: str,
    client_secret: str | None,
    *,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None = None,
) -> TokenRequest:
    return _token_request(
        "authorization_code",
        client_id,
        client_secret,
        redirect_uri=redirect_uri,
        code=code,
        code_verifier=code_verifier,
    )


def refresh_token_request(
    client_id: str, client_secret: str | None, *, refresh_token: str
) -> TokenRequest:
    return _token_request("refresh_token", client_id, client_secret, refresh_token=refresh_token)


def client_credentials_request(
    client_id: str, client_secret: str | None, *, scope: str | None = None
) -> TokenRequest:
    return _token_request("client_credentials", client_id, client_secret, scope=scope)


@dataclass(frozen=True, repr=False)
class AuthorizationResponse:
    code: str
    state: str | None

    def __repr__(self) -> str:
        return f"AuthorizationResponse(code='***', state={'***' if self.state else None})"


def _check_state(received: str | None, expected: str | None) -> None:
    if expected is None:
        return
    if received is None or not hmac.compare_digest(received.encode(), expected.encode()):
        raise StateMismatchError(
            "the authorization response's state does not match the request; refusing it "
            "(possible CSRF or a stale browser tab): start the login again"
        )


def _raise_for_error(params: Mapping[str, str]) -> None:
    error = params.get("error")
    if error:
        description = params.get("error_description", "")
        detail = f": {description[:200]}" if description else ""
        raise OAuthError(f"authorization was refused ({error[:50]}){detail}")


def parse_authorization_response(url: str, expected_state: str | None) -> AuthorizationResponse:
    """Read ``code`` (and check ``state``) from the redirect URL the browser landed on."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    if "code" not in params:
        fragment = dict(parse_qsl(urlsplit(url).fragment, keep_blank_values=True))
        params = {**fragment, **params}
    _raise_for_error(params)
    _check_state(params.get("state"), expected_state)
    try:
        result = rfc6749.parse_authorization_code_response(url)
    except MissingCodeException:
        raise OAuthError("the redirect URL has no authorization code") from None
    return AuthorizationResponse(code=str(result["code"]), state=params.get("state"))


def parse_implicit_redirect(url: str, expected_state: str | None = None) -> dict[str, Any]:
    """Read an implicit-grant token from ``...#access_token=...&expires_in=...``.

    Upwork's implicit redirect may omit ``token_type``; it defaults to ``Bearer``. Returns the
    token dict (feed it to :meth:`Token.from_dict`).
    """
    fragment = urlsplit(url).fragment
    params = dict(parse_qsl(fragment, keep_blank_values=True))
    _raise_for_error(params)
    _check_state(params.get("state"), expected_state)
    if "access_token" in params and "token_type" not in params:
        params["token_type"] = "Bearer"
        url = url + "&token_type=Bearer"
    try:
        result = rfc6749.parse_implicit_response(url)
    except (MissingTokenException, MissingTokenTypeException):
        raise OAuthError("the redirect URL has no access_token in its fragment") from None
    token = {k: v for k, v in dict(result).items() if k != "state"}
    return token

"""The OAuth2 token endpoint: one token request (POST), its retries, and its errors.

:func:`post_token` sends a :class:`~upwork_gql.auth.grants.TokenRequest` with the one retry policy
(:mod:`upwork_gql._retry`): 408/429/5xx and connection errors are retried with backoff, an
authorization code (single use) only when it provably never left. The whole request, retries and
backoff included, ends within ``deadline`` seconds, else :class:`~upwork_gql.TokenEndpointError`.
Each attempt is shielded from cancellation (bounded by the timeout and the deadline): a rotation
the server performed must reach the caller, who saves it. Refusals become the error tree
(``invalid_grant`` on a refresh: :class:`~upwork_gql.ReauthenticationRequired`), with every
secret of the request scrubbed from messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

import anyio
import httpx

from upwork_gql._constants import ENV_CLIENT_SECRET
from upwork_gql._exceptions import (
    ConfigurationError,
    OAuthError,
    ReauthenticationRequired,
    TokenEndpointError,
)
from upwork_gql._redact import get_logger, redact_text
from upwork_gql._retry import RetryPolicy
from upwork_gql.auth import grants
from upwork_gql.auth._token import Token
from upwork_gql.auth.grants import TokenRequest

__all__ = ["LOGIN_HINT", "TokenEndpoint", "grant_for", "post_token", "scrub"]

logger = get_logger("upwork_gql.auth")

LOGIN_HINT: Final = "run `upwork-gql auth login`"

_NO_AUTH: Final = httpx.Auth()
_DETAIL_LEN: Final = 200


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret known to the process, and ``secrets``, replaced in every
    form a server may echo (raw, JSON-, URL-, form- or Basic-encoded)."""
    return redact_text(text, secrets)


async def post_token(
    client: httpx.AsyncClient,
    url: str,
    request: TokenRequest,
    *,
    policy: RetryPolicy,
    request_timeout: httpx.Timeout,
    deadline: float,
    secrets: list[str],
    on_attempt: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """POST ``request`` to ``url`` and return the token response (a dict with ``access_token``).

    ``on_attempt`` is called before each HTTP request (retries included); ``secrets`` are
    scrubbed from every message.
    """
    attempts = policy.max_retries + 1
    # A refresh token that was redeemed stays valid for a while at Upwork, so a refresh may be
    # sent again; an authorization code is single-use.
    idempotent = request.grant_type != "authorization_code"
    deadline_at = anyio.current_time() + deadline

    def out_of_time(detail: str, status: int | None = None) -> TokenEndpointError:
        return TokenEndpointError(
            f"token endpoint gave no usable answer within the {deadline:g}s deadline ({detail})",
            status_code=status,
        )

    for attempt in range(attempts):
        last = attempt == attempts - 1
        if on_attempt is not None:
            on_attempt()
        response: httpx.Response | None = None
        try:
            # Shielded (bounded by the timeout and the overall deadline): a rotation the server
            # performed must reach the store even if the caller is cancelled meanwhile. Backoff
            # sleeps are not shielded.
            with anyio.CancelScope(shield=True, deadline=deadline_at):
                response = await client.post(
                    url,
                    content=request.body.encode(),
                    headers=dict(request.headers),
                    auth=_NO_AUTH,
                    timeout=request_timeout,
                )
                await response.aread()
        except httpx.TransportError as exc:
            reason = scrub(f"{type(exc).__name__}: {exc}", secrets)[:_DETAIL_LEN]
            delay = (
                policy.delay(attempt)
                if policy.should_retry(idempotent=idempotent, error=exc)
                else None
            )
            if last or delay is None:
                raise TokenEndpointError(
                    f"token endpoint unreachable after {attempt + 1} attempt(s) ({reason})"
                ) from None
            if anyio.current_time() + delay >= deadline_at:
                raise out_of_time(f"attempt {attempt + 1}: {reason}") from None
            logger.warning(
                "token request (%s) attempt %d failed: %s; retrying in %.2fs",
                request.grant_type,
                attempt + 1,
                reason,
                delay,
            )
            await anyio.sleep(delay)
            continue
        if response is None:  # the deadline cancelled the attempt
            raise out_of_time(f"attempt {attempt + 1} still waiting")
        status = response.status_code
        if policy.should_retry(idempotent=idempotent, response=response):
            delay = policy.delay(attempt, response.headers)
            if last or delay is None:
                raise TokenEndpointError(
                    f"token endpoint returned HTTP {status} after {attempt + 1} attempt(s)",
                    status_code=status,
                )
            if anyio.current_time() + delay >= deadline_at:
                raise out_of_time(f"attempt {attempt + 1}: HTTP {status}", status)
            logger.warning(
                "token request (%s) attempt %d got HTTP %d; retrying in %.2fs",
                request.grant_type,
                attempt + 1,
                status,
                delay,
            )
            await anyio.sleep(delay)
            continue
        data = _parse_body(response)
        if 200 <= status < 300 and data is not None and data.get("access_token"):
            logger.debug("token request (%s) succeeded (HTTP %d)", request.grant_type, status)
            return data
        raise _endpoint_error(request.grant_type, status, data, secrets)
    raise AssertionError("unreachable")  # pragma: no cover


def grant_for(base: Token | None, client_credentials: bool) -> str | None:
    """How ``base`` can be renewed: ``refresh_token``, ``client_credentials``, or not at all."""
    if base is not None and base.refresh_token is not None:
        return "refresh_token"
    if client_credentials or (base is not None and base.grant_type == "client_credentials"):
        return "client_credentials"
    return None


@dataclass(frozen=True, slots=True)
class TokenEndpoint:
    """The token endpoint as one OAuth2 client sees it: a token per grant, via :func:`post_token`.

    ``client`` makes (or returns) the HTTP client on first need; ``on_attempt`` is called before
    each HTTP request.
    """

    client: Callable[[], httpx.AsyncClient]
    url: str
    client_id: str
    client_secret: str | None
    policy: RetryPolicy
    timeout: httpx.Timeout
    deadline: float
    clock: Callable[[], float]
    on_attempt: Callable[[], None] | None = None

    async def post(
        self, request: TokenRequest, *, extra_secrets: list[str] | None = None
    ) -> dict[str, Any]:
        return await post_token(
            self.client(),
            self.url,
            request,
            policy=self.policy,
            request_timeout=self.timeout,
            deadline=self.deadline,
            secrets=[s for s in (self.client_secret, *(extra_secrets or [])) if s],
            on_attempt=self.on_attempt,
        )

    async def authorization_code(
        self, code: str, *, redirect_uri: str | None, code_verifier: str | None
    ) -> Token:
        """The token an authorization code (single use) is exchanged for."""
        request = grants.authorization_code_request(
            self.client_id,
            self.client_secret,
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        )
        data = await self.post(request, extra_secrets=[code, code_verifier or ""])
        return Token.from_dict(data, now=self.clock()).with_grant_type("authorization_code")

    async def renew(self, base: Token | None, grant: str | None, scope: str | None) -> Token:
        """A new token for ``base`` by ``grant`` (:func:`grant_for`). A refresh response without
        ``refresh_token`` keeps the old one; the grant type carries over."""
        if grant == "client_credentials":
            return await self.client_credentials(scope)
        if base is None:
            raise ReauthenticationRequired(f"not logged in (no saved token): {LOGIN_HINT}")
        if grant != "refresh_token" or base.refresh_token is None:
            raise ReauthenticationRequired(
                "the access token expired or was rejected and there is no refresh token: "
                + LOGIN_HINT
            )
        refresh_token = base.refresh_token.get_secret_value()
        request = grants.refresh_token_request(
            self.client_id, self.client_secret, refresh_token=refresh_token
        )
        data = await self.post(request, extra_secrets=[refresh_token, base.access])
        new = Token.from_dict(data, now=self.clock())
        if new.refresh_token is None:
            new = new.with_refresh_token(base.refresh_token)
        if new.grant_type is None:
            new = new.with_grant_type(base.grant_type)
        return new

    async def client_credentials(self, scope: str | None) -> Token:
        """A token from the client credentials grant (service accounts)."""
        if self.client_secret is None:
            raise ConfigurationError(
                f"the client credentials grant needs a client secret (set {ENV_CLIENT_SECRET})"
            )
        request = grants.client_credentials_request(self.client_id, self.client_secret, scope=scope)
        data = await self.post(request)
        return Token.from_dict(data, now=self.clock()).with_grant_type("client_credentials")


def _parse_body(response: httpx.Response) -> dict[str, Any] | None:
    text = response.text
    try:
        data = json.loads(text)
    except ValueError:
        if "access_token=" in text or "error=" in text:
            return dict(parse_qsl(text.strip().lstrip("/#?")))
        return None
    return data if isinstance(data, dict) else None


def _endpoint_error(
    grant_type: str, status: int, data: dict[str, Any] | None, secrets: list[str]
) -> OAuthError:
    if data is None:
        return TokenEndpointError(
            f"token endpoint returned HTTP {status} without a usable token response",
            status_code=status,
        )
    error = scrub(str(data.get("error") or ""), secrets)[:100] or None
    description = scrub(str(data.get("error_description") or data.get("message") or ""), secrets)
    detail = f": {description[:_DETAIL_LEN]}" if description else ""
    if error == "invalid_grant" and grant_type == "refresh_token":
        return ReauthenticationRequired(
            f"the saved login has expired or was revoked (invalid_grant){detail}; {LOGIN_HINT}"
        )
    if error == "invalid_grant" and grant_type == "authorization_code":
        return TokenEndpointError(
            "the authorization code was rejected (invalid_grant: used, expired, or issued for "
            f"another redirect URI){detail}; start the login again",
            status_code=status,
            error=error,
        )
    label = error or "no error code"
    return TokenEndpointError(
        f"token endpoint refused the {grant_type} request: HTTP {status} ({label}){detail}",
        status_code=status,
        error=error,
    )

"""``UpworkClient``: every generated operation as a typed method, plus auth, tenants and options."""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from upwork_gql._base_client import NOT_GIVEN, NotGiven, TimeoutTypes
from upwork_gql._constants import (
    DEFAULT_API_URL,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RATE_LIMIT_PER_SECOND,
    ENV_API_URL,
    ENV_TENANT_ID,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
)
from upwork_gql._exceptions import ConfigurationError
from upwork_gql._generated.client import GeneratedClient
from upwork_gql._ratelimit import RateLimiter

if TYPE_CHECKING:
    from upwork_gql.auth import TokenStore

__all__ = ["UpworkClient"]


class StaticTokenAuth(httpx.Auth):
    """A fixed bearer token (scripts, tests). Its ``repr`` never shows the token."""

    requires_request_body = False
    requires_response_body = False

    def __init__(self, access_token: str | SecretStr) -> None:
        token = access_token if isinstance(access_token, SecretStr) else SecretStr(access_token)
        if not token.get_secret_value():
            raise ConfigurationError("access_token is empty")
        self._header = SecretStr(f"Bearer {token.get_secret_value()}")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = self._header.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "StaticTokenAuth(access_token='***')"


class UpworkClient(GeneratedClient):
    """The async, typed client for Upwork's GraphQL API: every operation in ``queries/`` is a
    typed method (``await client.contract(id=...)``).

    Authentication, one of:

    * ``auth=``: any ``httpx.Auth``, typically a shared ``upwork_gql.auth.TokenManager``;
    * ``client_id=`` / ``client_secret=`` / ``token_store=``: a ``TokenManager`` is built (and
      closed with this client); the client id, secret, token URL and redirect URI that are not
      given come from ``UPWORK_CLIENT_ID``, ``UPWORK_CLIENT_SECRET``, ``UPWORK_TOKEN_URL`` and
      ``UPWORK_REDIRECT_URI``; without ``token_store``, the token file that
      ``upwork-gql auth login`` writes (``UPWORK_TOKEN_FILE``, else the user config dir). These
      variables are read from ``environ`` (default ``os.environ``);
    * ``access_token=``: a static bearer token (scripts, tests);
    * nothing: the given ``http_client``'s own auth, if any.

    ``tenant_id`` selects the organization (``X-Upwork-API-TenantId``); :meth:`with_tenant` and
    :meth:`with_options` return copies that share the connection pool, auth and rate limiter.
    Every other argument is described on :class:`~upwork_gql._base_client.BaseGraphQLClient`.
    """

    def __init__(
        self,
        *,
        url: str = DEFAULT_API_URL,
        auth: httpx.Auth | None = None,
        access_token: str | SecretStr | None = None,
        client_id: str | None = None,
        client_secret: str | SecretStr | None = None,
        token_store: TokenStore | None = None,
        token_url: str | None = None,
        redirect_uri: str | None = None,
        tenant_id: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: float | None = DEFAULT_RATE_LIMIT_PER_SECOND,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        rate_limiter: RateLimiter | None = None,
        retry_initial_delay: float = INITIAL_RETRY_DELAY,
        retry_max_delay: float = MAX_RETRY_DELAY,
        max_retry_after: float = MAX_RETRY_AFTER,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        owned_auth: httpx.Auth | None = None
        chosen = [
            n
            for n, v in (
                ("auth", auth),
                ("access_token", access_token),
                ("client_id/token_store", client_id or token_store),
            )
            if v
        ]
        if len(chosen) > 1:
            raise ConfigurationError(
                f"pass only one way to authenticate, got {' and '.join(chosen)}"
            )
        if access_token is not None:
            auth = StaticTokenAuth(access_token)
        elif client_id or token_store is not None:
            from upwork_gql.auth import TokenManager

            auth = owned_auth = TokenManager.from_env(
                client_id=client_id,
                store=token_store,
                environ=environ,
                client_secret=client_secret.get_secret_value()
                if isinstance(client_secret, SecretStr)
                else client_secret,
                token_url=token_url,
                redirect_uri=redirect_uri,
            )
        super().__init__(
            url,
            headers,
            http_client,
            auth=auth,
            tenant_id=tenant_id,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit=rate_limit,
            max_concurrency=max_concurrency,
            rate_limiter=rate_limiter,
            retry_initial_delay=retry_initial_delay,
            retry_max_delay=retry_max_delay,
            max_retry_after=max_retry_after,
        )
        self._owned_auth = owned_auth

    @classmethod
    def from_env(cls, *, environ: Mapping[str, str] | None = None, **kwargs: Any) -> UpworkClient:
        """Build from the environment.

        ``UPWORK_API_URL`` and ``UPWORK_TENANT_ID`` configure the client; ``UPWORK_CLIENT_ID``,
        ``UPWORK_CLIENT_SECRET``, ``UPWORK_REDIRECT_URI``, ``UPWORK_TOKEN_FILE``,
        ``UPWORK_TOKEN_URL`` and ``UPWORK_AUTHORIZE_URL`` the token manager (the token file is the
        one ``upwork-gql auth login`` writes). Keyword arguments override the environment.
        """
        env = os.environ if environ is None else environ
        kwargs.setdefault("url", env.get(ENV_API_URL, "").strip() or DEFAULT_API_URL)
        kwargs.setdefault("tenant_id", env.get(ENV_TENANT_ID, "").strip() or None)
        owned_auth: httpx.Auth | None = None
        if not any(kwargs.get(k) for k in ("auth", "access_token", "client_id", "token_store")):
            from upwork_gql.auth import TokenManager

            kwargs["auth"] = owned_auth = TokenManager.from_env(environ=env)
        client = cls(environ=env, **kwargs)
        if owned_auth is not None:
            client._owned_auth = owned_auth
        return client

    async def aclose(self) -> None:
        """Close the connection pool (if created here) and a token manager built here."""
        if self._is_copy or self._shared.closed:
            return
        await super().aclose()
        owned = self._owned_auth
        if owned is not None:
            close = getattr(owned, "aclose", None)
            if close is not None:
                await close()

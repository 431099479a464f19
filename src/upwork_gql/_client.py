"""``UpworkClient``: every generated operation as a typed method, plus auth, tenants and options."""

from __future__ import annotations

import importlib
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from upwork_gql._config import resolve
from upwork_gql._constants import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    ENV_CLIENT_ID,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
)
from upwork_gql._exceptions import ConfigurationError
from upwork_gql._generated.client import GeneratedClient
from upwork_gql._redact import REDACTOR
from upwork_gql._response import fast_loads
from upwork_gql._types import NOT_GIVEN, NotGiven, TimeoutTypes

if TYPE_CHECKING:
    from pydantic import SecretStr

    from upwork_gql.auth import TokenStore
    from upwork_gql.limits import Limiter
    from upwork_gql.telemetry import Hooks

__all__ = ["UpworkClient"]


class StaticTokenAuth(httpx.Auth):
    """A fixed bearer token (scripts, tests). Its ``repr`` never shows the token."""

    requires_request_body = False
    requires_response_body = False

    def __init__(self, access_token: str | SecretStr) -> None:
        from pydantic import SecretStr  # pydantic's types load when a token is given, not before

        token = access_token if isinstance(access_token, SecretStr) else SecretStr(access_token)
        if not token.get_secret_value():
            raise ConfigurationError("access_token is empty")
        self._header = SecretStr(f"Bearer {token.get_secret_value()}")
        REDACTOR.add(token)

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
    * nothing: the saved login when ``UPWORK_CLIENT_ID`` is set, else the given
      ``http_client``'s own auth, if any.

    An argument that the chosen way does not use (``token_url=`` with ``access_token=``, a
    ``client_secret=`` without any client id) is a :class:`~upwork_gql.ConfigurationError`.

    ``hooks=`` observes requests, responses, retries and refreshes without OpenTelemetry (see
    :mod:`upwork_gql.telemetry`, which also lists the spans and metrics reported when the
    application uses OpenTelemetry).

    ``tenant_id`` selects the organization (``X-Upwork-API-TenantId``); :meth:`with_tenant` and
    :meth:`with_options` return copies that share the connection pool, auth and rate limiter.
    Every other argument is described on :class:`~upwork_gql._base_client.BaseGraphQLClient`.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        auth: httpx.Auth | None = None,
        access_token: str | SecretStr | None = None,
        client_id: str | None = None,
        client_secret: str | SecretStr | None = None,
        token_store: TokenStore | None = None,
        token_url: str | None = None,
        authorize_url: str | None = None,
        redirect_uri: str | None = None,
        tenant_id: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: float | None | NotGiven = NOT_GIVEN,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        rate_limiter: Limiter | None = None,
        redis_url: str | None = None,
        retry_initial_delay: float = INITIAL_RETRY_DELAY,
        retry_max_delay: float = MAX_RETRY_DELAY,
        max_retry_after: float = MAX_RETRY_AFTER,
        environ: Mapping[str, str] | None = None,
        hooks: Hooks | None = None,
        pause_gc: bool = True,
        _require_auth: bool = False,
    ) -> None:
        oauth = {
            "client_id": client_id,
            "client_secret": client_secret,
            "token_store": token_store,
            "token_url": token_url,
            "authorize_url": authorize_url,
            "redirect_uri": redirect_uri,
        }
        given_oauth = [name for name, value in oauth.items() if value is not None]
        owned_auth: httpx.Auth | None = None
        if auth is not None and access_token is not None:
            raise ConfigurationError("pass auth= or access_token=, not both")
        if (auth is not None or access_token is not None) and given_oauth:
            mode = "auth=" if auth is not None else "access_token="
            raise ConfigurationError(
                f"{', '.join(given_oauth)} cannot be combined with {mode} "
                "(they configure the OAuth2 login, which is not used then)"
            )
        if access_token is not None:
            auth = StaticTokenAuth(access_token)
        elif auth is None:
            resolved_id = resolve("client_id", client_id, environ)
            if resolved_id or token_store is not None:
                from pydantic import SecretStr

                from upwork_gql.auth import TokenManager

                secret = (
                    client_secret.get_secret_value()
                    if isinstance(client_secret, SecretStr)
                    else client_secret
                )
                auth = owned_auth = TokenManager.from_env(
                    client_id=resolved_id,
                    store=token_store,
                    environ=environ,
                    client_secret=secret,
                    token_url=token_url,
                    authorize_url=authorize_url,
                    redirect_uri=redirect_uri,
                    hooks=hooks,
                )
            elif given_oauth or _require_auth:
                raise ConfigurationError(
                    f"no OAuth2 client id: pass client_id= or set {ENV_CLIENT_ID} "
                    "(or pass access_token= / auth=)"
                )
        owned_limiter: Any = None
        redis_url = resolve("redis_url", redis_url, environ)
        if redis_url and rate_limiter is None and rate_limit is not None:
            # Several replicas on one key: one rate and one daily budget, kept in Redis.
            from upwork_gql.limits import redis_rate_limiter_from_url

            namespace = getattr(auth, "client_id", None) or resolve("client_id", None, environ)
            if not namespace:
                raise ConfigurationError(
                    f"a Redis rate budget needs the client id ({ENV_CLIENT_ID}) to name its keys"
                )
            rate_limiter = owned_limiter = redis_rate_limiter_from_url(
                redis_url,
                namespace,
                rate=resolve(
                    "rate_limit", None if isinstance(rate_limit, NotGiven) else rate_limit, environ
                ),
                daily_quota=resolve("daily_quota", None, environ),
            )
        super().__init__(
            url,
            headers,
            http_client,
            auth=auth,
            tenant_id=resolve("tenant_id", tenant_id, environ),
            timeout=timeout,
            max_retries=max_retries,
            rate_limit=rate_limit,
            max_concurrency=max_concurrency,
            rate_limiter=rate_limiter,
            retry_initial_delay=retry_initial_delay,
            retry_max_delay=retry_max_delay,
            max_retry_after=max_retry_after,
            environ=environ,
            hooks=hooks,
            pause_gc=pause_gc,
        )
        self._owned_auth = owned_auth
        self._owned_limiter = owned_limiter
        # Every operation validates with pydantic: its model machinery (and the generated models'
        # bases, and orjson when installed) loads here, when the client is built, not inside the
        # first request; importing the package stays light, and each operation's own models
        # still load on its first call.
        importlib.import_module("upwork_gql._models")
        fast_loads()

    @classmethod
    def from_env(cls, *, environ: Mapping[str, str] | None = None, **kwargs: Any) -> UpworkClient:
        """Build from the environment, like the constructor, but an OAuth2 login is required.

        Every setting resolves the same way as in the constructor and ``TokenManager``: the
        argument, then its variable (``UPWORK_API_URL``, ``UPWORK_TENANT_ID``,
        ``UPWORK_CLIENT_ID``, ``UPWORK_CLIENT_SECRET``, ``UPWORK_REDIRECT_URI``,
        ``UPWORK_TOKEN_FILE``, ``UPWORK_TOKEN_URL``, ``UPWORK_AUTHORIZE_URL``,
        ``UPWORK_RATE_LIMIT``), then the default. Without ``auth=``, ``access_token=`` or a token
        store, the token is the one ``upwork-gql auth login`` saved.
        """
        return cls(environ=environ, _require_auth=True, **kwargs)

    async def aclose(self) -> None:
        """Close the connection pool (if created here) and a token manager built here."""
        if self._is_copy or self._shared.closed:
            return
        await super().aclose()
        for owned in (self._owned_auth, self._owned_limiter):
            close = getattr(owned, "aclose", None)
            if close is not None:
                await close()

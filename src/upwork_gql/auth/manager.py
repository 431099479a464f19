"""TokenManager: one long-lived manager per credential, plugged into httpx as an ``Auth`` flow.

Guarantees:

* **Single flight.** However many coroutines need a token at once, one token request runs; the
  others wait on an anyio lock and re-check inside it. With a lockable store (the file store),
  a cross-process lock is held across read-refresh-write and the store is re-read inside it,
  so a refresh already done by another process is reused instead of repeated.
* **Never lose a rotated refresh token.** The new pair is saved to the store *before* the new
  access token is used; a failed save raises :class:`~upwork_gql.TokenStoreError` and the new
  token is not used. Each token request and the save after it are shielded from cancellation
  (bounded by the token endpoint timeout), so a cancelled caller cannot drop a rotation. A
  response without ``refresh_token`` keeps the old one, and a refresh token that was rotated
  away is never sent again.
* **Bounded.** One token request, retries and backoff included, ends within ``deadline``
  (``TOKEN_ENDPOINT_DEADLINE``), else :class:`~upwork_gql.TokenEndpointError` with the store
  untouched; so the cross-process lock is released before other processes give up waiting for
  it (``TOKEN_FILE_LOCK_TIMEOUT`` is longer).
* **Proactive and reactive.** Tokens are refreshed before expiry, with a leeway scaled to their
  lifetime; on a 401 (or ``WWW-Authenticate: ... invalid_token``) the flow refreshes once and
  retries once, never looping.
* ``invalid_grant`` raises :class:`~upwork_gql.ReauthenticationRequired` and leaves the store
  untouched. Token endpoint 408/429/5xx and connection errors are retried with backoff.
* Secrets never appear in logs, reprs or exception messages.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any

import anyio
import httpx
from pydantic import SecretStr

from upwork_gql._config import resolve
from upwork_gql._constants import (
    ENV_CLIENT_ID,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
    TOKEN_ENDPOINT_DEADLINE,
    TOKEN_ENDPOINT_MAX_RETRIES,
    TOKEN_ENDPOINT_TIMEOUT,
    USER_AGENT,
)
from upwork_gql._exceptions import (
    ConfigurationError,
    OAuthError,
    TokenStoreError,
)
from upwork_gql._redact import REDACTOR, get_logger
from upwork_gql._retry import RetryPolicy
from upwork_gql._telemetry import observe_refresh
from upwork_gql.auth import grants
from upwork_gql.auth._endpoint import LOGIN_HINT, TokenEndpoint, grant_for
from upwork_gql.auth._token import Token, expires_in, refresh_digest, same_access
from upwork_gql.auth.stores import (
    FileTokenStore,
    MemoryTokenStore,
    TokenStore,
    TokenUpdateHook,
    save_token,
    store_lock,
)
from upwork_gql.telemetry import Hooks

__all__ = ["LOGIN_HINT", "TokenManager", "TokenUpdateHook"]

logger = get_logger("upwork_gql.auth")


def _register(token: Token | None) -> None:
    """Tokens read from a store are secrets from then on, whether used or replaced."""
    if token is not None:
        REDACTOR.add(token.access_token)
        REDACTOR.add(token.refresh_token)


class TokenManager(httpx.Auth):
    """Obtains, caches, refreshes and persists the OAuth2 token of one credential.

    Pass it per request (``await client.send(request, auth=manager)``) or as an
    ``httpx.AsyncClient(auth=manager)``. It is async-only. ``hooks=``
    (:class:`~upwork_gql.Hooks`): ``on_refresh`` is called after each refresh; each refresh is
    also a span ``upwork.oauth2.refresh`` (see :mod:`upwork_gql.telemetry`).
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        token_url: str | None = None,
        authorize_url: str | None = None,
        redirect_uri: str | None = None,
        store: TokenStore | None = None,
        on_token_update: TokenUpdateHook | None = None,
        http_client: httpx.AsyncClient | None = None,
        token: Token | Mapping[str, Any] | None = None,
        client_credentials: bool = False,
        scope: str | None = None,
        max_retries: int = TOKEN_ENDPOINT_MAX_RETRIES,
        retry_base_delay: float = INITIAL_RETRY_DELAY,
        retry_max_delay: float = MAX_RETRY_DELAY,
        timeout: httpx.Timeout | float = TOKEN_ENDPOINT_TIMEOUT,
        deadline: float = TOKEN_ENDPOINT_DEADLINE,
        clock: Callable[[], float] = time.time,
        environ: Mapping[str, str] | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        # Each setting: the argument, else its UPWORK_* variable, else the default.
        client_id = resolve("client_id", client_id, environ)
        if not client_id:
            raise ConfigurationError(f"an OAuth2 client id is required (set {ENV_CLIENT_ID})")
        client_secret = resolve("client_secret", client_secret, environ)
        self.client_id: str = client_id
        self._client_secret = SecretStr(client_secret) if client_secret is not None else None
        if client_secret:
            REDACTOR.add(client_secret)
            REDACTOR.add_basic(client_id, client_secret)
        self.token_url: str = resolve("token_url", token_url, environ)
        self.authorize_url: str = resolve("authorize_url", authorize_url, environ)
        self.redirect_uri: str | None = resolve("redirect_uri", redirect_uri, environ)
        if isinstance(token, Mapping):
            token = Token.from_dict(token)
        self.store: TokenStore = store if store is not None else MemoryTokenStore(token)
        self.on_token_update = on_token_update
        #: ``on_refresh`` is called after every refresh (see :mod:`upwork_gql.telemetry`).
        self.hooks: Hooks | None = hooks or None
        self.client_credentials = client_credentials
        self.scope = scope
        #: The one retry policy (upwork_gql._retry), as for API calls.
        self.retry_policy = RetryPolicy(max_retries, retry_base_delay, retry_max_delay)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        if not deadline > 0:
            raise ConfigurationError("the token request deadline must be a positive number")
        #: Seconds one token request may take, retries and backoff included.
        self.deadline = float(deadline)
        self._clock = clock
        self._http_client = http_client
        self._owns_http_client = http_client is None
        self._held_token: Token | None = None
        self._token = token
        self._lock = anyio.Lock()
        self._retired_refresh: set[str] = set()
        #: Number of HTTP requests sent to the token endpoint (including retries).
        self.token_requests = 0
        #: Number of successful refreshes (refresh_token or client_credentials re-fetch).
        self.refreshes = 0

    # -- construction helpers -------------------------------------------------------------------

    @classmethod
    def from_env(
        cls,
        *,
        client_id: str | None = None,
        store: TokenStore | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> TokenManager:
        """Build from ``UPWORK_CLIENT_ID``, ``UPWORK_CLIENT_SECRET``, ``UPWORK_REDIRECT_URI``,
        ``UPWORK_TOKEN_FILE``, ``UPWORK_TOKEN_URL`` and ``UPWORK_AUTHORIZE_URL``.

        ``client_id``, ``store`` and any keyword given (not ``None``) win over the environment.
        """
        redis_url = resolve("redis_url", kwargs.pop("redis_url", None), environ)
        if store is None and redis_url:
            from upwork_gql.auth.redis_store import redis_token_store_from_url

            resolved_id = resolve("client_id", client_id, environ)
            if not resolved_id:
                raise ConfigurationError(
                    f"{ENV_CLIENT_ID} is required with a Redis URL (it namespaces the keys)"
                )
            store = redis_token_store_from_url(redis_url, resolved_id)
        if store is None:
            store = FileTokenStore(resolve("token_file", None, environ))
        given = {key: value for key, value in kwargs.items() if value is not None}
        return cls(client_id, store=store, environ=environ, **given)

    def __repr__(self) -> str:
        return (
            f"TokenManager(client_id={self.client_id!r}, client_secret="
            f"{'***' if self._client_secret is not None else None}, token_url={self.token_url!r}, "
            f"store={self.store!r}, token={self._token!r})"
        )

    async def __aenter__(self) -> TokenManager:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if the manager created it."""
        if self._owns_http_client and self._http_client is not None:
            await self._http_client.aclose()
            self._http_client = None

    # -- public token access --------------------------------------------------------------------

    @property
    def _token(self) -> Token | None:
        return self._held_token

    @_token.setter
    def _token(self, token: Token | None) -> None:
        # Every token this manager holds is a secret that no message or log may show.
        if token is not None:
            REDACTOR.add(token.access_token)
            REDACTOR.add(token.refresh_token)
        self._held_token = token

    def redact(self, text: str) -> str:
        """``text`` with every secret this manager knows replaced by ``***``."""
        return REDACTOR.redact(text)

    @property
    def token(self) -> Token | None:
        """The token currently held in memory (may be ``None`` before the first use)."""
        return self._token

    async def get_token(self) -> Token:
        """A valid token: cached, loaded from the store, or refreshed (single flight)."""
        token = self._token
        if token is not None and not token.needs_refresh(self._clock()):
            return token
        try:
            return await self._obtain(stale=token, force=False)
        except TokenStoreError:
            # The store is unreachable: an access token that has not expired yet keeps working.
            if token is not None and not token.is_expired(self._clock()):
                logger.warning("token store unavailable; using the current token until it expires")
                return token
            raise

    async def get_access_token(self) -> str:
        """The current access token value (a secret: never log it)."""
        return (await self.get_token()).access

    async def refresh(self) -> Token:
        """Refresh now, whatever the expiry (with the newest refresh token in the store)."""
        return await self._obtain(stale=self._token, force=True)

    async def handle_rejected_token(self, access_token: str) -> Token:
        """The API rejected ``access_token``: refresh unless another caller already did.

        For callers that detect an invalid token themselves (e.g. inside a GraphQL response).
        """
        current = self._token
        if current is not None and current.access != access_token:
            return current
        stale = Token(access_token=SecretStr(access_token))
        return await self._obtain(stale=stale, force=False)

    async def set_token(self, token: Token | Mapping[str, Any]) -> Token:
        """Save ``token`` to the store and use it from now on."""
        if isinstance(token, Mapping):
            token = Token.from_dict(token, now=self._clock())
        async with self._lock, store_lock(self.store):
            await self._persist(token)
            self._token = token
        return token

    async def load(self) -> Token | None:
        """Read the store into memory (no network). Returns the loaded token, if any."""
        async with self._lock:
            stored = await self.store.load()
            if stored is not None:
                self._token = stored
            return stored

    async def logout(self) -> None:
        """Forget the token: clear the store and memory."""
        async with self._lock, store_lock(self.store):
            await self.store.clear()
            self._token = None

    # -- grants ---------------------------------------------------------------------------------

    def create_authorization_url(
        self,
        state: str | None = None,
        pkce: bool = False,
        *,
        response_type: str = "code",
        scope: str | None = None,
    ) -> tuple[str, str, str | None]:
        """Return ``(url, state, code_verifier)`` for the authorization-code (or implicit) grant."""
        state = state or grants.generate_state()
        verifier = grants.generate_code_verifier() if pkce else None
        url = grants.build_authorization_url(
            self.authorize_url,
            self.client_id,
            redirect_uri=self.redirect_uri,
            state=state,
            response_type=response_type,
            code_verifier=verifier,
            scope=scope or self.scope,
        )
        return url, state, verifier

    async def exchange_code(
        self,
        redirect_response: str,
        expected_state: str | None = None,
        code_verifier: str | None = None,
    ) -> Token:
        """Exchange an authorization code (or the full redirect URL, whose ``state`` is checked
        against ``expected_state``) for a token; save it and use it."""
        if "://" in redirect_response or redirect_response.startswith(("/", "?")):
            code = grants.parse_authorization_response(redirect_response, expected_state).code
        else:
            code = redirect_response.strip()
        if not code:
            raise OAuthError("empty authorization code")
        async with self._lock, store_lock(self.store):
            token = await self._endpoint().authorization_code(
                code, redirect_uri=self.redirect_uri, code_verifier=code_verifier
            )
            await self._persist(token)
            self._token = token
        logger.info(
            "logged in (authorization code); token expires in %s", expires_in(token, self._clock())
        )
        return token

    def parse_implicit_redirect(self, url: str, expected_state: str | None = None) -> Token:
        """Read an implicit-grant redirect (``#access_token=...&expires_in=...``) into a Token.

        Use :meth:`set_token` to save and use it. Implicit tokens have no refresh token.
        """
        data = grants.parse_implicit_redirect(url, expected_state)
        return Token.from_dict(data, now=self._clock()).with_grant_type("implicit")

    async def fetch_token_client_credentials(self, scope: str | None = None) -> Token:
        """Client credentials grant (service accounts): fetch, save and use a token."""
        self.client_credentials = True
        async with self._lock, store_lock(self.store):
            token = await self._endpoint().client_credentials(scope or self.scope)
            await self._persist(token)
            self._token = token
        return token

    # -- httpx.Auth -----------------------------------------------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError(
            "upwork_gql TokenManager is async-only: use it with httpx.AsyncClient, not httpx.Client"
        )
        yield request  # pragma: no cover

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.get_token()
        self._apply(request, token)
        response = yield request
        if not self.is_token_rejected(response):
            return
        logger.info("access token rejected (HTTP %s); refreshing once", response.status_code)
        new = await self._obtain(stale=token, force=False)
        self._apply(request, new)
        yield request

    @staticmethod
    def is_token_rejected(response: httpx.Response) -> bool:
        """401, or a ``WWW-Authenticate`` challenge saying ``invalid_token``."""
        if response.status_code == 401:
            return True
        challenge = response.headers.get("www-authenticate", "")
        return "invalid_token" in challenge.lower()

    @staticmethod
    def _apply(request: httpx.Request, token: Token) -> None:
        request.headers["Authorization"] = f"Bearer {token.access}"

    # -- internals ------------------------------------------------------------------------------

    def _secret_value(self) -> str | None:
        return self._client_secret.get_secret_value() if self._client_secret is not None else None

    def _usable(self, candidate: Token | None, stale: Token | None, now: float) -> bool:
        return (
            candidate is not None
            and not same_access(candidate, stale)
            and not candidate.needs_refresh(now)
        )

    def _is_retired(self, token: Token | None) -> bool:
        digest = refresh_digest(token.refresh_token) if token is not None else None
        return digest is not None and digest in self._retired_refresh

    async def _obtain(self, *, stale: Token | None, force: bool) -> Token:
        async with self._lock:
            now = self._clock()
            current = self._token
            if not force and current is not None:
                # Someone refreshed (or loaded) since the caller looked: reuse it.
                if stale is not None and not same_access(current, stale):
                    if not current.is_expired(now):
                        return current
                elif stale is None and not current.needs_refresh(now):
                    return current
            if not force:
                # Atomic writes make a lock-free read safe; lock only if we must refresh.
                stored = await self.store.load()
                _register(stored)
                if self._usable(stored, stale, now) and not self._is_retired(stored):
                    assert stored is not None
                    self._token = stored
                    return stored
            while True:
                async with store_lock(self.store) as held:
                    stored = await self.store.load()  # re-read inside the cross-process lock
                    _register(stored)
                    now = self._clock()
                    if (
                        not force
                        and self._usable(stored, stale, now)
                        and not self._is_retired(stored)
                    ):
                        assert stored is not None
                        self._token = stored
                        return stored
                    if held is False:  # entered because the store changed, not holding the lock
                        continue
                    base = stored if stored is not None else current
                    if (
                        self._is_retired(base)
                        and current is not None
                        and not self._is_retired(current)
                    ):
                        base = current
                    grant = grant_for(base, self.client_credentials)
                    async with observe_refresh(grant, self.token_url, self.hooks):
                        new = await self._endpoint().renew(base, grant, self.scope)
                        saved = await self._persist(new, replaces=base)
                    if base is not None and base.refresh_token != new.refresh_token:
                        digest = refresh_digest(base.refresh_token)
                        if digest is not None:
                            self._retired_refresh.add(digest)
                    if not saved:
                        # Another replica stored a newer pair meanwhile: ours was not saved, so
                        # it is not used; the stored one is.
                        newer = await self.store.load()
                        _register(newer)
                        if newer is None or newer.is_expired(self._clock()):
                            raise TokenStoreError(
                                "another process changed the stored token during this refresh"
                            )
                        self._token = newer
                        return newer
                    self._token = new
                    self.refreshes += 1
                    logger.info("token refreshed; expires in %s", expires_in(new, self._clock()))
                    return new

    async def _persist(self, token: Token, *, replaces: Token | None = None) -> bool:
        # Shielded: once the endpoint has answered, a cancelled caller must not lose the new
        # pair between the response and the store. (The token request itself is shielded per
        # attempt in post_token, so no checkpoint lies between the two.)
        saved = False
        with anyio.CancelScope(shield=True):
            saved = await save_token(
                self.store, token, replaces=replaces, hook=self.on_token_update
            )
        return saved

    def _client(self) -> httpx.AsyncClient:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                timeout=self.timeout, headers={"User-Agent": USER_AGENT}
            )
            self._owns_http_client = True
        return self._http_client

    def _endpoint(self) -> TokenEndpoint:
        def count() -> None:
            self.token_requests += 1

        return TokenEndpoint(
            self._client,
            self.token_url,
            self.client_id,
            self._secret_value(),
            self.retry_policy,
            self.timeout,
            self.deadline,
            self._clock,
            count,
        )

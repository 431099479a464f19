"""`upwork-gql auth`: log in, inspect, refresh and forget the saved OAuth2 token.

Settings come from the environment (``UPWORK_CLIENT_ID``, ``UPWORK_CLIENT_SECRET``,
``UPWORK_REDIRECT_URI``, ``UPWORK_TOKEN_FILE``, ``UPWORK_TOKEN_URL``, ``UPWORK_AUTHORIZE_URL``,
``UPWORK_API_URL``). Every failure is one line on stderr and a non-zero exit; nothing is written
on failure. Tokens are never printed.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from upwork_gql.cli._auth_import import describe_store
from upwork_gql.cli._errors import fail
from upwork_gql.cli._help import hide_flag_types

if TYPE_CHECKING:
    from upwork_gql.auth import Token, TokenManager, TokenStore

app = typer.Typer(
    help="Log in to Upwork (OAuth2) and manage the saved token.", no_args_is_help=True
)

T = TypeVar("T")

hide_flag_types()

TokenFileOption = Annotated[
    Path | None,
    typer.Option(
        "--token-file",
        envvar="UPWORK_TOKEN_FILE",
        help="Token file (default: <user config dir>/upwork-gql/token.json).",
        show_default=False,
    ),
]

WHO_QUERY = "query { user { id nid name } }"


class WhoError(RuntimeError):
    """The ``user`` query failed; ``status_code`` is the HTTP status when one came back."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{reason}: {exc.filename}" if exc.filename else reason


def _run(fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn`` under anyio; turn library and I/O errors into one line and exit code 1."""
    import anyio
    import httpx

    from upwork_gql._exceptions import UpworkError
    from upwork_gql.auth.stores import InsecureTokenFileWarning

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InsecureTokenFileWarning)
            try:
                return anyio.run(fn)
            finally:
                _echo_warnings(caught, InsecureTokenFileWarning)
    except UpworkError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(_os_error(exc)) from None
    except httpx.HTTPError as exc:
        raise fail(f"{type(exc).__name__}: {exc}"[:200]) from None
    except KeyboardInterrupt:
        raise fail("interrupted; nothing was saved") from None


def _echo_warnings(caught: list[warnings.WarningMessage], category: type[Warning]) -> None:
    """One ``warning: ...`` line on stderr per caught warning of ``category``; others re-raised
    to the usual warning machinery."""
    for item in caught:
        if issubclass(item.category, category):
            typer.echo(f"warning: {item.message}", err=True)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def _store(token_file: Path | None) -> TokenStore:
    """The token file given, else the configured store (Redis with UPWORK_REDIS_URL)."""
    from upwork_gql._config import resolve
    from upwork_gql.cli._auth_import import configured_store

    if token_file is not None:
        return configured_store(token_file, redis_url=None, client_id=None)
    return configured_store(None, redis_url=resolve("redis_url"), client_id=resolve("client_id"))


def _manager(
    token_file: Path | None, *, need_secret: bool = False, need_redirect: bool = False
) -> TokenManager:
    from upwork_gql._constants import (
        ENV_CLIENT_ID,
        ENV_CLIENT_SECRET,
        ENV_REDIRECT_URI,
    )
    from upwork_gql.auth import TokenManager

    missing = [ENV_CLIENT_ID] if not os.environ.get(ENV_CLIENT_ID, "").strip() else []
    if need_secret and not os.environ.get(ENV_CLIENT_SECRET):
        missing.append(ENV_CLIENT_SECRET)
    if need_redirect and not os.environ.get(ENV_REDIRECT_URI, "").strip():
        missing.append(ENV_REDIRECT_URI)
    if missing:
        raise fail(f"missing environment variable(s): {', '.join(missing)}")
    return TokenManager.from_env(store=_store(token_file))


def _human(seconds: float) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def describe_expiry(token: Token, now: float | None = None) -> str:
    """``2026-01-01 00:00:00 UTC (in 23h 59m)``, ``... (expired 5m ago)`` or ``no expiry``."""
    if token.expires_at is None:
        return "no expiry (refreshed only when rejected)"
    when = datetime.fromtimestamp(token.expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    left = token.seconds_left(now)
    assert left is not None
    if left > 0:
        return f"{when} (in {_human(left)})"
    return f"{when} (expired {_human(left)} ago)"


async def fetch_who(api_url: str, token: Token, *, http_timeout: float = 10.0) -> str:
    """``name (nid, id ...)`` from the GraphQL ``user`` query; raises on any failure."""
    import httpx

    from upwork_gql._constants import ENV_TENANT_ID, TENANT_HEADER, USER_AGENT

    headers = {
        "Authorization": f"Bearer {token.access}",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    tenant = os.environ.get(ENV_TENANT_ID)
    if tenant:
        headers[TENANT_HEADER] = tenant
    async with httpx.AsyncClient(timeout=http_timeout) as http:
        response = await http.post(api_url, json={"query": WHO_QUERY}, headers=headers)
    if response.status_code != 200:
        raise WhoError(f"HTTP {response.status_code}", response.status_code)
    try:
        body: Any = response.json()
    except ValueError:
        raise RuntimeError("response is not JSON") from None
    user = (body.get("data") or {}).get("user") if isinstance(body, dict) else None
    if not isinstance(user, dict):
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = str(errors[0].get("message", "GraphQL error")).replace(token.access, "***")
            raise RuntimeError(message[:120])
        raise RuntimeError("no user in the response")
    name = user.get("name") or "?"
    return f"{name} ({user.get('nid') or '?'}, id {user.get('id') or '?'})"


def _saved_line(store: TokenStore, token: Token) -> str:
    from upwork_gql.cli._auth_import import describe_store

    where = describe_store(store)
    return f"Token saved to {where}; access token expires {describe_expiry(token)}."


@app.command()
def login(
    token_file: TokenFileOption = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL without opening a browser.")
    ] = False,
    pkce: Annotated[bool, typer.Option("--pkce", help="Add a PKCE code challenge.")] = False,
    wait: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the redirect.")
    ] = 300.0,
) -> None:
    """Authorization-code login: open the consent page, catch the redirect, save the token.

    With a loopback UPWORK_REDIRECT_URI (http://127.0.0.1:PORT/...) a one-shot local server
    catches the redirect; otherwise paste the URL the browser landed on.
    """
    from upwork_gql.auth.login import run_login

    manager = _manager(token_file, need_redirect=True)

    async def go() -> Token:
        async with manager:
            return await run_login(
                manager, open_browser=not no_browser, pkce=pkce, redirect_timeout=wait
            )

    token = _run(go)
    typer.echo(f"Logged in. {_saved_line(_store(token_file), token)}")


@app.command("client-credentials")
def client_credentials(
    token_file: TokenFileOption = None,
    scope: Annotated[str | None, typer.Option(help="Space-separated scopes to request.")] = None,
) -> None:
    """Client credentials grant (enterprise service accounts): fetch and save a token."""
    manager = _manager(token_file, need_secret=True)

    async def go() -> Token:
        async with manager:
            return await manager.fetch_token_client_credentials(scope=scope)

    token = _run(go)
    typer.echo(f"Service-account token obtained. {_saved_line(_store(token_file), token)}")


def _unusable(token: Token, rejected: bool) -> str | None:
    """Why the saved login cannot be used without logging in again (``None``: it can)."""
    from upwork_gql._constants import ENV_CLIENT_SECRET

    left = token.seconds_left()
    expired = left is not None and left <= 0
    if not (expired or rejected) or token.refresh_token is not None:
        return None
    if token.grant_type == "client_credentials" and os.environ.get(ENV_CLIENT_SECRET):
        return None  # a new service-account token is one request away
    what = "has expired" if expired else "was rejected by the API (HTTP 401)"
    return f"the access token {what} and there is no refresh token"


@app.command()
def status(
    token_file: TokenFileOption = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not ask the API who the token belongs to.")
    ] = False,
) -> None:
    """Who is logged in, when the access token expires and how long is left (never the token).

    Exits 0 when the saved login can be used (a live access token, or one that can be
    refreshed), 1 when it cannot: no token, or an access token that expired or that the API
    rejected with no way to refresh it.
    """
    from upwork_gql._constants import DEFAULT_API_URL, ENV_API_URL

    store = _store(token_file)

    async def go() -> tuple[Token | None, str | None, bool]:
        token = await store.load()
        if token is None or offline:
            return token, None, False
        api_url = os.environ.get(ENV_API_URL) or DEFAULT_API_URL
        try:
            return token, await fetch_who(api_url, token), False
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            rejected = isinstance(exc, WhoError) and exc.status_code == 401
            return token, f"unavailable ({reason.replace(token.access, '***')[:160]})", rejected

    token, who, rejected = _run(go)
    if token is None:
        where = describe_store(store)
        raise fail(f"not logged in (no token in {where}); run `upwork-gql auth login`")
    typer.echo(f"Token store:   {describe_store(store)}")
    if who is not None:
        typer.echo(f"User:          {who}")
    typer.echo(f"Grant:         {token.grant_type or 'unknown'}")
    typer.echo(f"Access token:  expires {describe_expiry(token)}")
    typer.echo(f"Refresh token: {'present' if token.refresh_token is not None else 'none'}")
    if token.scope:
        typer.echo(f"Scope:         {token.scope}")
    reason = _unusable(token, rejected)
    if reason is not None:
        raise fail(f"{reason}: run `upwork-gql auth login`")


@app.command()
def refresh(token_file: TokenFileOption = None) -> None:
    """Refresh the access token now (the rotated refresh token is saved before anything else)."""
    manager = _manager(token_file)

    async def go() -> Token:
        async with manager:
            return await manager.refresh()

    token = _run(go)
    typer.echo(f"Refreshed. {_saved_line(_store(token_file), token)}")


@app.command()
def logout(token_file: TokenFileOption = None) -> None:
    """Forget the saved token (deletes the token file)."""
    store = _store(token_file)
    where = describe_store(store)

    async def go() -> bool:
        lock = getattr(store, "lock", None)
        guard = lock() if lock is not None else contextlib.nullcontext()
        async with guard:  # not in the middle of another process's refresh
            existed = await store.load() is not None
            await store.clear()
        return existed

    if _run(go):
        typer.echo(f"Logged out: removed the token from {where}.")
    else:
        typer.echo(f"Not logged in (no token in {where}).")

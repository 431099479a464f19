"""`upwork-gql auth import PATH|-`: load a saved token into the configured store.

The store is Redis when ``UPWORK_REDIS_URL`` is set (keys namespaced by ``UPWORK_CLIENT_ID``),
else the token file. Accepts this project's token file and ``python-upwork-oauth2``'s. The token
is never printed. :func:`register` adds the command to the ``auth`` Typer app;
:func:`configured_store` is the store choice every ``auth`` command can share.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from upwork_gql.cli._errors import fail

if TYPE_CHECKING:
    from upwork_gql.auth import TokenStore

__all__ = ["configured_store", "describe_store", "register"]


def configured_store(
    token_file: Path | None, *, redis_url: str | None, client_id: str | None
) -> TokenStore:
    """Redis when a URL is given (needs the client id for its keys), else the token file."""
    from upwork_gql._constants import ENV_CLIENT_ID
    from upwork_gql.auth import FileTokenStore

    if redis_url:
        from upwork_gql.auth.redis_store import redis_token_store_from_url

        if not client_id:
            raise fail(f"{ENV_CLIENT_ID} is required with a Redis URL (it namespaces the keys)")
        return redis_token_store_from_url(redis_url, client_id)
    return FileTokenStore(token_file)


def describe_store(store: TokenStore) -> str:
    """``Redis 127.0.0.1:6379/0 (key upwork-gql:{id}:token)`` or ``token file PATH``."""
    from upwork_gql.auth import FileTokenStore
    from upwork_gql.auth.redis_store import RedisTokenStore

    if isinstance(store, RedisTokenStore):
        return f"{store.location} (key {store.token_key})"
    if isinstance(store, FileTokenStore):
        return f"token file {store.path}"
    return type(store).__name__


def register(app: typer.Typer) -> None:
    """Add ``import`` to the ``auth`` command group."""

    @app.command("import")
    def import_(
        source: Annotated[
            str, typer.Argument(metavar="PATH|-", help="Token file to import ('-': stdin).")
        ],
        token_file: Annotated[
            Path | None,
            typer.Option(
                "--token-file",
                envvar="UPWORK_TOKEN_FILE",
                help="Token file to import into, when no Redis URL is set.",
                show_default=False,
            ),
        ] = None,
        redis_url: Annotated[
            str | None,
            typer.Option(
                "--redis-url",
                envvar="UPWORK_REDIS_URL",
                help="Import into Redis (shared by every replica) instead of the token file.",
                show_default=False,
            ),
        ] = None,
        client_id: Annotated[
            str | None,
            typer.Option("--client-id", envvar="UPWORK_CLIENT_ID", show_default=False),
        ] = None,
    ) -> None:
        """Load a token file (this tool's, or python-upwork-oauth2's) into the configured store."""
        import anyio

        from upwork_gql._exceptions import UpworkError
        from upwork_gql.auth import Token
        from upwork_gql.auth.redis_store import RedisTokenStore, import_token_file

        store = configured_store(token_file, redis_url=redis_url, client_id=client_id)

        async def go() -> Token:
            try:
                return await import_token_file(source, store)
            finally:
                if isinstance(store, RedisTokenStore):
                    await store.aclose()

        try:
            token = anyio.run(go)
        except UpworkError as exc:
            raise fail(str(exc)) from None
        left = token.seconds_left(time.time())
        if left is None:
            expiry = "no expiry recorded"
        elif left <= 0:
            expiry = "the access token has expired; the first call refreshes it"
        else:
            expiry = (
                f"the access token expires in {int(left) // 3600}h{int(left) % 3600 // 60:02d}m"
            )
        typer.echo(f"imported into {describe_store(store)}; {expiry}")

"""`upwork-gql schema` commands: pull the live schema, diff two schemas, check operations."""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from upwork_gql.cli._errors import fail

if TYPE_CHECKING:
    import httpx

app = typer.Typer(
    help="Pull the live schema by introspection, diff schemas, check operations against one.",
    no_args_is_help=True,
)

# Literal here so that `--help` does not import the library; equals _constants.ENV_ACCESS_TOKEN.
_ENV_ACCESS_TOKEN = "UPWORK_ACCESS_TOKEN"


async def _saved_login(token_file: str | None, stack: AsyncExitStack) -> httpx.Auth | str | None:
    """The saved login: a refreshing ``TokenManager`` when the OAuth2 client is configured
    (``UPWORK_CLIENT_ID``), else the stored access token as it is; None when there is none."""
    from upwork_gql._constants import ENV_CLIENT_ID, ENV_TOKEN_FILE
    from upwork_gql.auth import FileTokenStore, TokenManager

    path = token_file or os.environ.get(ENV_TOKEN_FILE) or None
    store = FileTokenStore(path)
    if not store.path.exists():
        if token_file:
            raise fail(f"token file {store.path} does not exist (run `upwork-gql auth login`)")
        return None
    if os.environ.get(ENV_CLIENT_ID):
        manager = TokenManager.from_env(store=store)
        await stack.enter_async_context(manager)
        return manager
    token = await store.load()
    return token.access if token is not None else None


@app.command("pull")
def pull(
    url: Annotated[
        str | None,
        typer.Option(help="GraphQL endpoint (default: $UPWORK_API_URL or Upwork's API)."),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write; '-' prints to stdout.")
    ] = "schema.graphql",
    token: Annotated[
        str | None,
        typer.Option(
            help=f"Bearer access token (default: ${_ENV_ACCESS_TOKEN}, else the saved login).",
            show_default=False,
        ),
    ] = None,
    token_file: Annotated[
        str | None,
        typer.Option(help="Saved login to use (default: $UPWORK_TOKEN_FILE or the user file)."),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            help="Organization id for X-Upwork-API-TenantId (default: $UPWORK_TENANT_ID)."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Request timeout in seconds.", min=0.1)] = 60.0,
) -> None:
    """Introspect the API and write the schema as sorted SDL (same schema -> same bytes).

    Any failure (401, scopes, introspection refused, bad result): one line, exit 1, file kept.
    """
    import anyio
    import httpx

    from upwork_gql._constants import (
        DEFAULT_API_URL,
        ENV_ACCESS_TOKEN,
        ENV_API_URL,
        ENV_TENANT_ID,
    )
    from upwork_gql._exceptions import SchemaError, UpworkError
    from upwork_gql.schema import print_sorted, pull_schema, write_atomic

    endpoint = url or os.environ.get(ENV_API_URL) or DEFAULT_API_URL
    tenant_id = tenant or os.environ.get(ENV_TENANT_ID) or None
    bearer = token or os.environ.get(ENV_ACCESS_TOKEN) or None

    async def run() -> str:
        async with AsyncExitStack() as stack:
            auth: httpx.Auth | None = None
            access = bearer
            if access is None:
                saved = await _saved_login(token_file, stack)
                if isinstance(saved, str):
                    access = saved
                else:
                    auth = saved
            schema = await pull_schema(
                endpoint,
                token=access,
                tenant_id=tenant_id,
                auth=auth,
                request_timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            )
            return print_sorted(schema)

    try:
        sdl = anyio.run(run)
    except SchemaError as exc:
        raise fail(str(exc)) from None
    except UpworkError as exc:  # e.g. the saved login needs a new `auth login`
        raise fail(f"{type(exc).__name__}: {exc}") from None
    if output == "-":
        typer.echo(sdl, nl=False)
        return
    target = Path(output)
    try:
        previous = target.read_text(encoding="utf-8") if target.exists() else None
    except OSError:
        previous = None
    try:
        write_atomic(target, sdl)
    except SchemaError as exc:
        raise fail(str(exc)) from None
    types = sum(1 for line in sdl.splitlines() if line.split(" ", 1)[0] in _TYPE_KEYWORDS)
    state = "unchanged" if previous == sdl else ("created" if previous is None else "updated")
    typer.echo(f"{target}: {state} ({types} types)", err=True)


_TYPE_KEYWORDS = frozenset({"type", "interface", "union", "enum", "input", "scalar"})


@app.command("diff")
def diff(
    old: Annotated[Path, typer.Argument(help="The schema you have (e.g. schema.graphql).")],
    new: Annotated[Path, typer.Argument(help="The schema you compare it to (e.g. a fresh pull).")],
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show breaking, dangerous and safe changes from OLD to NEW; exit 1 when any is breaking.

    Exit 2 when a schema cannot be read or is not valid SDL.
    """
    import json

    from upwork_gql._exceptions import SchemaError
    from upwork_gql.schema import diff_schemas, load_schema

    try:
        result = diff_schemas(load_schema(old), load_schema(new))
    except SchemaError as exc:
        raise fail(str(exc), 2) from None
    if json_output:
        typer.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        typer.echo(result.format_text(), nl=False)
    if result.has_breaking:
        raise typer.Exit(1)


@app.command("check")
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="QUERY_FILES",
            help="Operation files or directories (default: the queries directory).",
        ),
    ] = None,
    schema: Annotated[Path, typer.Option(help="Schema to validate against.")] = Path(
        "schema.graphql"
    ),
    queries: Annotated[
        Path, typer.Option(help="Queries directory (shared fragments are read from it).")
    ] = Path("queries"),
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only list problems.")] = False,
) -> None:
    """Validate operations against a schema: one line per operation, errors with file:line:col.

    Also flags operation names whose generated method would collide with the client's methods.

    Exit 1 when any operation is invalid, 2 when the schema cannot be loaded.
    """
    import json

    from upwork_gql._exceptions import SchemaError
    from upwork_gql.schema import check_operations, collect_query_files, load_schema

    try:
        loaded = load_schema(schema)
    except SchemaError as exc:
        raise fail(str(exc), 2) from None
    targets = collect_query_files(files or [queries])
    if not targets:
        raise fail(f"no .graphql files found in {', '.join(str(f) for f in files or [queries])}", 2)
    fragment_files = collect_query_files([queries]) if files and queries.is_dir() else []
    report = check_operations(loaded, targets, fragment_files=fragment_files)
    if json_output:
        typer.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        typer.echo(report.format_text(verbose=not quiet), nl=False)
    if not report.ok:
        raise typer.Exit(1)

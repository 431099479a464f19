"""Execute one ``upwork-gql call``: build the client, send, write the output."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from upwork_gql._exceptions import (
    APIError,
    ConfigurationError,
    InvalidVariablesError,
    PaginationError,
    UpworkError,
)

if TYPE_CHECKING:
    from upwork_gql.cli._operations import Operation
    from upwork_gql.cli._output import RowWriter

__all__ = ["CallSettings", "describe_error", "open_api_client", "open_client", "run_call"]


@dataclass
class CallSettings:
    operation: Operation
    arguments: dict[str, Any]
    all_pages: bool = False
    max_items: int | None = None
    page_size: int | None = None
    output_format: str = "json"
    select: list[str] | None = None
    tenant: str | None = None
    api_url: str | None = None
    token_file: Path | None = None


def describe_error(exc: BaseException) -> str:
    """One line: the error class, its message and the request id when there is one.

    A page that failed inside ``--all-pages`` reads like the same failure of a single call, plus
    where to resume when there is a cursor to resume from.
    """
    if isinstance(exc, PaginationError) and isinstance(exc.__cause__, UpworkError):
        line = describe_error(exc.__cause__)
        if exc.cursor:
            line += f"; resume with the cursor {exc.cursor!r}"
        return line
    text = " ".join(str(exc).split()) or type(exc).__name__
    line = f"{type(exc).__name__}: {text}"
    request_id = getattr(exc, "request_id", None) if isinstance(exc, APIError) else None
    if request_id and request_id not in text:
        line += f" (request id {request_id})"
    return line


@contextlib.asynccontextmanager
async def open_client(settings: CallSettings) -> AsyncIterator[Any]:
    """The client of a ``call``: see :func:`open_api_client`."""
    async with open_api_client(
        api_url=settings.api_url, tenant=settings.tenant, token_file=settings.token_file
    ) as client:
        yield client


@contextlib.asynccontextmanager
async def open_api_client(
    *, api_url: str | None = None, tenant: str | None = None, token_file: Path | None = None
) -> AsyncIterator[Any]:
    """The client the CLI uses: the environment first, then the command-line overrides."""
    from upwork_gql import UpworkClient
    from upwork_gql.auth import FileTokenStore, TokenManager

    overrides: dict[str, Any] = {}
    if api_url:
        overrides["url"] = api_url
    if tenant:
        overrides["tenant_id"] = tenant
    manager: TokenManager | None = None
    if token_file:
        manager = TokenManager.from_env(store=FileTokenStore(token_file))
        overrides["auth"] = manager
    try:
        async with UpworkClient.from_env(**overrides) as client:
            yield client
    finally:
        if manager is not None:
            await manager.aclose()


def _writer(settings: CallSettings, out: IO[str]) -> RowWriter:
    """The row writer of the chosen format, its columns taken from the operation's row model."""
    from upwork_gql.cli._output import columns_for, make_writer, row_class

    op = settings.operation
    model = row_class(op.result_model())
    columns = columns_for(model) if model is not None else None
    return make_writer(
        settings.output_format, out, columns=columns, title=op.name, select=settings.select
    )


async def _single(client: Any, settings: CallSettings, out: IO[str]) -> None:
    from upwork_gql.cli._output import rows_of, to_jsonable

    op = settings.operation
    result = await getattr(client, op.method)(**settings.arguments)
    if settings.output_format == "json" and not settings.select and settings.max_items is None:
        # The whole result, in its GraphQL shape; with --columns or --max-items, rows instead.
        out.write(json.dumps(to_jsonable(result), indent=2, ensure_ascii=False))
        out.write("\n")
        out.flush()
        return
    rows = rows_of(result)
    if settings.max_items is not None:
        rows = rows[: settings.max_items]
    writer = _writer(settings, out)
    for row in rows:
        writer.write(row)
    writer.close()


async def _all_pages(client: Any, settings: CallSettings, out: IO[str]) -> tuple[int, int]:
    from rich.console import Console

    from upwork_gql.cli._paging import iterate_pages
    from upwork_gql.cli._progress import page_progress

    op = settings.operation
    writer = _writer(settings, out)
    console = Console(stderr=True)
    progress = page_progress(console, disable=not console.is_terminal)
    items = pages = 0
    with progress:
        task = progress.add_task(op.name, total=None, pages=0)
        async for page in iterate_pages(
            client,
            op,
            settings.arguments,
            page_size=settings.page_size,
            max_items=settings.max_items,
        ):
            pages += 1
            total = page.total_count
            if settings.max_items is not None:
                total = min(total, settings.max_items) if total is not None else settings.max_items
            for item in page.nodes:
                writer.write(item)
            writer.flush()
            items += len(page.nodes)
            progress.update(task, completed=items, total=total, pages=pages)
    writer.close()
    return items, pages


async def run_call(settings: CallSettings) -> int:
    """Run the call; return the exit code. Errors are one line on stderr."""
    out = sys.stdout
    try:
        async with open_client(settings) as client:
            if settings.all_pages:
                await _all_pages(client, settings, out)
            else:
                await _single(client, settings, out)
    except (InvalidVariablesError, ConfigurationError) as exc:
        print(f"error: {describe_error(exc)}", file=sys.stderr)
        return 2
    except UpworkError as exc:
        print(f"error: {describe_error(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, like other Unix tools. (Before the
        # OSError clause: a handler's own `raise` is never caught by a sibling clause.)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (OSError, ValueError) as exc:
        print(f"error: unexpected {describe_error(exc)}", file=sys.stderr)
        return 1
    return 0

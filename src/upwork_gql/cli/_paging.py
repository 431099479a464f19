"""Walk a connection operation page by page through the client's typed paginators."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from upwork_gql.cli._output import connection_nodes, find_connection

if TYPE_CHECKING:
    from upwork_gql.cli._operations import Operation

__all__ = ["Page", "is_paginated", "iterate_pages", "paginator_name"]


def paginator_name(op: Operation) -> str:
    """The client method that returns the operation's paginator."""
    return f"paginate_{op.method}"


def is_paginated(op: Operation) -> bool:
    """Whether the operation is a connection with a paginator (so --all-pages applies)."""
    return op.connection is not None


@dataclass
class Page:
    nodes: list[Any]
    total_count: int | None


async def iterate_pages(
    client: Any,
    op: Operation,
    arguments: dict[str, Any],
    *,
    page_size: int | None,
    max_items: int | None,
) -> AsyncIterator[Page]:
    """Pages of nodes, in order, until the last page or ``max_items`` nodes."""
    paginate = getattr(client, paginator_name(op))
    accepted = inspect.signature(paginate).parameters
    kwargs: dict[str, Any] = {}
    after: str | None = None
    for name, value in arguments.items():
        if name in accepted:
            kwargs[name] = value
        elif value is not None:
            # The cursor variable (``pagination``) is the paginator's job; keep what it says.
            after = _field(value, "after") or after
            first = _field(value, "first")
            if page_size is None and isinstance(first, int):
                page_size = first
    paginator = paginate(**kwargs, page_size=page_size, max_items=max_items, after=after)
    delivered = 0
    async for raw in paginator.pages():
        connection = raw if _is_connection(raw) else find_connection(raw)
        nodes = connection_nodes(connection) if connection is not None else []
        if max_items is not None:
            nodes = nodes[: max(0, max_items - delivered)]
        delivered += len(nodes)
        yield Page(nodes=nodes, total_count=paginator.total_count)
        if max_items is not None and delivered >= max_items:
            return


def _field(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


def _is_connection(value: Any) -> bool:
    return hasattr(value, "edges") and hasattr(value, "page_info")

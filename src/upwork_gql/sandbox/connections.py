"""Relay connections in the sandbox: page windows, cursors, and generated connections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLResolveInfo

from upwork_gql.sandbox._base import SEED_KEY, LazySeq, SandboxGraphQLError, child_seed

DEFAULT_PAGE_SIZE = 10


def find_pagination(args: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``{after, first}`` object of a field's arguments: top level or inside a filter."""
    for key in ("pagination", "pagination_eq"):
        value = args.get(key)
        if isinstance(value, Mapping):
            return value
    for value in args.values():
        if isinstance(value, Mapping):
            for key in ("pagination_eq", "pagination"):
                inner = value.get(key)
                if isinstance(inner, Mapping):
                    return inner
    return None


def page_window(args: Mapping[str, Any], limit: int, field_name: str) -> tuple[int, int]:
    """``(offset, first)`` from the arguments; errors in Upwork's shape for bad values."""
    pagination = find_pagination(args) or {}
    after = pagination.get("after")
    first = pagination.get("first")
    offset = 0
    if after not in (None, ""):
        try:
            offset = int(str(after))
        except ValueError:
            raise SandboxGraphQLError(
                f"Invalid cursor '{after}': cursors are offsets as strings @ '{field_name}'",
                "ValidationError",
            ) from None
        if offset < 0:
            raise SandboxGraphQLError(
                f"Invalid cursor '{after}': must not be negative @ '{field_name}'",
                "ValidationError",
            )
    size = DEFAULT_PAGE_SIZE if first is None else int(first)
    if size > limit:
        raise SandboxGraphQLError(
            f"Page size is restricted to be <= {limit}; requested {size} @ '{field_name}'",
            "ValidationError",
        )
    if size < 1:
        raise SandboxGraphQLError(
            f"Page size must be at least 1; requested {size} @ '{field_name}'",
            "ValidationError",
        )
    return offset, size


def connection(items: Sequence[Any], offset: int, first: int) -> dict[str, Any]:
    """A Relay connection page. Cursors are offsets: the cursor of item ``i`` is ``str(i + 1)``,
    so that ``after: "0"`` starts at the first item and ``after: endCursor`` continues."""
    total = len(items)
    start = min(offset, total)
    stop = min(start + first, total)
    nodes = list(items[start:stop])
    edges = [{"cursor": str(start + i + 1), "node": node} for i, node in enumerate(nodes)]
    return {
        "totalCount": total,
        "edges": edges,
        "nodes": nodes,
        "pageInfo": {
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": stop < total,
            "hasPreviousPage": start > 0,
        },
    }


def paginate(
    items: Sequence[Any], info: GraphQLResolveInfo, args: Mapping[str, Any]
) -> dict[str, Any]:
    """A connection page of ``items`` for this field's pagination arguments."""
    limit = 100
    ctx = getattr(info, "context", None)
    if ctx is not None and hasattr(ctx, "page_size_limit"):
        limit = ctx.page_size_limit(info.field_name)
    offset, first = page_window(args, limit, info.field_name)
    return connection(items, offset, first)


def fake_connection(
    seed: int, name: str, info: GraphQLResolveInfo, args: Mapping[str, Any]
) -> dict[str, Any]:
    """A small connection of generated nodes for connection fields without seeded data."""
    base = child_seed(seed, name)
    total = 3 + base % 5
    items = LazySeq(total, lambda i: {SEED_KEY: child_seed(base, "node", i)})
    return paginate(items, info, args)

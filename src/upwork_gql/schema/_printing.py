"""Deterministic SDL printing, schema loading and atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

from graphql import (
    GraphQLError,
    GraphQLSchema,
    build_schema,
    lexicographic_sort_schema,
    print_schema,
)

from upwork_gql._exceptions import SchemaError
from upwork_gql._files import write_atomic as _write_atomic

__all__ = ["load_schema", "print_sorted", "write_atomic"]


def print_sorted(schema: GraphQLSchema) -> str:
    """Print ``schema`` as SDL with types, fields, arguments and values sorted by name.

    The same schema always prints to the same bytes, whatever order the server (or a file)
    listed it in, so that diffs of ``schema.graphql`` show only real change.
    """
    return print_schema(lexicographic_sort_schema(schema)) + "\n"


def load_schema(path: str | os.PathLike[str]) -> GraphQLSchema:
    """Read and build an SDL file; raise :class:`SchemaError` with a one-line reason."""
    p = Path(path)
    try:
        sdl = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(f"cannot read schema {p}: {exc.strerror or exc}") from None
    try:
        return build_schema(sdl)
    except GraphQLError as exc:
        where = ""
        if exc.locations:
            loc = exc.locations[0]
            where = f":{loc.line}:{loc.column}"
        message = exc.message.splitlines()[0] if exc.message else "invalid SDL"
        raise SchemaError(f"invalid schema {p}{where}: {message}") from None
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"invalid schema {p}: {exc}") from None


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temp file in the same directory, then rename.

    Readers see either the old file or the complete new one, never a partial write. The mode of
    an existing file is kept (0644 for a new one).
    """
    target = Path(path)
    try:
        _write_atomic(target, text.encode("utf-8"), mode=None)
    except OSError as exc:
        raise SchemaError(f"cannot write {target}: {exc.strerror or exc}") from None

"""Turn typed results into json / jsonl / csv / table output, streaming where the format allows.

Columns come from the generated model *classes* (GraphQL field names, dotted for nested objects), so
a streamed CSV has a stable header even when the first rows are full of nulls.
"""

from __future__ import annotations

import csv
import enum
import json
import types
import typing
from typing import IO, Any, Protocol

import pydantic

__all__ = [
    "MAX_TABLE_COLUMNS",
    "RowWriter",
    "columns_for",
    "find_connection",
    "flatten",
    "make_writer",
    "node_class",
    "row_class",
    "to_jsonable",
]

MAX_TABLE_COLUMNS = 10
_PIPED_TABLE_WIDTH = 160
_MAX_DEPTH = 4


def to_jsonable(value: Any) -> Any:
    """A model (or list of models) as the GraphQL JSON it came from (camelCase keys)."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    return pydantic.TypeAdapter(Any).dump_python(value, mode="json")


def _unwrap_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap_optional(args[0])
    return annotation


def _model_class(annotation: Any) -> type[pydantic.BaseModel] | None:
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    return None


def model_fields(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """``model.model_fields`` with forward references resolved (generated fragment classes are
    completed lazily by pydantic, on first validation)."""
    if not model.__pydantic_complete__:
        model.model_rebuild(raise_errors=False)
    return dict(model.model_fields)


def _list_item(annotation: Any) -> Any | None:
    annotation = _unwrap_optional(annotation)
    if typing.get_origin(annotation) is list:
        args = typing.get_args(annotation)
        return args[0] if args else Any
    return None


def columns_for(model: type[pydantic.BaseModel], prefix: str = "", depth: int = 0) -> list[str]:
    """Dotted GraphQL field paths of a model's scalar leaves (lists are one JSON column)."""
    cols: list[str] = []
    for name, info in model_fields(model).items():
        key = f"{prefix}{info.alias or name}"
        nested = _model_class(info.annotation)
        if nested is not None and depth < _MAX_DEPTH:
            cols.extend(columns_for(nested, f"{key}.", depth + 1))
        else:
            cols.append(key)
    return cols


def flatten(value: Any) -> dict[str, Any]:
    """A model (or JSON object) as one flat row keyed by dotted GraphQL paths."""
    data = to_jsonable(value)
    row: dict[str, Any] = {}

    def walk(obj: Any, prefix: str, depth: int) -> None:
        if isinstance(obj, dict) and depth <= _MAX_DEPTH:
            for k, v in obj.items():
                walk(v, f"{prefix}{k}.", depth + 1)
        else:
            row[prefix[:-1] if prefix else "value"] = obj

    if isinstance(data, dict):
        walk(data, "", 0)
    else:
        row["value"] = data
    return row


def cell(value: Any) -> str:
    """One value as text for CSV / tables."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def find_connection(value: Any, depth: int = 0) -> pydantic.BaseModel | None:
    """The first Relay connection (``edges`` + ``pageInfo``) inside a result, depth first."""
    if not isinstance(value, pydantic.BaseModel) or depth > _MAX_DEPTH:
        return None
    fields = type(value).model_fields
    if "edges" in fields and "page_info" in fields:
        return value
    for name in fields:
        found = find_connection(getattr(value, name), depth + 1)
        if found is not None:
            return found
    return None


def connection_nodes(connection: pydantic.BaseModel) -> list[Any]:
    """The non-null nodes of a connection's edges, in order."""
    edges = getattr(connection, "edges", None) or []
    return [e.node for e in edges if e is not None and getattr(e, "node", None) is not None]


def node_class(result_type: Any, depth: int = 0) -> type[pydantic.BaseModel] | None:
    """The node model of the first connection reachable from a result *type*."""
    model = _model_class(result_type)
    if model is None or depth > _MAX_DEPTH:
        return None
    fields = model_fields(model)
    if "edges" in fields and "page_info" in fields:
        edge_type = _list_item(fields["edges"].annotation)
        edge = _model_class(edge_type) if edge_type is not None else None
        if edge is not None and "node" in model_fields(edge):
            return _model_class(model_fields(edge)["node"].annotation)
        return None
    for info in fields.values():
        found = node_class(info.annotation, depth + 1)
        if found is not None:
            return found
    return None


def row_class(result_type: Any) -> type[pydantic.BaseModel] | None:
    """The model of one output row: a connection's node, else the root field's object (or list
    item) type."""
    node = node_class(result_type)
    if node is not None:
        return node
    model = _model_class(result_type)
    if model is None:
        return None
    fields = list(model_fields(model).values())
    if len(fields) != 1:
        return None
    annotation = fields[0].annotation
    item = _list_item(annotation)
    return _model_class(item if item is not None else annotation)


def rows_of(result: Any) -> list[Any]:
    """What a table/csv/jsonl shows for a single call: connection nodes, a list's items, or the
    single object under the result's root field."""
    connection = find_connection(result)
    if connection is not None:
        return connection_nodes(connection)
    if isinstance(result, pydantic.BaseModel):
        values = [getattr(result, name) for name in type(result).model_fields]
        if len(values) == 1:
            root = values[0]
            if isinstance(root, list):
                return [r for r in root if r is not None]
            return [] if root is None else [root]
    return [result]


class RowWriter(Protocol):
    def write(self, item: Any) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def _selected(item: Any, select: list[str] | None) -> Any:
    if not select:
        return to_jsonable(item)
    row = flatten(item)
    return {key: row.get(key) for key in select}


class _JsonArrayWriter:
    """A JSON array written element by element (valid JSON, constant memory)."""

    def __init__(self, out: IO[str], select: list[str] | None = None) -> None:
        self.out = out
        self.select = select
        self.count = 0

    def write(self, item: Any) -> None:
        self.out.write("[\n  " if self.count == 0 else ",\n  ")
        self.out.write(json.dumps(_selected(item, self.select), ensure_ascii=False))
        self.count += 1

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


class _JsonlWriter:
    def __init__(self, out: IO[str], select: list[str] | None = None) -> None:
        self.out = out
        self.select = select

    def write(self, item: Any) -> None:
        data = _selected(item, self.select)
        self.out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        self.out.write("\n")

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


class _CsvWriter:
    def __init__(self, out: IO[str], columns: list[str] | None) -> None:
        self.out = out
        self.columns = columns
        self.writer: csv.DictWriter[str] | None = None

    def write(self, item: Any) -> None:
        row = flatten(item)
        if self.writer is None:
            self.writer = csv.DictWriter(
                self.out, fieldnames=self.columns or list(row), extrasaction="ignore"
            )
            self.writer.writeheader()
        self.writer.writerow({k: cell(v) for k, v in row.items()})

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        if self.writer is None and self.columns:
            csv.writer(self.out).writerow(self.columns)
        self.out.flush()


class _TableWriter:
    """A rich table; rows are collected, then printed on close."""

    def __init__(
        self, out: IO[str], columns: list[str] | None, title: str | None, chosen: bool
    ) -> None:
        self.out = out
        self.columns = columns
        self.title = title
        self.chosen = chosen
        self.rows: list[dict[str, Any]] = []

    def write(self, item: Any) -> None:
        self.rows.append(flatten(item))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        from rich.console import Console

        from upwork_gql.cli._tables import render_table

        console = Console(file=self.out, soft_wrap=False)
        if not console.is_terminal:
            console.width = max(console.width, _PIPED_TABLE_WIDTH)
        columns = self.columns or (list(self.rows[0]) if self.rows else [])
        table, hidden = render_table(
            self.rows,
            columns,
            title=self.title,
            width=console.width,
            max_columns=len(columns) if self.chosen else MAX_TABLE_COLUMNS,
            keep_empty=self.chosen,
        )
        console.print(table)
        if hidden:
            console.print(
                f"[dim]{hidden} more column{'s' if hidden > 1 else ''} not shown; pick them "
                "with --columns, or use --format json or csv for all fields[/dim]"
            )
        self.out.flush()


def make_writer(
    fmt: str,
    out: IO[str],
    *,
    columns: list[str] | None = None,
    title: str | None = None,
    select: list[str] | None = None,
) -> RowWriter:
    """A writer for ``json`` (array), ``jsonl``, ``csv`` or ``table``.

    ``columns`` are all the columns of the node type; ``select`` the ones the user picked
    (``--columns``), which json/jsonl apply too (as a flat object per node).
    """
    if fmt == "json":
        return _JsonArrayWriter(out, select)
    if fmt == "jsonl":
        return _JsonlWriter(out, select)
    if fmt == "csv":
        return _CsvWriter(out, select or columns)
    if fmt == "table":
        return _TableWriter(out, select or columns, title, chosen=bool(select))
    raise ValueError(f"unknown format {fmt!r}")

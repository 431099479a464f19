"""Readable rich tables from flattened rows (``call --format table``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from upwork_gql.cli._output import MAX_TABLE_COLUMNS, cell

__all__ = ["render_table"]

_MAX_CELL = 48
_MIN_WIDTH = 12
_FAIR_WIDTH = 24


def _short(text: str, limit: int = _MAX_CELL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_id(column: str) -> bool:
    leaf = column.rsplit(".", 1)[-1]
    return leaf == "id" or leaf.endswith("Id")


def render_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    max_columns: int = MAX_TABLE_COLUMNS,
    width: int | None = None,
    keep_empty: bool = False,
) -> tuple[Table, int]:
    """A table of ``rows``; returns it and the number of columns left out.

    Columns empty in every row are dropped (unless ``keep_empty``); then columns are kept, in
    order, while they fit in ``width`` at a readable size (ids whole, text at least
    ``_MIN_WIDTH`` characters) and up to ``max_columns``. A single row is shown as a
    field/value list instead, which keeps every field readable.
    """
    used = list(columns)
    if rows and not keep_empty:
        used = [c for c in columns if any(cell(r.get(c)) for r in rows)]
    if len(rows) == 1:
        return _vertical(rows[0], used, title=title, width=width), 0
    cells = {c: [_short(cell(row.get(c))) for row in rows] for c in used}
    budget = width if width is not None else 10**6
    shown: list[str] = []
    want: dict[str, int] = {}
    floor: dict[str, int] = {}
    spent = 1  # the table's left border
    for col in used:
        if len(shown) >= max_columns:
            break
        widest = max([len(col), *(len(v) for v in cells[col])])
        low = min(widest, _MAX_CELL if _is_id(col) else _MIN_WIDTH)
        if shown and spent + low + 3 > budget:
            break
        shown.append(col)
        want[col], floor[col] = widest, low
        spent += low + 3  # padding and the separator
    # Share what is left of the width, in order, up to each column's widest value.
    spare = budget - spent
    widths = dict(floor)
    for cap in (_FAIR_WIDTH, _MAX_CELL):  # first a fair share for each, then the rest
        for col in shown:
            extra = max(0, min(min(want[col], cap) - widths[col], spare))
            widths[col] += extra
            spare -= extra
    hidden = len(used) - len(shown)
    table = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    for col in shown:
        table.add_column(col, overflow="ellipsis", no_wrap=True, width=widths[col])
    for index in range(len(rows)):
        table.add_row(*(cells[c][index] for c in shown))
    return table, hidden


def _vertical(
    row: Mapping[str, Any], columns: Sequence[str], *, title: str | None, width: int | None
) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    label = max([len("field"), *(len(c) for c in columns)])
    table.add_column("field", style="dim", no_wrap=True, width=label)
    value_width = None if width is None else max(_MIN_WIDTH, width - label - 7)
    table.add_column("value", overflow="fold", width=value_width)
    for column in columns:
        table.add_row(column, " ".join(cell(row.get(column)).split()))
    return table

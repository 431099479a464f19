"""Readable rich tables from flattened rows (shared by ``call --format table`` and the demo)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from upwork_gql.cli._output import MAX_TABLE_COLUMNS, cell

__all__ = ["render_table"]

_MAX_CELL = 48
_MIN_WIDTH = 12


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
    headers: Mapping[str, str] | None = None,
) -> tuple[Table, int]:
    """A table of ``rows``; returns it and the number of columns left out.

    Columns that are empty in every row are dropped first; then at most ``max_columns`` are kept.
    """
    used = [c for c in columns if any(cell(r.get(c)) for r in rows)] if rows else list(columns)
    shown = list(used[:max_columns])
    hidden = len(used) - len(shown)
    table = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    cells = [[_short(cell(row.get(c))) for c in shown] for row in rows]
    for index, col in enumerate(shown):
        label = (headers or {}).get(col, col)
        widest = max((len(r[index]) for r in cells), default=0)
        table.add_column(
            label,
            overflow="ellipsis",
            no_wrap=True,
            max_width=_MAX_CELL,
            min_width=min(max(widest, 1), _MAX_CELL if _is_id(col) else _MIN_WIDTH),
        )
    for values in cells:
        table.add_row(*values)
    return table, hidden

"""The demo's terminal output: numbered steps, money, tables that keep their short columns."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["DemoTable", "money", "step"]


def money(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "display_value", None) or getattr(value, "raw_value", "") or "")


def step(console: Console, number: int, title: str, detail: str = "") -> None:
    console.print()
    line = f"[bold cyan]{number}.[/bold cyan] [bold]{title}[/bold]"
    if detail:
        line += f"  [dim]{detail}[/dim]"
    console.print(line)


class DemoTable:
    """A rich table whose short columns (ids, amounts, dates) are never squeezed; only the free
    text columns give way on a narrow terminal."""

    _FLEXIBLE = frozenset({"title", "name", "memo", "organization", "freelancer"})

    def __init__(self, title: str, columns: list[str]) -> None:
        self.title = title
        self.columns = columns
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *values: str) -> None:
        self.rows.append(values)

    def __rich__(self) -> Table:
        table = Table(
            title=self.title, title_justify="left", title_style="dim", header_style="bold"
        )
        for index, column in enumerate(self.columns):
            widest = max([len(column), *(len(row[index]) for row in self.rows)])
            if column in self._FLEXIBLE:
                table.add_column(column, overflow="ellipsis", no_wrap=True, max_width=44)
            else:
                table.add_column(column, no_wrap=True, min_width=min(widest, 24))
        for row in self.rows:
            table.add_row(*row)
        return table

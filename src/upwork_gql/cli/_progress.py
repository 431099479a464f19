"""The progress bar of a walk over pages (``call --all-pages`` and the demo)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["page_progress"]


def page_progress(
    console: Console, label: str = "[bold]{task.description}", *, disable: bool = False
) -> Progress:
    """Spinner, label, bar, items done of the total, pages, elapsed time.

    Its tasks carry a ``pages`` field: ``add_task(name, total=None, pages=0)``.
    """
    return Progress(
        SpinnerColumn(),
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[pages]} pages"),
        TimeElapsedColumn(),
        console=console,
        disable=disable,
    )

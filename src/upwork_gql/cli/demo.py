"""`upwork-gql demo` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the command to the root app."""

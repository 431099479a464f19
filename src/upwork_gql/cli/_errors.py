"""The CLI's one way to fail: an ``error: ...`` line on stderr and a non-zero exit code."""

from __future__ import annotations

import typer

__all__ = ["fail"]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr; return the ``typer.Exit`` to raise.

    Use as ``raise fail("...") from None`` so that the traceback of the handled error is dropped.
    """
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)

"""The ``upwork-gql`` command line.

The console script is installed with the library; the command itself needs the ``cli`` extra
(``pip install 'upwork-gql[cli]'``). Without it, ``upwork-gql`` prints which extra to install and
exits 1. The command groups live in their own modules, attached to the root app in
:mod:`upwork_gql.cli._app`; ``app`` is imported from there on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from upwork_gql._extras import install_hint, missing_modules

if TYPE_CHECKING:
    from upwork_gql.cli._app import app as app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point (``upwork-gql``)."""
    if missing_modules("cli"):
        print(
            f"error: the upwork-gql command needs its extra: {install_hint('cli')}", file=sys.stderr
        )
        sys.exit(1)
    from upwork_gql.cli._app import run

    run()


def __getattr__(name: str) -> Any:
    if name == "app":
        from upwork_gql.cli._app import app

        return app
    raise AttributeError(f"module 'upwork_gql.cli' has no attribute {name!r}")

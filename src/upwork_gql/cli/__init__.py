"""The ``upwork-gql`` command line.

Each command group lives in its own module and is attached here; the modules import their heavy
dependencies inside the commands so that ``upwork-gql --help`` stays fast.
"""

from __future__ import annotations

import typer

from upwork_gql.cli import auth, call, demo, sandbox, schema

app = typer.Typer(
    name="upwork-gql",
    help="The async, typed client for Upwork's GraphQL API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(auth.app, name="auth")
app.add_typer(schema.app, name="schema")
app.add_typer(sandbox.app, name="sandbox")
call.register(app)
demo.register(app)


def main() -> None:
    """Console-script entry point."""
    app()

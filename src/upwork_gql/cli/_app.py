"""The root ``upwork-gql`` app: the command groups attached, ``--version``, and the entry point.

Each command group lives in its own module; the modules import their heavy dependencies inside
the commands so that ``upwork-gql --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from upwork_gql._exceptions import MissingExtraError
from upwork_gql.cli import auth, call, demo, sandbox, schema, tenants
from upwork_gql.cli._help import hide_flag_types

__all__ = ["app", "run", "version"]

hide_flag_types()  # no <bool> / <list[Path]> in any --help

app = typer.Typer(
    name="upwork-gql",
    help="The async, typed client for Upwork's GraphQL API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help (reflowed paragraphs, no type column for flags) for the root and its groups.
    rich_markup_mode=None,
)
app.add_typer(auth.app, name="auth")
app.add_typer(schema.app, name="schema")
app.add_typer(sandbox.app, name="sandbox")
call.register(app)
demo.register(app)
tenants.register(app)


def version() -> str:
    """The installed distribution's version (the package's own when run from a checkout)."""
    from importlib import metadata

    try:
        return metadata.version("upwork-gql")
    except metadata.PackageNotFoundError:
        from upwork_gql import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"upwork-gql {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """The async, typed client for Upwork's GraphQL API."""


def run() -> None:
    """Run the root app and exit.

    Usage errors (an unknown option, a bad value) are one ``error:`` line and exit code 2, like
    every other failure of the CLI; a bare command group still shows its help. A command whose
    extra is not installed (``demo`` and ``sandbox`` need ``sandbox``) says which one, exit 1.
    """
    try:
        code = app(standalone_mode=False, prog_name="upwork-gql")
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except MissingExtraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        print("error: aborted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)

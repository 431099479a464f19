"""The ``upwork-gql`` command line.

Each command group lives in its own module and is attached here; the modules import their heavy
dependencies inside the commands so that ``upwork-gql --help`` stays fast.
"""

from __future__ import annotations

import typer

from upwork_gql.cli import auth, call, demo, sandbox, schema, tenants

# Typer >= 0.29 raises the exceptions of its own vendored copy of click.
try:
    from typer._click.exceptions import NoArgsIsHelpError as _NoArgsIsHelpError
    from typer._click.exceptions import UsageError as _UsageError
except ImportError:  # pragma: no cover - older typer on upstream click
    from click.exceptions import NoArgsIsHelpError as _NoArgsIsHelpError  # type: ignore[assignment]
    from click.exceptions import UsageError as _UsageError  # type: ignore[assignment]

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
tenants.register(app)


def main() -> None:
    """Console-script entry point.

    Usage errors (an unknown option, a bad value) are one ``error:`` line and exit code 2, like
    every other failure of the CLI; a bare command group still shows its help.
    """
    import sys

    try:
        code = app(standalone_mode=False)
    except _NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except _UsageError as exc:
        print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("error: aborted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)

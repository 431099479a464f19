"""`upwork-gql call OPERATION`: run any operation of the generated client from the shell.

The operations are discovered from the generated client (see ``_operations``), one subcommand
each, so ``upwork-gql call clientProposals --help`` lists that operation's variables and types.
"""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from upwork_gql._constants import ENV_API_URL, ENV_TENANT_ID, ENV_TOKEN_FILE
from upwork_gql.cli._errors import fail

if TYPE_CHECKING:
    from upwork_gql.cli._operations import Operation

__all__ = ["register"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Format(enum.StrEnum):
    json = "json"
    jsonl = "jsonl"
    table = "table"
    csv = "csv"


class _OperationGroup(TyperGroup):
    """A command group whose subcommands are the generated client's operations."""

    def list_commands(self, ctx: Any) -> list[str]:
        from upwork_gql.cli._operations import discover

        return list(discover())

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from upwork_gql._exceptions import InvalidVariablesError
        from upwork_gql.cli._operations import resolve

        try:
            op = resolve(cmd_name)
        except InvalidVariablesError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
        return _operation_command(op)


def _help_text(op: Operation) -> str:
    from upwork_gql.cli._paging import is_paginated

    lines = [f"Run the {op.kind} [bold]{op.name}[/bold] (client method: {op.method}).", ""]
    if op.variables:
        lines.append("Variables (pass with --var NAME=VALUE or --vars JSON):")
        lines.append("")
        for var in op.variables:
            need = "required" if var.required else "optional"
            lines.append(f"  [cyan]${var.name}[/cyan]: {var.graphql_type} ({need})")
        lines.append("")
        lines.append(
            "String and ID values are taken as written; other values are JSON "
            "(numbers, true/false, objects), or the bare word for enums."
        )
    else:
        lines.append("This operation takes no variables.")
    if is_paginated(op):
        lines.append("")
        lines.append("A connection: --all-pages walks every page (cursor handled for you).")
    return "\n".join(lines)


def _read_vars(source: str) -> dict[str, Any]:
    if source.startswith("@"):
        path = source[1:]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(f"--vars: cannot read {path}: {exc.strerror}", EXIT_USAGE) from None
    else:
        text = source
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"--vars: not valid JSON ({exc.msg} at line {exc.lineno})", EXIT_USAGE) from None
    if not isinstance(data, dict):
        raise fail("--vars: expected a JSON object of variables", EXIT_USAGE)
    return data


def _parse_columns(op: Operation, text: str) -> list[str]:
    import difflib

    from upwork_gql.cli._output import columns_for, row_class

    wanted = [c.strip() for c in text.split(",") if c.strip()]
    model = row_class(op.result_model())
    if model is None or not wanted:
        raise fail(f"--columns: {op.name} has no row fields to choose from", EXIT_USAGE)
    known = columns_for(model)
    prefixes = {k.rsplit(".", i)[0] for k in known for i in range(1, k.count(".") + 1)}
    chosen: list[str] = []
    for column in wanted:
        if column in known:
            chosen.append(column)
        elif column in prefixes:  # a nested object: all its leaves
            chosen.extend(k for k in known if k.startswith(column + "."))
        else:
            close = difflib.get_close_matches(column, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise fail(f"--columns: {op.name} has no field {column!r}{hint}", EXIT_USAGE)
    return chosen


def _confirm_mutation(op: Operation) -> None:
    """A mutation changes data at Upwork: ask on a terminal; elsewhere, demand ``--yes``."""
    if not sys.stdin.isatty():
        raise fail(
            f"{op.name} is a mutation (it changes data at Upwork): pass --yes to send it",
            EXIT_USAGE,
        )
    # The question and the answer stay off stdout, which may be redirected to a file.
    sys.stderr.write(f"Send the mutation {op.name} to Upwork? [y/N]: ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise fail("not sent", EXIT_USAGE)


def _operation_command(op: Operation) -> Any:
    sub = typer.Typer(add_completion=False, rich_markup_mode="rich")

    from upwork_gql.cli._paging import is_paginated

    names = ", ".join(f"${v.name}{'!' if v.required else ''}" for v in op.variables)
    paginated = is_paginated(op)
    short = f"{op.kind}({names})" + (", paginated" if paginated else "")
    # The paging options exist only for connections: hidden elsewhere (given anyway, they are
    # a usage error naming the reason). The page size is bounded by the operation's maximum.
    max_page_size = op.connection.max_page_size if op.connection is not None else None

    @sub.command(name=op.name, help=_help_text(op), short_help=short)
    def run(
        var: Annotated[
            list[str] | None,
            typer.Option(
                "--var",
                "-v",
                metavar="NAME=VALUE",
                help="A variable, NAME=VALUE (GraphQL name). Repeatable.",
            ),
        ] = None,
        vars_json: Annotated[
            str | None,
            typer.Option(
                "--vars",
                metavar="JSON|@FILE",
                help="Variables as a JSON object, or @file.json (@- for stdin).",
            ),
        ] = None,
        all_pages: Annotated[
            bool, typer.Option("--all-pages", help="Follow the cursor through every page.")
        ] = False,
        max_items: Annotated[
            int | None, typer.Option("--max-items", min=1, help="Stop after this many nodes.")
        ] = None,
        page_size: Annotated[
            int | None, typer.Option("--page-size", min=1, help="Nodes per page (--all-pages).")
        ] = None,
        output_format: Annotated[
            Format, typer.Option("--format", "-f", help="Output format.")
        ] = Format.json,
        columns: Annotated[
            str | None,
            typer.Option(
                "--columns",
                "-c",
                metavar="A,B.C",
                help="Fields to output, as dotted GraphQL paths (id,title,client.totalSpent).",
            ),
        ] = None,
        tenant: Annotated[
            str | None,
            typer.Option("--tenant", envvar=ENV_TENANT_ID, help="Organization id (tenant)."),
        ] = None,
        api_url: Annotated[
            str | None, typer.Option("--api-url", envvar=ENV_API_URL, help="GraphQL endpoint.")
        ] = None,
        token_file: Annotated[
            Path | None,
            typer.Option("--token-file", envvar=ENV_TOKEN_FILE, help="Saved login (JSON)."),
        ] = None,
        yes: Annotated[
            bool,
            typer.Option("--yes", "-y", help="Send a mutation without asking for confirmation."),
        ] = False,
    ) -> None:
        from upwork_gql._exceptions import InvalidVariablesError
        from upwork_gql.cli._operations import build_arguments, coerce_cli_value, parse_var_option

        try:
            values: dict[str, Any] = _read_vars(vars_json) if vars_json else {}
            for item in var or []:
                key, raw = parse_var_option(item)
                variable = op.variable(key)
                values[key] = coerce_cli_value(variable, raw) if variable else raw
            arguments = build_arguments(op, values)
        except InvalidVariablesError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
        if api_url is not None:
            from upwork_gql._config import check_url
            from upwork_gql._exceptions import ConfigurationError

            try:
                check_url(api_url, "--api-url")
            except ConfigurationError as exc:
                raise fail(str(exc), EXIT_USAGE) from None
        select = _parse_columns(op, columns) if columns else None
        if not paginated and (all_pages or page_size is not None or max_items is not None):
            raise fail(f"{op.name} does not return a paginated connection", EXIT_USAGE)
        if page_size is not None and not all_pages:
            raise fail("--page-size needs --all-pages", EXIT_USAGE)
        if page_size is not None and max_page_size is not None and page_size > max_page_size:
            raise fail(
                f"Invalid value for '--page-size': {op.name} takes at most {max_page_size} "
                "nodes per page",
                EXIT_USAGE,
            )
        if op.is_mutation and not yes:
            _confirm_mutation(op)

        import anyio

        from upwork_gql.cli._runner import CallSettings, run_call

        settings = CallSettings(
            operation=op,
            arguments=arguments,
            all_pages=all_pages,
            max_items=max_items,
            page_size=page_size,
            output_format=output_format.value,
            select=select,
            tenant=tenant,
            api_url=api_url,
            token_file=token_file,
        )
        try:
            code = anyio.run(run_call, settings)
        except KeyboardInterrupt:
            raise fail("interrupted", EXIT_INTERRUPTED) from None
        if code:
            raise typer.Exit(code)

    command = typer.main.get_command(sub)
    for param in command.params:
        if param.name in ("all_pages", "max_items", "page_size") and not paginated:
            param.hidden = True  # type: ignore[attr-defined]
        elif param.name == "page_size" and max_page_size is not None:
            param.max = max_page_size  # type: ignore[attr-defined]
    return command


def register(app: typer.Typer) -> None:
    """Attach ``call`` to the root app."""
    call_app = typer.Typer(
        cls=_OperationGroup,
        no_args_is_help=True,
        rich_markup_mode="rich",
        help=(
            "Run any operation of the client: upwork-gql call OPERATION [--var NAME=VALUE ...].\n\n"
            "OPERATION is the GraphQL operation name (clientProposals) or the method name "
            "(client_proposals). See upwork-gql call OPERATION --help for its variables."
        ),
    )
    app.add_typer(call_app, name="call")

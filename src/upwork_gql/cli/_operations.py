"""The operations ``upwork-gql call`` offers, read from the generated operation registry.

Nothing here is a hand-written list, and nothing reads generated source: every operation in
``queries/`` is an entry of ``upwork_gql._generated.operations.OPERATIONS`` (name, kind, client
method, variables with their GraphQL types). Values given on the command line are mapped to the
method's arguments here; the runtime validates them (at every depth) before anything is sent.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from upwork_gql._exceptions import InvalidVariablesError
from upwork_gql._operation import Operation, Variable

__all__ = [
    "Operation",
    "Variable",
    "build_arguments",
    "coerce_cli_value",
    "discover",
    "parse_var_option",
    "resolve",
    "summary",
]

_STRING_SCALARS = frozenset({"String", "ID"})


def discover() -> dict[str, Operation]:
    """All operations of the generated client, keyed by GraphQL operation name."""
    from upwork_gql._generated.operations import OPERATIONS

    return dict(sorted(OPERATIONS.items()))


def summary(op: Operation) -> str:
    """One line: kind and variables."""
    if not op.variables:
        return f"{op.kind}, no variables"
    names = ", ".join(f"${v.name}: {v.graphql_type}" for v in op.variables)
    return f"{op.kind}({names})"


def resolve(name: str) -> Operation:
    """Find an operation by GraphQL name (``clientProposals``) or method name."""
    ops = discover()
    if name in ops:
        return ops[name]
    for op in ops.values():
        if name == op.method:
            return op
    by_spelling: dict[str, str] = {}
    for op in ops.values():
        by_spelling.setdefault(op.name, op.name)
        by_spelling.setdefault(op.method, op.name)
    close = difflib.get_close_matches(name, list(by_spelling), n=6)
    suggestions = list(dict.fromkeys(by_spelling[c] for c in close))[:3]
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise InvalidVariablesError(f"unknown operation {name!r}{hint}")


# -- command-line values ------------------------------------------------------------------------


def parse_var_option(item: str) -> tuple[str, str]:
    """Split ``k=v`` (the value may contain ``=``)."""
    key, sep, value = item.partition("=")
    key = key.strip().lstrip("$")
    if not sep or not key:
        raise InvalidVariablesError(f"--var {item.split('=')[0]!r}: expected NAME=VALUE")
    return key, value


def coerce_cli_value(var: Variable, raw: str) -> Any:
    """A ``--var`` value: a string for String/ID variables, otherwise JSON (or a bare word).

    A value that starts like JSON (``{``, ``[``, ``"``) but does not parse is an error naming the
    variable, not a bare word.
    """
    if var.named_type in _STRING_SCALARS and not var.is_list:
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        if raw.lstrip()[:1] in ("{", "[", '"'):
            raise InvalidVariablesError(
                f"--var {var.name}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        return raw


def build_arguments(op: Operation, values: Mapping[str, Any]) -> dict[str, Any]:
    """Map GraphQL-named variable values to keyword arguments of the client method.

    Unknown and missing variables are one line here; the values themselves are validated by the
    runtime before sending (the error names the path, never the value).
    """
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        var = op.variable(key)
        if var is None:
            names = [v.name for v in op.variables]
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"did you mean ${close[0]}? " if close else ""
            expected = ", ".join(f"${n}" for n in names) or "none"
            raise InvalidVariablesError(
                f"unknown variable ${key} for {op.name}; {hint}variables: {expected}",
                operation=op.name,
            )
        if value is None and var.required:
            raise InvalidVariablesError(
                f"variable ${var.name} ({var.graphql_type}) is required and cannot be null",
                operation=op.name,
            )
        kwargs[var.python_name] = value
    missing = [v for v in op.variables if v.required and v.python_name not in kwargs]
    if missing:
        listed = ", ".join(f"${v.name} ({v.graphql_type})" for v in missing)
        raise InvalidVariablesError(
            f"missing required variable{'s' if len(missing) > 1 else ''} {listed} for {op.name}",
            operation=op.name,
        )
    return kwargs

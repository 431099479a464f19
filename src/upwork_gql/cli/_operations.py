"""Discover the generated client's operations, and turn command-line variables into arguments.

Nothing here is a hand-written list: every ``async def`` defined on ``GeneratedClient`` that sends a
GraphQL document (``gql(...)`` plus ``operation_name=``) is an operation. Its GraphQL document gives
the variables' names and GraphQL types; the method's signature gives the python parameter for each
variable and the generated input model or annotation that validates its value.
"""

from __future__ import annotations

import ast
import difflib
import enum
import inspect
import json
import textwrap
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pydantic
from graphql import (
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
    print_ast,
)

from upwork_gql._exceptions import InvalidVariablesError

__all__ = [
    "Operation",
    "Variable",
    "build_arguments",
    "discover",
    "parse_var_option",
    "resolve",
]

_STRING_SCALARS = frozenset({"String", "ID"})


@dataclass(frozen=True)
class Variable:
    """One ``$variable`` of an operation."""

    name: str
    """GraphQL variable name (``jobPostingId``)."""
    param: str
    """Python parameter of the generated method (``job_posting_id``)."""
    graphql_type: str
    """GraphQL type as written in the document (``ID!``)."""
    named_type: str
    """The innermost named type (``ID``)."""
    is_list: bool
    required: bool
    annotation: Any
    """The parameter's annotation with ``UnsetType`` removed."""

    @property
    def adapter(self) -> pydantic.TypeAdapter[Any]:
        return _adapter(self.annotation)


@dataclass(frozen=True)
class Operation:
    """A GraphQL operation of the generated client."""

    name: str
    """GraphQL operation name (``clientProposals``)."""
    method: str
    """Method name on the client (``client_proposals``)."""
    kind: str
    """``query`` or ``mutation``."""
    document: str
    variables: tuple[Variable, ...]
    return_type: Any

    def variable(self, key: str) -> Variable | None:
        """Find a variable by its GraphQL name or its python parameter name."""
        for var in self.variables:
            if key in (var.name, var.param):
                return var
        return None

    def summary(self) -> str:
        """One line: kind and variables."""
        if not self.variables:
            return f"{self.kind}, no variables"
        names = ", ".join(f"${v.name}: {v.graphql_type}" for v in self.variables)
        return f"{self.kind}({names})"


@cache
def _adapter(annotation: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(annotation)


def _type_info(node: TypeNode) -> tuple[str, bool]:
    is_list = False
    while not isinstance(node, NamedTypeNode):
        if isinstance(node, ListTypeNode):
            is_list = True
        assert isinstance(node, ListTypeNode | NonNullTypeNode)
        node = node.type
    return node.name.value, is_list


def _strip_unset(annotation: Any) -> Any:
    """``Union[Optional[X], UnsetType]`` -> ``Optional[X]``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if getattr(a, "__name__", "") != "UnsetType"]
        if len(args) == 1:
            return args[0]
        return typing.Union[tuple(args)]  # noqa: UP007
    return annotation


class _MethodSource(ast.NodeVisitor):
    """Collects the document, operation name and ``variables`` dict of a generated method."""

    def __init__(self) -> None:
        self.document: str | None = None
        self.operation_name: str | None = None
        self.mapping: dict[str, str] = {}

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id == "gql"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self.document = node.args[0].value
        for kw in node.keywords:
            if (
                kw.arg == "operation_name"
                and isinstance(kw.value, ast.Constant)
                and isinstance(kw.value.value, str)
            ):
                self.operation_name = kw.value.value
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and isinstance(value, ast.Name)
            ):
                self.mapping[key.value] = value.id
        self.generic_visit(node)


def _operation_from_method(method_name: str, func: Callable[..., Any]) -> Operation | None:
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    visitor = _MethodSource()
    visitor.visit(ast.parse(source))
    if visitor.document is None or visitor.operation_name is None:
        return None
    document = parse(visitor.document)
    definition = next(
        (
            d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
            and d.name is not None
            and d.name.value == visitor.operation_name
        ),
        None,
    )
    if definition is None:
        return None
    hints = typing.get_type_hints(func)
    signature = inspect.signature(func)
    variables: list[Variable] = []
    for var_def in definition.variable_definitions:
        gql_name = var_def.variable.name.value
        param = visitor.mapping.get(gql_name)
        if param is None or param not in signature.parameters:
            return None
        named, is_list = _type_info(var_def.type)
        parameter = signature.parameters[param]
        variables.append(
            Variable(
                name=gql_name,
                param=param,
                graphql_type=print_ast(var_def.type),
                named_type=named,
                is_list=is_list,
                required=parameter.default is inspect.Parameter.empty,
                annotation=_strip_unset(hints.get(param, Any)),
            )
        )
    return Operation(
        name=visitor.operation_name,
        method=method_name,
        kind=definition.operation.value,
        document=visitor.document,
        variables=tuple(variables),
        return_type=hints.get("return", Any),
    )


def _default_client_class() -> type:
    from upwork_gql._generated.client import GeneratedClient

    client_class: type = GeneratedClient
    return client_class


@cache
def _discover(client_class: type) -> dict[str, Operation]:
    found: dict[str, Operation] = {}
    for attr, value in vars(client_class).items():
        if attr.startswith("_") or not inspect.iscoroutinefunction(value):
            continue
        op = _operation_from_method(attr, value)
        if op is not None:
            found[op.name] = op
    return dict(sorted(found.items()))


def discover(client_class: type | None = None) -> dict[str, Operation]:
    """All operations of the generated client, keyed by GraphQL operation name."""
    return _discover(client_class or _default_client_class())


def resolve(name: str, client_class: type | None = None) -> Operation:
    """Find an operation by GraphQL name (``clientProposals``) or method name."""
    ops = discover(client_class)
    if name in ops:
        return ops[name]
    for op in ops.values():
        if name == op.method:
            return op
    candidates = [*ops, *(op.method for op in ops.values())]
    close = difflib.get_close_matches(name, candidates, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
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
    """A ``--var`` value: a string for String/ID variables, otherwise JSON (or the bare word)."""
    if var.named_type in _STRING_SCALARS and not var.is_list:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _unknown_fields(value: Any, annotation: Any, path: str) -> Iterator[str]:
    """Keys of input objects that their generated model does not define (pydantic ignores them)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        for arg in typing.get_args(annotation):
            yield from _unknown_fields(value, arg, path)
        return
    if origin in (list, typing.List) and isinstance(value, list):  # noqa: UP006
        (item_type,) = typing.get_args(annotation) or (Any,)
        for index, item in enumerate(value):
            yield from _unknown_fields(item, item_type, f"{path}[{index}]")
        return
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        # The generated enums accept unknown values from responses (schema drift); what we
        # send must be a value this client knows.
        allowed = [str(member.value) for member in annotation]
        if isinstance(value, str) and value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield f"{path}: not a {annotation.__name__} value{hint}; values: {', '.join(allowed)}"
        return
    if (
        isinstance(annotation, type)
        and issubclass(annotation, pydantic.BaseModel)
        and isinstance(value, Mapping)
    ):
        if not annotation.__pydantic_complete__:
            annotation.model_rebuild(raise_errors=False)
        fields = annotation.model_fields
        by_key: dict[str, Any] = {}
        for field_name, info in fields.items():
            by_key[field_name] = info.annotation
            if info.alias:
                by_key[info.alias] = info.annotation
        for key, item in value.items():
            if key not in by_key:
                expected = sorted({info.alias or n for n, info in fields.items()})
                close = difflib.get_close_matches(str(key), expected, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield (
                    f"{path}: unknown field {key!r} in {annotation.__name__}{hint}; "
                    f"fields: {', '.join(expected)}"
                )
            else:
                yield from _unknown_fields(item, by_key[key], f"{path}.{key}")


def _describe_error(var: Variable, exc: pydantic.ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = ".".join(str(p) for p in err["loc"])
    where = f"${var.name}.{loc}" if loc else f"${var.name}"
    more = len(exc.errors()) - 1
    extra = f" (and {more} more error{'s' if more > 1 else ''})" if more > 0 else ""
    return f"invalid variable {where} ({var.graphql_type}): {err['msg']}{extra}"


def build_arguments(op: Operation, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate GraphQL-named variable values; return keyword arguments for the method.

    Raises :class:`InvalidVariablesError` with one line naming the variable at fault. Messages
    name variables and fields, never their values.
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
        for problem in _unknown_fields(value, var.annotation, f"${var.name}"):
            raise InvalidVariablesError(f"invalid variable {problem}", operation=op.name)
        try:
            kwargs[var.param] = var.adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            raise InvalidVariablesError(_describe_error(var, exc), operation=op.name) from None
    missing = [v for v in op.variables if v.required and v.param not in kwargs]
    if missing:
        listed = ", ".join(f"${v.name} ({v.graphql_type})" for v in missing)
        raise InvalidVariablesError(
            f"missing required variable{'s' if len(missing) > 1 else ''} {listed} for {op.name}",
            operation=op.name,
        )
    return kwargs

"""The operation registry's types: what code generation knows about each operation.

``scripts/codegen_plugins/registry.py`` writes ``_generated/operations.py``: one
:class:`Operation` per file in ``queries/``, holding the document as sent, the kind, the variable
specs, where the result model lives (imported on first use) and, for Relay connections, where
the connection sits in the result and where the cursor goes in the variables. Every consumer
reads it: the request path, the paginators, ``upwork-gql call``, ``schema check``, the API-diff
script and the benchmarks. Nothing is rediscovered at run time.
"""

from __future__ import annotations

import builtins
import importlib
import json
import keyword
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "Connection",
    "Operation",
    "OperationKind",
    "Variable",
    "document_kind",
    "document_operation_name",
    "method_name",
]

OperationKind = Literal["query", "mutation", "subscription"]

# ariadne-codegen's words: lower-case runs (optionally capitalised), upper-case runs, digits.
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?=[A-Z][a-z]|\d|\W|_|$)|\d+")


def method_name(operation_name: str) -> str:
    """The generated client method for an operation name: ``createRoomStoryV2`` ->
    ``create_room_story_v2``.

    The one naming rule: code generation names methods with it, and ``schema check`` predicts
    the method of an operation not generated yet. Words are split as ariadne-codegen splits
    them, digits stay attached to the word before them, and a keyword or builtin type name gets
    a trailing underscore.
    """
    snake = "_".join(w.lower() for w in _WORDS.findall(operation_name))
    snake = re.sub(r"(?<=[a-z])_(\d+)", r"\1", snake)
    if keyword.iskeyword(snake) or isinstance(getattr(builtins, snake, None), type):
        snake += "_"
    return snake


_COMMENT: Final = re.compile(r"#[^\n]*")
_NAMED: Final = re.compile(r"(?:^|})\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def document_kind(document: str, operation_name: str | None) -> str:
    """``query``, ``mutation`` or ``subscription`` of an ad-hoc document, without parsing it.

    A document whose kind cannot be told (several operations and no name, a name it does not
    define) counts as a mutation: never retried unless the request provably never left.
    """
    text = _COMMENT.sub("", document)
    if operation_name:
        match = re.search(rf"\b(query|mutation|subscription)\s+{re.escape(operation_name)}\b", text)
        return match.group(1) if match else "mutation"
    kinds = re.findall(r"(?:^|})\s*(query|mutation|subscription)\b|(?:^|})\s*{", text)
    if len(kinds) != 1:
        return "mutation"
    return kinds[0] or "query"


def document_operation_name(document: str) -> str | None:
    """The name of the one operation an ad-hoc document defines (``None``: anonymous, or
    several operations). Only a name: never anything else from the document."""
    names = _NAMED.findall(_COMMENT.sub("", document).strip())
    return names[0] if len(names) == 1 else None


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable of an operation.

    ``name`` is the GraphQL name (the key sent in ``variables``), ``python_name`` the argument of
    the generated method, ``graphql_type`` the declared type (``[ID!]!``), ``python_type`` the
    annotation of the generated argument, as source text evaluated against the generated
    package. ``required``: non-null without a default. ``default``: the declared default
    (JSON), ``None`` when there is none.
    """

    name: str
    python_name: str
    graphql_type: str
    python_type: str
    required: bool
    default: Any = None

    @property
    def named_type(self) -> str:
        """The innermost named type (``ID`` for ``[ID!]!``)."""
        return self.graphql_type.strip("[]!")

    @property
    def is_list(self) -> bool:
        return self.graphql_type.startswith("[")


@dataclass(frozen=True, slots=True)
class Connection:
    """Where a Relay connection and its cursor live for a paginated operation.

    ``path``: attributes from the result model to the connection object (python names).
    ``cursor_path``: GraphQL names from the variables to the pagination input ``{after, first}``
    (``("pagination",)``, ``("marketPlaceJobFilter", "pagination_eq")``,
    ``("filter", "storyFilter", "pagination")``). ``node_type``: the generated node class.
    """

    root_field: str
    path: tuple[str, ...]
    cursor_path: tuple[str, ...]
    max_page_size: int
    node_type: str = ""
    connection_type: str = ""


@dataclass(eq=False, slots=True)
class Operation:
    """One operation from ``queries/``; run-time helpers are built from it once, lazily."""

    name: str
    kind: OperationKind
    method: str
    document: str
    variables: tuple[Variable, ...]
    result_module: str
    result_class: str
    connection: Connection | None = None
    package: str = "upwork_gql._generated"
    # Built on first use (see upwork_gql._variables and upwork_gql._response).
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_mutation(self) -> bool:
        return self.kind != "query"

    @property
    def paginate_method(self) -> str | None:
        return f"paginate_{self.method}" if self.connection is not None else None

    def variable(self, name: str) -> Variable | None:
        """The variable called ``name`` (GraphQL name or python argument name)."""
        for variable in self.variables:
            if name in (variable.name, variable.python_name):
                return variable
        return None

    def result_model(self) -> type[BaseModel]:
        """The generated result model (its module is imported on first use)."""
        model = self._cache.get("result")
        if model is None:
            module = importlib.import_module(f"{self.package}.{self.result_module}")
            model = self._cache["result"] = getattr(module, self.result_class)
        return model  # type: ignore[no-any-return]

    def body_prefix(self) -> bytes:
        """The JSON request body up to the variables, encoded once."""
        prefix = self._cache.get("prefix")
        if prefix is None:
            prefix = self._cache["prefix"] = (
                f'{{"query":{json.dumps(self.document, ensure_ascii=False)},'
                f'"operationName":{json.dumps(self.name)},"variables":'
            ).encode()
        return prefix

    def __repr__(self) -> str:
        return f"<Operation {self.kind} {self.name}>"

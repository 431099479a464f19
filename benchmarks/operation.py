"""The benchmarked operation, read from the operation registry (``_generated/operations.py``).

Every client in the benchmarks sends the same document (the operation plus the fragments it
uses, as the registry holds it) with the same variables, so that their costs compare. Nothing is
parsed here: the registry already knows the document, the connection's root field and where the
cursor goes in the variables.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upwork_gql._operation import Operation

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OPERATION = "marketplaceJobPostings"


def registry_operation(name: str = DEFAULT_OPERATION) -> Operation:
    """The registry entry of the operation called ``name``."""
    registry = importlib.import_module("upwork_gql._generated.operations")
    for value in vars(registry).values():
        if isinstance(value, Operation) and value.name == name:
            return value
    raise LookupError(f"no operation {name!r} in the registry")


@dataclass(frozen=True)
class BenchOperation:
    """What the clients need to walk one connection of the registry."""

    op: Operation

    @property
    def name(self) -> str:
        return self.op.name

    @property
    def document(self) -> str:
        return self.op.document

    @property
    def method(self) -> str:
        return self.op.method

    @property
    def root_key(self) -> str:
        """The connection's key under ``data`` (our operations do not alias it)."""
        assert self.op.connection is not None
        return self.op.connection.root_field

    @property
    def root_attr(self) -> str:
        """The connection's attribute on the generated result model."""
        assert self.op.connection is not None
        return self.op.connection.path[-1]

    @property
    def cursor_path(self) -> tuple[str, ...]:
        assert self.op.connection is not None
        return self.op.connection.cursor_path

    @property
    def filter_variable(self) -> str:
        """The variable that carries the cursor (``marketPlaceJobFilter``)."""
        return self.cursor_path[0]

    @property
    def filter_type(self) -> str:
        """The GraphQL input type of :attr:`filter_variable` (``MarketplaceJobFilter``)."""
        variable = self.op.variable(self.filter_variable)
        assert variable is not None
        return variable.named_type

    @property
    def filter_argument(self) -> str:
        """The generated method's argument for :attr:`filter_variable`."""
        variable = self.op.variable(self.filter_variable)
        assert variable is not None
        return variable.python_name

    def filter_value(self, after: str, first: int) -> dict[str, Any]:
        """The value of :attr:`filter_variable` asking for ``first`` nodes after ``after``."""
        value: dict[str, Any] = {"after": after, "first": first}
        for key in reversed(self.cursor_path[1:]):
            value = {key: value}
        return value

    def variables(self, after: str, first: int) -> dict[str, Any]:
        """The ``variables`` object of one page request."""
        return {self.filter_variable: self.filter_value(after, first)}


def load_operation(name: str = DEFAULT_OPERATION) -> BenchOperation:
    op = registry_operation(name)
    if op.connection is None:
        raise LookupError(f"{name} is not a paginated operation")
    return BenchOperation(op)

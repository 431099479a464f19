"""Run-time type introspection of the generated client.

The generated client imports its models only for type checking (``from __future__ import
annotations``), so ``typing.get_type_hints(method)`` alone cannot resolve its annotations: it is
given the namespace of the generated package here. The registry
(``upwork_gql._generated.operations``) says the same from the other side:
``connection.connection_type`` / ``connection.node_type`` name the paginator's classes.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import typing
from collections.abc import Callable
from typing import Any

import upwork_gql._generated as generated
from upwork_gql._generated.operations import OPERATIONS
from upwork_gql._operation import Operation
from upwork_gql.pagination import AsyncPaginator


@functools.cache
def generated_namespace() -> dict[str, Any]:
    """Every public name of every module of the generated package (plus ``AsyncPaginator``)."""
    namespace: dict[str, Any] = {}
    for info in pkgutil.iter_modules(generated.__path__):
        module = importlib.import_module(f"{generated.__name__}.{info.name}")
        namespace.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    namespace["AsyncPaginator"] = AsyncPaginator
    return namespace


def type_hints(method: Callable[..., Any]) -> dict[str, Any]:
    """``typing.get_type_hints`` of a generated client method, resolved at run time."""
    return typing.get_type_hints(method, globalns=generated_namespace())


def operation_for(method: str) -> Operation:
    """The registry entry of a generated method (``contract``) or paginator (``paginate_x``)."""
    for op in OPERATIONS.values():
        if method in (op.method, op.paginate_method):
            return op
    raise KeyError(method)


def registry_paginator_types(method: str) -> tuple[type[Any], type[Any]]:
    """(connection model, node model) of a paginator, as the registry names them."""
    op = operation_for(method)
    assert op.connection is not None, method
    module = importlib.import_module(f"{op.package}.{op.result_module}")
    namespace = {**generated_namespace(), **vars(module)}
    return namespace[op.connection.connection_type], namespace[op.connection.node_type]

"""A concise ``repr`` for the generated models, readable in a notebook or a log line.

Pydantic's default ``repr`` prints every nested field of every edge: a page of 50 job postings is
tens of kilobytes on one line. ``concise_repr`` shows the top-level fields that are set, one level
of nested scalars, list lengths instead of list contents, and shortened long strings::

    ClientProposals(client_proposals=ClientProposalsClientProposals(total_count=212,
    edges=[50 items], page_info=ClientProposalsClientProposalsPageInfo(…)))

The full data stays one call away: ``model.model_dump()`` or ``model.model_dump_json(indent=2)``.
"""

from __future__ import annotations

import enum
from typing import Any

import pydantic

__all__ = ["concise_repr"]

MAX_FIELDS = 8
MAX_STRING = 60


def _value(value: Any, depth: int) -> str:
    if isinstance(value, pydantic.BaseModel):
        return _model(value, depth + 1)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            value = value[: MAX_STRING - 1] + "…"
        return repr(value)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if len(value) <= 3 and not any(isinstance(v, pydantic.BaseModel | list) for v in value):
            return "[" + ", ".join(_value(v, depth + 1) for v in value) + "]"
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, dict):
        return f"{{{len(value)} key{'s' if len(value) != 1 else ''}}}"
    return repr(value)


def _model(model: pydantic.BaseModel, depth: int) -> str:
    name = type(model).__name__
    if depth > 2:
        return f"{name}(…)"
    parts: list[str] = []
    hidden = 0
    for field_name in type(model).model_fields:
        value = getattr(model, field_name, None)
        if value is None:
            continue
        if len(parts) >= MAX_FIELDS:
            hidden += 1
            continue
        if depth > 1 and isinstance(value, pydantic.BaseModel):
            parts.append(f"{field_name}={type(value).__name__}(…)")
        else:
            parts.append(f"{field_name}={_value(value, depth)}")
    if hidden:
        parts.append("…")
    return f"{name}({', '.join(parts)})"


def concise_repr(model: pydantic.BaseModel) -> str:
    """A short, one-line ``repr`` of a model: set fields only, nested data summarised."""
    return _model(model, 1)

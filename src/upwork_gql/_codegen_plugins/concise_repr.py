"""ariadne-codegen plugin: a concise ``repr`` for every generated model.

Pydantic's default ``repr`` prints every nested field (a contract is ~2 KB on one line, a page of
job postings tens of KB), which makes notebooks and debuggers unreadable. This plugin adds
``__repr__`` and IPython's ``_repr_pretty_`` to the generated ``BaseModel`` (the file
ariadne-codegen copies into the package), delegating to :func:`upwork_gql._repr.concise_repr`:
set fields only, nested models one level deep, list lengths instead of list contents, long
strings shortened.
``str()``, ``model_dump()`` and ``model_dump_json()`` are unchanged.

Enable it in ``[tool.ariadne-codegen] plugins`` and run ``make generate``.
"""

from __future__ import annotations

import ast

from ariadne_codegen.plugins.base import Plugin

__all__ = ["MARKER", "ConciseReprPlugin"]

MARKER = "# concise repr (upwork_gql._codegen_plugins.concise_repr)"

_METHODS = f"""
    {MARKER}
    def __repr__(self) -> str:
        from upwork_gql._repr import concise_repr

        return concise_repr(self)

    def _repr_pretty_(self, printer: _ReprAny, cycle: bool) -> None:
        printer.text(f"{{type(self).__name__}}(...)" if cycle else repr(self))
"""


class ConciseReprPlugin(Plugin):
    """Adds the concise ``__repr__`` / ``_repr_pretty_`` to the generated ``BaseModel``."""

    def copy_code(self, copied_code: str) -> str:
        if MARKER in copied_code:
            return copied_code
        try:
            module = ast.parse(copied_code)
        except SyntaxError:
            return copied_code
        target = next(
            (
                node
                for node in module.body
                if isinstance(node, ast.ClassDef) and node.name == "BaseModel"
            ),
            None,
        )
        if target is None or target.end_lineno is None:
            return copied_code
        imports = [
            node
            for node in module.body
            if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno < target.lineno
        ]
        after_imports = max((node.end_lineno or node.lineno for node in imports), default=0)
        lines = copied_code.splitlines(keepends=True)
        end = target.end_lineno
        return "".join(
            [
                *lines[:after_imports],
                "from typing import Any as _ReprAny\n",
                *lines[after_imports:end],
                _METHODS,
                *lines[end:],
            ]
        )

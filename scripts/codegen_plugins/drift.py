"""ariadne-codegen plugin: generated models tolerate additive schema drift.

Upwork can add an enum value, a union member or an interface implementation at any time;
graphql-core rates these "dangerous", not breaking, yet plain ariadne-codegen models reject the
whole response when one appears. With this plugin (``[tool.ariadne-codegen] plugins``):

* enums are open through their runtime base (``upwork_gql._models.OpenEnum``, set by
  ``runtime_base.RuntimeBasePlugin``);
* every union / interface field is discriminated by ``__typename`` through a callable
  discriminator: a known typename validates strictly against its model, as before; an unknown one
  goes to the interface's fallback model (its ``__typename`` widened to ``str``) or, for unions,
  to ``UnknownObject``, which keeps ``__typename`` and every other field as extras;
* the first time each unknown value or typename is seen, ``upwork_gql.drift`` logs a warning
  telling the maintainer to regenerate.

Genuine mismatches still fail: a missing ``__typename``, or a known type whose fields do not
match its model. The helpers live in the runtime (``upwork_gql._models``); generated modules
import them.
"""

from __future__ import annotations

import ast
from typing import cast

from ariadne_codegen.plugins.base import Plugin
from graphql import (
    ExecutableDefinitionNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLUnionType,
)

__all__ = ["DriftTolerancePlugin"]

_UNKNOWN_CLASS = "UnknownObject"
_DISCRIMINATOR_FN = "typename_discriminator"
_TYPENAME_FIELD = "typename__"
_RUNTIME_MODULE = "upwork_gql._models"


def _name(node: ast.expr | None) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _str_value(node: ast.expr) -> str | None:
    """A string constant, or the quoted name ariadne-codegen uses for forward references."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and len(node.id) >= 2 and node.id[0] == node.id[-1] == '"':
        return node.id[1:-1]
    return None


def _str_elements(node: ast.expr) -> list[str] | None:
    """``"A"`` or ``"A", "B"`` (a subscript slice) as a list of strings, else None."""
    elements = node.elts if isinstance(node, ast.Tuple) else [node]
    values = [_str_value(e) for e in elements]
    if not all(v is not None for v in values):
        return None
    return [v for v in values if v is not None]


def _discriminator_keyword(node: ast.expr | None) -> ast.keyword | None:
    """The ``discriminator="typename__"`` keyword of a ``Field(...)`` call, if any."""
    if isinstance(node, ast.Call) and _name(node.func) == "Field":
        for keyword in node.keywords:
            if keyword.arg == "discriminator" and _str_value(keyword.value) == _TYPENAME_FIELD:
                return keyword
    return None


def _typename_literals(class_def: ast.ClassDef) -> tuple[ast.AnnAssign, list[str]] | None:
    for stmt in class_def.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == _TYPENAME_FIELD
            and isinstance(stmt.annotation, ast.Subscript)
            and _name(stmt.annotation.value) == "Literal"
        ):
            values = _str_elements(stmt.annotation.slice)
            if values is not None:
                return stmt, values
    return None


def _is_typename_discriminated_union(node: ast.Subscript) -> tuple[list[str], ast.expr] | None:
    """``Annotated[Union["A", "B"], Field(discriminator="typename__")]`` -> (["A", "B"], node)."""
    if _name(node.value) != "Annotated" or not isinstance(node.slice, ast.Tuple):
        return None
    if len(node.slice.elts) != 2:
        return None
    union, field = node.slice.elts
    if not (isinstance(union, ast.Subscript) and _name(union.value) == "Union"):
        return None
    if _discriminator_keyword(field) is None or len(cast(ast.Call, field).keywords) != 1:
        return None
    members = _str_elements(union.slice)
    if not members:
        return None
    return members, union


class _UnionRewriter(ast.NodeTransformer):
    def __init__(self, plugin: DriftTolerancePlugin, classes: dict[str, ast.ClassDef]) -> None:
        self.plugin = plugin
        self.classes = classes
        self.owner = ""
        self.rewritten = 0
        self.fallbacks: set[str] = set()
        self.untouchable: set[str] = set()

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        match = _is_typename_discriminated_union(node)
        if match is None:
            return node
        members, _union = match
        tags: dict[str, str] = {}
        default: str | None = None
        for member in members:
            class_def = self.classes.get(member)
            found = _typename_literals(class_def) if class_def is not None else None
            if found is None:
                self.untouchable.update(members)
                return node
            _stmt, literals = found
            if default is None and any(self.plugin.is_abstract(v) for v in literals):
                default = member
                continue
            for literal in literals:
                tags.setdefault(literal, member)
        if default is not None:
            self.fallbacks.add(default)
        tagged: list[ast.expr] = []
        for member in members:
            tagged.append(_annotated_tag(ast.Constant(member), member))
        if default is None:
            default = _UNKNOWN_CLASS
            tagged.append(_annotated_tag(ast.Name(_UNKNOWN_CLASS), _UNKNOWN_CLASS))
        discriminator = ast.Call(
            func=ast.Name("Discriminator"),
            args=[
                ast.Call(
                    func=ast.Name(_DISCRIMINATOR_FN),
                    args=[
                        ast.Dict(
                            keys=[ast.Constant(k) for k in sorted(tags)],
                            values=[ast.Constant(tags[k]) for k in sorted(tags)],
                        )
                    ],
                    keywords=[
                        ast.keyword("default", ast.Constant(default)),
                        ast.keyword("owner", ast.Constant(self.owner)),
                    ],
                )
            ],
            keywords=[],
        )
        self.rewritten += 1
        return ast.Subscript(
            value=ast.Name("Annotated"),
            slice=ast.Tuple(
                elts=[
                    ast.Subscript(value=ast.Name("Union"), slice=ast.Tuple(elts=tagged)),
                    discriminator,
                ]
            ),
        )


def _annotated_tag(target: ast.expr, tag: str) -> ast.expr:
    return ast.Subscript(
        value=ast.Name("Annotated"),
        slice=ast.Tuple(
            elts=[target, ast.Call(func=ast.Name("Tag"), args=[ast.Constant(tag)], keywords=[])]
        ),
    )


def _runtime_import(names: list[str]) -> ast.ImportFrom:
    return ast.ImportFrom(module=_RUNTIME_MODULE, names=[ast.alias(n) for n in names], level=0)


def _insert_imports(module: ast.Module, imports: list[ast.stmt]) -> None:
    index = 0
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            index = i + 1
    module.body[index:index] = imports


class DriftTolerancePlugin(Plugin):
    """Make generated enums, unions and interfaces accept values added after generation."""

    def is_abstract(self, type_name: str) -> bool:
        return isinstance(
            self.schema.type_map.get(type_name), GraphQLInterfaceType | GraphQLUnionType
        )

    # -- unions and interfaces -------------------------------------------------------------

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        return self._rewrite_module(module)

    def generate_fragments_module(
        self,
        module: ast.Module,
        fragments_definitions: dict[str, FragmentDefinitionNode],
    ) -> ast.Module:
        return self._rewrite_module(module)

    def _rewrite_module(self, module: ast.Module) -> ast.Module:
        classes = {s.name: s for s in module.body if isinstance(s, ast.ClassDef)}
        rewriter = _UnionRewriter(self, classes)
        for class_def in classes.values():
            for stmt in class_def.body:
                if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                    continue
                rewriter.owner = f"{class_def.name}.{stmt.target.id}"
                keyword = _discriminator_keyword(stmt.value)
                if keyword is not None and isinstance(stmt.value, ast.Call):
                    # A non-null union field: `x: Union[...] = Field(discriminator=...)`.
                    before = rewriter.rewritten
                    wrapped = ast.Subscript(
                        value=ast.Name("Annotated"),
                        slice=ast.Tuple(
                            elts=[
                                stmt.annotation,
                                ast.Call(func=ast.Name("Field"), args=[], keywords=[keyword]),
                            ]
                        ),
                    )
                    result = rewriter.visit(wrapped)
                    if rewriter.rewritten > before:
                        stmt.annotation = result
                        stmt.value.keywords.remove(keyword)
                        if not stmt.value.keywords and not stmt.value.args:
                            stmt.value = None
                    continue
                stmt.annotation = rewriter.visit(stmt.annotation)
        # Interface fallback models (their typename lists the abstract type) accept any typename:
        # a new implementation of the interface still has the interface's fields.
        for name, class_def in classes.items():
            if name in rewriter.untouchable:
                continue
            found = _typename_literals(class_def)
            if found is not None and any(self.is_abstract(v) for v in found[1]):
                found[0].annotation = ast.Name("str")
        if rewriter.rewritten:
            _insert_imports(
                module,
                [
                    ast.ImportFrom(
                        module="pydantic",
                        names=[ast.alias("Discriminator"), ast.alias("Tag")],
                        level=0,
                    ),
                    _runtime_import([_DISCRIMINATOR_FN, _UNKNOWN_CLASS]),
                ],
            )
        return ast.fix_missing_locations(module)

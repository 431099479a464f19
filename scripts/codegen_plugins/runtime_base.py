"""ariadne-codegen plugin: generated models build on the runtime's bases (``upwork_gql._models``).

* ``base_model.py`` (the file ariadne-codegen copies into the package) becomes a re-export of
  the runtime's ``BaseModel`` (concise ``repr``), ``BaseInputModel``, ``UNSET`` / ``UnsetType``
  and ``Upload``: the generated package carries no pasted runtime code;
* input objects derive from ``BaseInputModel``: a field the schema does not have (a misspelled
  filter) is an error, at any depth, before anything is sent;
* the scalar fields of input objects are typed with the runtime's GraphQL scalars
  (``upwork_gql._scalars``: ``GraphQLInt``, ``GraphQLFloat``, ``GraphQLBoolean``, ``GraphQLString``,
  ``GraphQLID``, ``GraphQLCustomScalar``), so nested values follow GraphQL's input coercion (a
  32-bit ``Int``, a finite ``Float``, no ``"10"`` for a number, an integer ``ID`` sent as a
  string) like top-level variables; for type checkers they are ``int``, ``float``, ``bool``,
  ``str`` and ``Any``. Result models keep the plain types (what the server sends is tolerated);
* enums derive from ``OpenEnum``: a value added to the API after generation parses as a
  pseudo-member instead of failing the whole response.
"""

from __future__ import annotations

import ast
from typing import Any

from ariadne_codegen.plugins.base import Plugin
from graphql import (
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)

__all__ = ["RuntimeBasePlugin"]

RUNTIME_MODULE = "upwork_gql._models"
SCALARS_MODULE = "upwork_gql._scalars"
#: GraphQL scalar -> (the name ariadne-codegen writes, the runtime type that replaces it).
SCALAR_TYPES: dict[str, tuple[str, str]] = {
    "Int": ("int", "GraphQLInt"),
    "Float": ("float", "GraphQLFloat"),
    "Boolean": ("bool", "GraphQLBoolean"),
    "String": ("str", "GraphQLString"),
    "ID": ("str", "GraphQLID"),
}
CUSTOM_SCALAR = ("Any", "GraphQLCustomScalar")
SCALAR_NAMES = sorted({runtime for _, runtime in (*SCALAR_TYPES.values(), CUSTOM_SCALAR)})
BASE_NAMES = ["UNSET", "BaseInputModel", "BaseModel", "OpenEnum", "UnsetType", "Upload"]
EXPORTED = sorted([*BASE_NAMES, *SCALAR_NAMES])
BASE_MODEL_CODE = f'''"""The generated models' bases: re-exported from the hand-written runtime."""

from {RUNTIME_MODULE} import {", ".join(BASE_NAMES)}
from {SCALARS_MODULE} import {", ".join(SCALAR_NAMES)}

__all__ = {EXPORTED!r}
'''


class _RenameScalar(ast.NodeTransformer):
    def __init__(self, generated: str, runtime: str) -> None:
        self.generated, self.runtime = generated, runtime
        self.renamed = False

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.generated:
            self.renamed = True
            return ast.copy_location(ast.Name(self.runtime), node)
        return node


class RuntimeBasePlugin(Plugin):
    """Point the generated models at the runtime's base classes (see module docstring)."""

    def __init__(self, schema: GraphQLSchema, config_dict: dict[str, Any]) -> None:
        super().__init__(schema, config_dict)
        self._used_scalars: set[str] = set()

    def copy_code(self, copied_code: str) -> str:
        if "class BaseModel(" in copied_code:
            return BASE_MODEL_CODE
        return copied_code

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        # The client needs only ``UNSET`` at import time: take it from the light runtime module,
        # so that no model is built before an operation is called.
        for node in module.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == "base_model":
                node.module, node.level = "upwork_gql._unset", 0
        return module

    def generate_input_field(
        self,
        field_implementation: ast.AnnAssign,
        input_field: GraphQLInputField,
        field_name: str,
    ) -> ast.AnnAssign:
        named = get_named_type(input_field.type)
        if not isinstance(named, GraphQLScalarType):
            return field_implementation
        generated, runtime = SCALAR_TYPES.get(named.name, CUSTOM_SCALAR)
        renamer = _RenameScalar(generated, runtime)
        field_implementation.annotation = renamer.visit(field_implementation.annotation)
        if renamer.renamed:
            self._used_scalars.add(runtime)
        return field_implementation

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        used = sorted(self._used_scalars)
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                node.bases = [
                    ast.Name("BaseInputModel")
                    if isinstance(base, ast.Name) and base.id == "BaseModel"
                    else base
                    for base in node.bases
                ]
            elif isinstance(node, ast.ImportFrom) and any(
                a.name == "BaseModel" for a in node.names
            ):
                node.names = [
                    ast.alias("BaseInputModel") if a.name == "BaseModel" else a for a in node.names
                ] + [ast.alias(name) for name in used]
        return module

    def generate_enum(self, class_def: ast.ClassDef, enum_type: GraphQLEnumType) -> ast.ClassDef:
        class_def.bases = [ast.Name("OpenEnum")]
        return class_def

    def generate_enums_module(self, module: ast.Module) -> ast.Module:
        body: list[ast.stmt] = [
            node
            for node in module.body
            if not (isinstance(node, ast.ImportFrom) and node.module == "enum")
        ]
        index = next(
            (i for i, node in enumerate(body) if not isinstance(node, ast.Import | ast.ImportFrom)),
            len(body),
        )
        body.insert(
            index, ast.ImportFrom(module="base_model", names=[ast.alias("OpenEnum")], level=1)
        )
        module.body = body
        return ast.fix_missing_locations(module)

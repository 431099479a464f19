"""ariadne-codegen plugin: generated models build on the runtime's bases (``upwork_gql._models``).

* ``base_model.py`` (the file ariadne-codegen copies into the package) becomes a re-export of
  the runtime's ``BaseModel`` (concise ``repr``), ``BaseInputModel``, ``UNSET`` / ``UnsetType``
  and ``Upload``: the generated package carries no pasted runtime code;
* input objects derive from ``BaseInputModel``: a field the schema does not have (a misspelled
  filter) is an error, at any depth, before anything is sent;
* enums derive from ``OpenEnum``: a value added to the API after generation parses as a
  pseudo-member instead of failing the whole response.
"""

from __future__ import annotations

import ast

from ariadne_codegen.plugins.base import Plugin
from graphql import GraphQLEnumType

__all__ = ["RuntimeBasePlugin"]

RUNTIME_MODULE = "upwork_gql._models"
BASE_MODEL_CODE = f'''"""The generated models' bases: re-exported from the hand-written runtime."""

from {RUNTIME_MODULE} import UNSET, BaseInputModel, BaseModel, OpenEnum, UnsetType, Upload

__all__ = ["UNSET", "BaseInputModel", "BaseModel", "OpenEnum", "UnsetType", "Upload"]
'''


class RuntimeBasePlugin(Plugin):
    """Point the generated models at the runtime's base classes (see module docstring)."""

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

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
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
                ]
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

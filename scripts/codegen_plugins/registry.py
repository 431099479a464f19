"""ariadne-codegen plugin: the operation registry, thin client methods, paginators, lazy imports.

For every operation in ``queries/`` this plugin

* records what generation knows into ``_generated/operations.py`` (an ``Operation`` of
  :mod:`upwork_gql._operation`): name, kind, the document as sent, the variables (GraphQL type,
  Python type, required, default), the result model (module and class, imported on first use)
  and, for a Relay connection, the path to the connection, where the cursor goes and the largest
  page size;
* reduces the generated method to its variables and one call of the runtime::

      async def contract(self, id: str, **kwargs: Any) -> Contract:
          variables: dict[str, object] = {"id": id}
          return await self._execute_operation(_operations.CONTRACT, variables, **kwargs)

* adds ``paginate_<operation>`` for connections (``AsyncPaginator[Connection, Node]``): an
  operation gets one when its single root field returns a connection (``edges { node }`` and
  ``pageInfo { hasNextPage endCursor }``) and exactly one pagination input (``{after, first}``)
  is reachable from a variable, at any depth (``pagination``, ``filter.pagination_eq``,
  ``filter.storyFilter.pagination``);
* keeps imports lazy: the client module imports models only for type checking, and the
  package ``__init__`` imports a module the first time one of its names is used.

Registered in ``pyproject.toml``; it runs at generation time only and is never installed.
"""

from __future__ import annotations

import ast
import copy
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ariadne_codegen.plugins.base import Plugin
from ariadne_codegen.utils import process_name
from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    get_named_type,
    print_ast,
    value_from_ast_untyped,
)
from graphql.language import NonNullTypeNode

from upwork_gql._constants import DEFAULT_MAX_PAGE_SIZE, MAX_PAGE_SIZES
from upwork_gql._operation import method_name

__all__ = ["OPEN_ENUMS_MARKER", "RegistryPlugin", "RegistryPluginError"]

PAGINATE_PREFIX = "paginate_"
RESERVED_ARGUMENTS = frozenset({"page_size", "max_items", "after", "prefetch", "kwargs", "self"})
REGISTRY_MODULE = "operations"
OPEN_ENUMS_MARKER = "# upwork-gql: enum values incomplete"
_MAX_CURSOR_DEPTH = 4
_TYPING_WRAPPERS = frozenset({"Optional", "List", "list", "Annotated", "Union"})


class RegistryPluginError(Exception):
    """An operation cannot be registered as written."""


@dataclass
class _VariableInfo:
    name: str
    python_name: str
    graphql_type: str
    python_type: str
    required: bool
    default: Any


@dataclass
class _ConnectionInfo:
    root_field: str
    result_attribute: str
    cursor_path: tuple[str, ...]
    connection_type: str = ""
    node_type: str = ""
    imports: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class _OperationInfo:
    name: str
    kind: str
    method: str
    document: str
    variables: list[_VariableInfo]
    result_module: str
    result_class: str
    arguments: ast.arguments
    variables_stmt: ast.stmt
    connection: _ConnectionInfo | None = None

    @property
    def constant(self) -> str:
        return self.method.upper()


def _is_pagination_input(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLInputObjectType) and {"after", "first"} <= set(type_.fields)


def _is_connection(type_: GraphQLNamedType) -> bool:
    if not isinstance(type_, GraphQLObjectType):
        return False
    edges, page_info = type_.fields.get("edges"), type_.fields.get("pageInfo")
    if edges is None or page_info is None:
        return False
    edge_type = get_named_type(edges.type)
    info_type = get_named_type(page_info.type)
    return (
        isinstance(edge_type, GraphQLObjectType)
        and "node" in edge_type.fields
        and isinstance(info_type, GraphQLObjectType)
        and {"hasNextPage", "endCursor"} <= set(info_type.fields)
    )


def _pagination_paths(
    type_: GraphQLNamedType, prefix: tuple[str, ...], seen: frozenset[str]
) -> list[tuple[str, ...]]:
    """Paths (GraphQL names) from an input object down to every pagination input inside it."""
    if _is_pagination_input(type_):
        return [prefix]
    if not isinstance(type_, GraphQLInputObjectType) or type_.name in seen:
        return []
    if len(prefix) > _MAX_CURSOR_DEPTH:
        return []
    found: list[tuple[str, ...]] = []
    for name, input_field in type_.fields.items():
        found.extend(
            _pagination_paths(
                get_named_type(input_field.type), (*prefix, name), seen | {type_.name}
            )
        )
    return found


class _Classes:
    """Lookup of generated classes (and ``X = Fragment`` aliases) across result modules."""

    def __init__(self) -> None:
        self.modules: dict[str, ast.Module] = {}

    def add(self, module_name: str, module: ast.Module) -> None:
        self.modules[module_name] = module

    def find(self, name: str, module_name: str) -> tuple[str, ast.ClassDef | None]:
        """``(module, class)`` for ``name`` as seen from ``module_name``."""
        order = [module_name] + [m for m in self.modules if m != module_name]
        for candidate in order:
            module = self.modules.get(candidate)
            if module is None:
                continue
            for node in module.body:
                if isinstance(node, ast.ClassDef) and node.name == name:
                    return candidate, node
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == name
                    and isinstance(node.value, ast.Name)
                ):
                    _, class_def = self.find(node.value.id, candidate)
                    return candidate, class_def
        return module_name, None

    def field_annotation(self, module_name: str, class_name: str, attribute: str) -> ast.expr:
        """The annotation of ``attribute`` on ``class_name``, following fragment base classes."""
        seen: set[tuple[str, str]] = set()
        pending = [(module_name, class_name)]
        while pending:
            current_module, current = pending.pop(0)
            if (current_module, current) in seen:
                continue
            seen.add((current_module, current))
            found_module, class_def = self.find(current, current_module)
            if class_def is None:
                continue
            for statement in class_def.body:
                if (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)
                    and statement.target.id == attribute
                ):
                    return statement.annotation
            for base in class_def.bases:
                if isinstance(base, ast.Name) and base.id != "BaseModel":
                    pending.append((found_module, base.id))
        raise KeyError(attribute)


def _inner_names(annotation: ast.expr) -> list[str]:
    """Class names inside ``Optional[...]`` / ``list[...]`` / ``Union[...]`` / quotes."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _inner_names(ast.parse(annotation.value, mode="eval").body)
    if isinstance(annotation, ast.Name):
        name = annotation.id.strip("'\"")  # codegen writes forward references as Name('"X"')
        return [] if name in {"None", "Any"} else [name]
    if isinstance(annotation, ast.Subscript):
        wrapper = annotation.value
        wrapper_name = wrapper.id if isinstance(wrapper, ast.Name) else ""
        if wrapper_name == "Annotated" and isinstance(annotation.slice, ast.Tuple):
            return _inner_names(annotation.slice.elts[0])
        if wrapper_name == "Literal":
            return []
        if wrapper_name in _TYPING_WRAPPERS:
            inner = annotation.slice
            elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return [name for element in elements for name in _inner_names(element)]
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _inner_names(annotation.left) + _inner_names(annotation.right)
    return []


def _return_name(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    returns = method_def.returns
    if isinstance(returns, ast.Name):
        return returns.id
    if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
        return returns.value
    raise RegistryPluginError(f"{method_def.name}: unexpected return annotation")


def _document(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    for statement in method_def.body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name)
            and statement.value.func.id == "gql"
        ):
            # ariadne-codegen passes the document as one constant per line.
            argument: Any = statement.value.args[0]
            parts = argument if isinstance(argument, list) else [argument]
            if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                return textwrap.dedent("".join(p.value for p in parts)).strip() + "\n"
    raise RegistryPluginError(f"{method_def.name}: no operation document in the generated method")


def _variables_statement(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.stmt:
    for statement in method_def.body:
        target = (
            statement.target
            if isinstance(statement, ast.AnnAssign)
            else statement.targets[0]
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1
            else None
        )
        if isinstance(target, ast.Name) and target.id == "variables":
            return statement
    raise RegistryPluginError(f"{method_def.name}: no variables in the generated method")


def _variables_mapping(statement: ast.stmt) -> dict[str, str]:
    """GraphQL variable name -> python argument name, from ``variables = {...}``."""
    value = statement.value if isinstance(statement, ast.AnnAssign | ast.Assign) else None
    mapping: dict[str, str] = {}
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(item, ast.Name):
                mapping[str(key.value)] = item.id
    return mapping


class RegistryPlugin(Plugin):
    """Operation registry, thin methods, paginators and lazy imports (see module docstring)."""

    def __init__(self, schema: GraphQLSchema, config_dict: dict[str, Any]) -> None:
        super().__init__(schema, config_dict)
        settings = config_dict.get("tool", {}).get("ariadne-codegen", {})
        self._settings = settings
        self._snake_case = bool(settings.get("convert_to_snake_case", True))
        self._fragments_module = str(settings.get("fragments_module_name", "fragments"))
        self._classes = _Classes()
        self._operations: list[_OperationInfo] = []

    # -- collect the generated result modules -----------------------------------------------

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        if isinstance(operation_definition, OperationDefinitionNode) and operation_definition.name:
            self._classes.add(self._python_name(operation_definition.name.value), module)
        return module

    def generate_fragments_module(
        self,
        module: ast.Module,
        fragments_definitions: dict[str, FragmentDefinitionNode],
    ) -> ast.Module:
        self._classes.add(self._fragments_module, module)
        return module

    def _python_name(self, name: str) -> str:
        return process_name(name, convert_to_snake_case=self._snake_case)

    # -- one operation ----------------------------------------------------------------------

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        if operation_definition.name is None:
            raise RegistryPluginError("every operation in queries/ must have a name")
        name = operation_definition.name.value
        # One naming rule with `schema check` (ariadne-codegen alone would spell
        # createRoomStoryV2 `create_room_story_v_2`).
        method_def.name = method_name(name)
        variables_stmt = _variables_statement(method_def)
        python_names = _variables_mapping(variables_stmt)
        annotations = {
            a.arg: ast.unparse(a.annotation) for a in method_def.args.args if a.annotation
        }
        variables: list[_VariableInfo] = []
        for definition in operation_definition.variable_definitions or ():
            var_name = definition.variable.name.value
            python_name = python_names.get(var_name, self._python_name(var_name))
            default = definition.default_value
            variables.append(
                _VariableInfo(
                    name=var_name,
                    python_name=python_name,
                    graphql_type=print_ast(definition.type),
                    python_type=annotations.get(python_name, "Any"),
                    required=isinstance(definition.type, NonNullTypeNode) and default is None,
                    default=None if default is None else value_from_ast_untyped(default),
                )
            )
        info = _OperationInfo(
            name=name,
            kind=operation_definition.operation.value,
            method=method_def.name,
            document=_document(method_def),
            variables=variables,
            result_module=self._python_name(name),
            result_class=_return_name(method_def),
            arguments=copy.deepcopy(method_def.args),
            variables_stmt=copy.deepcopy(variables_stmt),
            connection=self._connection_for(method_def, operation_definition),
        )
        self._operations.append(info)
        call = ast.parse(
            f"return await self._execute_operation(_operations.{info.constant}, variables, "
            "**kwargs)"
        ).body[0]
        doc = ast.Expr(ast.Constant(f"``{info.kind} {name}`` (``queries/{name}.graphql``)."))
        method_def.body = [doc, variables_stmt, call]
        return ast.fix_missing_locations(method_def)

    def _connection_for(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation: OperationDefinitionNode,
    ) -> _ConnectionInfo | None:
        if operation.operation != OperationType.QUERY:
            return None
        root_type = self.schema.query_type
        roots = [
            s
            for s in operation.selection_set.selections
            if isinstance(s, FieldNode) and s.name.value != "__typename"
        ]
        if root_type is None or len(roots) != 1:
            return None
        root = roots[0]
        root_field = root_type.fields.get(root.name.value)
        if root_field is None or not _is_connection(get_named_type(root_field.type)):
            return None
        name = operation.name.value if operation.name else "?"
        paths: list[tuple[str, ...]] = []
        for argument in root.arguments:
            schema_arg = root_field.args.get(argument.name.value)
            if schema_arg is None or not isinstance(argument.value, VariableNode):
                continue
            variable = argument.value.name.value
            paths.extend(
                _pagination_paths(get_named_type(schema_arg.type), (variable,), frozenset())
            )
        if not paths:
            return None
        if len(paths) > 1:
            raise RegistryPluginError(
                f"{name}: several pagination inputs ({', '.join('.'.join(p) for p in paths)}); "
                "cannot tell which one carries the cursor"
            )
        clashes = RESERVED_ARGUMENTS & {a.arg for a in method_def.args.args[1:]}
        if clashes:
            raise RegistryPluginError(
                f"{name}: variables {sorted(clashes)} clash with the paginator's own arguments"
            )
        return _ConnectionInfo(
            root_field=root.name.value,
            result_attribute=self._python_name((root.alias or root.name).value),
            cursor_path=paths[0],
        )

    # -- paginators -------------------------------------------------------------------------

    def _resolve_types(self, info: _OperationInfo) -> None:
        """Connection and node class names of a paginated operation, and their imports."""
        connection = info.connection
        assert connection is not None
        op_module = info.result_module
        try:
            conn_annotation = self._classes.field_annotation(
                op_module, info.result_class, connection.result_attribute
            )
            (conn_name,) = _inner_names(conn_annotation)
            conn_module, _ = self._classes.find(conn_name, op_module)
            for attribute in ("edges", "page_info"):
                self._classes.field_annotation(conn_module, conn_name, attribute)
            (info_name,) = _inner_names(
                self._classes.field_annotation(conn_module, conn_name, "page_info")
            )
            info_module, _ = self._classes.find(info_name, conn_module)
            for attribute in ("has_next_page", "end_cursor"):
                self._classes.field_annotation(info_module, info_name, attribute)
            (edge_name,) = _inner_names(
                self._classes.field_annotation(conn_module, conn_name, "edges")
            )
            edge_module, _ = self._classes.find(edge_name, conn_module)
            node_names = _inner_names(
                self._classes.field_annotation(edge_module, edge_name, "node")
            )
        except (KeyError, ValueError) as exc:
            raise RegistryPluginError(
                f"{info.name}: a connection operation must select "
                "`edges { node { ... } }` and `pageInfo { hasNextPage endCursor }` "
                f"without aliases (missing or ambiguous: {exc})"
            ) from exc
        if not node_names:
            raise RegistryPluginError(f"{info.name}: cannot tell the node type")
        imports = connection.imports
        imports.setdefault(conn_module, set()).add(conn_name)
        for node_name in node_names:
            node_module, _ = self._classes.find(node_name, edge_module)
            imports.setdefault(node_module, set()).add(node_name)
        connection.connection_type = conn_name
        connection.node_type = (
            node_names[0] if len(node_names) == 1 else f"Union[{', '.join(node_names)}]"
        )

    def _paginate_method(self, info: _OperationInfo) -> ast.FunctionDef:
        connection = info.connection
        assert connection is not None
        self._resolve_types(info)
        arguments = info.arguments
        positional = arguments.args
        defaults: list[ast.expr | None] = [None] * (
            len(positional) - len(arguments.defaults)
        ) + list(arguments.defaults)
        dropped: str | None = None
        if len(connection.cursor_path) == 1:  # a top-level pagination variable: page_size/after
            variable = next(v for v in info.variables if v.name == connection.cursor_path[0])
            dropped = variable.python_name
        kept = [
            (arg, default)
            for arg, default in zip(positional, defaults, strict=True)
            if arg.arg != dropped
        ]
        variables_stmt = copy.deepcopy(info.variables_stmt)
        value = variables_stmt.value if isinstance(variables_stmt, ast.AnnAssign) else None
        if dropped is not None and isinstance(value, ast.Dict):
            pairs = [
                (k, v)
                for k, v in zip(value.keys, value.values, strict=True)
                if not (isinstance(v, ast.Name) and v.id == dropped)
            ]
            value.keys = [k for k, _ in pairs]
            value.values = [v for _, v in pairs]
        docstring = f"Pages of ``{info.name}``: ``await`` = first page, ``async for`` = nodes."
        source = (
            f"def {PAGINATE_PREFIX}{info.method}(self):\n"
            f"    {docstring!r}\n"
            f"    return self._paginate(_operations.{info.constant}, variables, "
            "page_size=page_size, max_items=max_items, after=after, prefetch=prefetch, "
            "**kwargs)\n"
        )
        function = ast.parse(source).body[0]
        assert isinstance(function, ast.FunctionDef)
        function.body.insert(1, variables_stmt)
        function.args = ast.arguments(
            posonlyargs=[],
            args=[arg for arg, _ in kept],
            defaults=[default for _, default in kept if default is not None],
            kwonlyargs=[
                ast.arg("page_size", ast.Name("Optional[int]")),
                ast.arg("max_items", ast.Name("Optional[int]")),
                ast.arg("after", ast.Name("Optional[str]")),
                ast.arg("prefetch", ast.Name("bool")),
            ],
            kw_defaults=[
                ast.Constant(None),
                ast.Constant(None),
                ast.Constant(None),
                ast.Constant(False),
            ],
            kwarg=ast.arg("kwargs", ast.Name("Any")),
        )
        function.returns = ast.Name(
            f"AsyncPaginator[{connection.connection_type}, {connection.node_type}]"
        )
        return ast.fix_missing_locations(function)

    def generate_client_class(self, class_def: ast.ClassDef) -> ast.ClassDef:
        existing = {
            n.name for n in class_def.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for info in self._operations:
            if info.connection is None:
                continue
            name = PAGINATE_PREFIX + info.method
            if name in existing:
                raise RegistryPluginError(f"{info.name}: {name} already exists")
            class_def.body.append(self._paginate_method(info))
        return class_def

    # -- the client module: models for type checking only ------------------------------------

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        type_only: list[ast.stmt] = []
        body: list[ast.stmt] = []
        for node in module.body:
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 1
                and node.module not in ("base_model", "codegen_base")
            ):
                type_only.append(node)
            else:
                body.append(node)
        wanted: dict[str, set[str]] = {}
        for info in self._operations:
            if info.connection is not None:
                for module_name, names in info.connection.imports.items():
                    wanted.setdefault(module_name, set()).update(names)
        for module_name in sorted(wanted):
            type_only.append(
                ast.ImportFrom(
                    module=module_name,
                    names=[ast.alias(n) for n in sorted(wanted[module_name])],
                    level=1,
                )
            )
        if any(info.connection is not None for info in self._operations):
            type_only.append(
                ast.ImportFrom(
                    module="upwork_gql.pagination", names=[ast.alias("AsyncPaginator")], level=0
                )
            )
        header = [
            ast.ImportFrom(module="__future__", names=[ast.alias("annotations")], level=0),
            ast.ImportFrom(module="typing", names=[ast.alias("TYPE_CHECKING")], level=0),
            ast.ImportFrom(module=None, names=[ast.alias(REGISTRY_MODULE, "_operations")], level=1),
        ]
        index = next(
            (i for i, n in enumerate(body) if not isinstance(n, ast.Import | ast.ImportFrom)),
            len(body),
        )
        guarded = ast.If(test=ast.Name("TYPE_CHECKING"), body=type_only, orelse=[])
        module.body = [*header, *body[:index], guarded, *body[index:]]
        return ast.fix_missing_locations(module)

    # -- the package __init__: lazy --------------------------------------------------------

    def generate_init_module(self, module: ast.Module) -> ast.Module:
        lazy: dict[str, str] = {}
        imports: list[ast.stmt] = []
        for node in module.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                imports.append(node)
                for alias in node.names:
                    lazy[alias.asname or alias.name] = node.module
        lazy[REGISTRY_MODULE.upper()] = REGISTRY_MODULE
        guarded = ast.unparse(ast.If(test=ast.Name("TYPE_CHECKING"), body=imports, orelse=[]))
        source = (
            '"""The generated client, models and operation registry (imported on first use)."""\n'
            "import importlib\n"
            "from typing import TYPE_CHECKING\n\n"
            f"{guarded}\n\n"
            f"_LAZY = {json.dumps(dict(sorted(lazy.items())), indent=4)}\n"
            f"__all__ = {json.dumps(sorted(lazy), indent=4)}\n\n\n"
            "def __getattr__(name: str) -> object:\n"
            "    module_name = _LAZY.get(name)\n"
            "    if module_name is None:\n"
            '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
            "    module = importlib.import_module(f'.{module_name}', __name__)\n"
            "    value = module if name == module_name.upper() else getattr(module, name)\n"
            "    globals()[name] = value\n"
            "    return value\n\n\n"
            "def __dir__() -> list[str]:\n"
            "    return __all__\n"
        )
        return ast.parse(source)

    # -- the registry module ------------------------------------------------------------------

    def _enum_values_complete(self) -> bool:
        path = Path(str(self._settings.get("schema_path", "schema.graphql")))
        try:
            with path.open(encoding="utf-8") as fh:
                head = [fh.readline() for _ in range(20)]
        except OSError:
            return True
        return not any(line.strip() == OPEN_ENUMS_MARKER for line in head)

    def _registry_source(self) -> str:
        lines = [
            '"""Every operation in ``queries/``: what the runtime, the paginators, the CLI and the',
            'tools read (see ``upwork_gql._operation``)."""',
            "",
            "from upwork_gql._operation import Connection, Operation, Variable",
            "",
            "# False while schema.graphql lists only the enum values the documentation shows: a",
            "# value outside them is then sent as given (and logged once), not refused.",
            f"ENUM_VALUES_COMPLETE = {self._enum_values_complete()!r}",
            "",
        ]
        for info in sorted(self._operations, key=lambda o: o.name):
            variables = "".join(
                f"        Variable(name={v.name!r}, python_name={v.python_name!r}, "
                f"graphql_type={v.graphql_type!r}, python_type={v.python_type!r}, "
                f"required={v.required!r}, default={v.default!r}),\n"
                for v in info.variables
            )
            connection = "None"
            if info.connection is not None:
                c = info.connection
                connection = (
                    f"Connection(root_field={c.root_field!r}, path=({c.result_attribute!r},), "
                    f"cursor_path={c.cursor_path!r}, "
                    f"max_page_size={MAX_PAGE_SIZES.get(c.root_field, DEFAULT_MAX_PAGE_SIZE)}, "
                    f"node_type={c.node_type!r}, connection_type={c.connection_type!r})"
                )
            lines += [
                f"{info.constant} = Operation(",
                f"    name={info.name!r},",
                f"    kind={info.kind!r},",
                f"    method={info.method!r},",
                f"    document={info.document!r},",
                f"    variables=(\n{variables}    ),",
                f"    result_module={info.result_module!r},",
                f"    result_class={info.result_class!r},",
                f"    connection={connection},",
                ")",
                "",
            ]
        names = ", ".join(o.constant for o in sorted(self._operations, key=lambda o: o.name))
        lines += [
            f"OPERATIONS: dict[str, Operation] = {{op.name: op for op in ({names},)}}",
            "",
        ]
        return "\n".join(lines)

    def generate_files(self, generated_files: list[str]) -> list[str]:
        package = Path(str(self._settings.get("target_package_path", "."))) / str(
            self._settings.get("target_package_name", "graphql_client")
        )
        (package / f"{REGISTRY_MODULE}.py").write_text(self._registry_source(), encoding="utf-8")
        return [*generated_files, f"{REGISTRY_MODULE}.py"]

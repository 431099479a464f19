"""ariadne-codegen plugin: a typed ``paginate_<operation>`` method for every connection operation.

Registered in ``pyproject.toml`` (``[tool.ariadne-codegen] plugins``); it runs only at code
generation time and is never imported by the library at run time.

An operation gets a paginator when

* its single root field returns a Relay connection (an object type with ``edges { node }`` and
  ``pageInfo { hasNextPage endCursor }``), and
* the cursor can be placed: one root-field argument, bound to a variable, is a pagination input
  (an input object with ``after`` and ``first``), either directly (``pagination: $pagination``)
  or as a field of an input object (``marketPlaceJobFilter: $filter`` whose type has
  ``pagination_eq: Pagination``).

Such an operation must select ``edges { node }`` and ``pageInfo { hasNextPage endCursor }``
without aliases; otherwise generation stops with a message naming the operation.

For ``clientProposals`` the generated method reads::

    def paginate_client_proposals(
        self, job_posting_id: str, filter_: ... = UNSET, *,
        page_size: Optional[int] = None, max_items: Optional[int] = None,
        after: Optional[str] = None, prefetch: bool = False, **kwargs: Any,
    ) -> AsyncPaginator[ClientProposalsClientProposals, ClientProposalsClientProposalsEdgesNode]

The node and connection types are read from the result modules ariadne-codegen generated, so
fragments (spread or used as base classes) resolve to the classes that are really used.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
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
)

PAGINATE_PREFIX = "paginate_"
RESERVED_ARGUMENTS = frozenset({"page_size", "max_items", "after", "prefetch", "kwargs", "self"})
_TYPING_WRAPPERS = frozenset({"Optional", "List", "list", "Annotated", "Union"})


class PaginationPluginError(Exception):
    """A connection operation cannot get a paginator as written."""


@dataclass
class _Connection:
    operation: str
    root_field: str  # GraphQL name of the root field (page-size bounds are keyed on it)
    method: str  # python name of the generated method
    result_class: str  # the operation's result model
    result_attribute: str  # python attribute of the connection on the result model
    arguments: ast.arguments  # the generated method's arguments
    cursor_argument: str  # python name of the argument carrying the cursor
    pagination_class: str  # input class of {after, first}
    container_class: str | None = None  # input class holding the pagination field (nested)
    container_field: str | None = None  # GraphQL name of that field (pagination_eq)
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> names


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


class _Classes:
    """Lookup of generated classes (and ``X = Fragment`` aliases) across result modules."""

    def __init__(self) -> None:
        self.modules: dict[str, ast.Module] = {}

    def add(self, module_name: str, module: ast.Module) -> None:
        self.modules[module_name] = module

    def find(self, name: str, module_name: str) -> tuple[str, ast.ClassDef | None, str]:
        """``(module, class, name)`` for ``name`` as seen from ``module_name``."""
        order = [module_name] + [m for m in self.modules if m != module_name]
        for candidate in order:
            module = self.modules.get(candidate)
            if module is None:
                continue
            for node in module.body:
                if isinstance(node, ast.ClassDef) and node.name == name:
                    return candidate, node, name
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == name
                    and isinstance(node.value, ast.Name)
                ):
                    _, class_def, _ = self.find(node.value.id, candidate)
                    return candidate, class_def, name
        return module_name, None, name

    def field_annotation(self, module_name: str, class_name: str, attribute: str) -> ast.expr:
        """The annotation of ``attribute`` on ``class_name``, following fragment base classes."""
        seen: set[tuple[str, str]] = set()
        pending = [(module_name, class_name)]
        while pending:
            current_module, current = pending.pop(0)
            if (current_module, current) in seen:
                continue
            seen.add((current_module, current))
            found_module, class_def, _ = self.find(current, current_module)
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


class PaginationPlugin(Plugin):
    """Adds ``paginate_<operation>`` methods to the generated client (see module docstring)."""

    def __init__(self, schema: GraphQLSchema, config_dict: dict[str, Any]) -> None:
        super().__init__(schema, config_dict)
        settings = config_dict.get("tool", {}).get("ariadne-codegen", {})
        self._snake_case = bool(settings.get("convert_to_snake_case", True))
        self._fragments_module = str(settings.get("fragments_module_name", "fragments"))
        self._inputs_module = str(settings.get("input_types_module_name", "input_types"))
        self._classes = _Classes()
        self._connections: list[_Connection] = []

    # -- collect the generated result modules ---------------------------------------------

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        if isinstance(operation_definition, OperationDefinitionNode) and operation_definition.name:
            name = self._python_name(operation_definition.name.value)
            self._classes.add(name, module)
        return module

    def generate_fragments_module(
        self,
        module: ast.Module,
        fragments_definitions: dict[str, FragmentDefinitionNode],
    ) -> ast.Module:
        self._classes.add(self._fragments_module, module)
        return module

    # -- find connection operations -------------------------------------------------------

    def _python_name(self, name: str) -> str:
        return process_name(name, convert_to_snake_case=self._snake_case)

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        connection = self._connection_for(method_def, operation_definition)
        if connection is not None:
            self._connections.append(connection)
        return method_def

    def _connection_for(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation: OperationDefinitionNode,
    ) -> _Connection | None:
        if operation.operation != OperationType.QUERY or not operation.name:
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
        placement = self._cursor_placement(operation, root)
        if placement is None:
            return None
        variable, pagination_class, container_class, container_field = placement
        name = operation.name.value
        method = method_def.name
        clashes = RESERVED_ARGUMENTS & {a.arg for a in method_def.args.args[1:]}
        if clashes:
            raise PaginationPluginError(
                f"{name}: variables {sorted(clashes)} clash with the paginator's own arguments"
            )
        return _Connection(
            operation=name,
            root_field=root.name.value,
            method=method,
            result_class=_return_name(method_def),
            result_attribute=self._python_name((root.alias or root.name).value),
            arguments=copy.deepcopy(method_def.args),
            cursor_argument=self._python_name(variable),
            pagination_class=pagination_class,
            container_class=container_class,
            container_field=container_field,
        )

    def _cursor_placement(
        self, operation: OperationDefinitionNode, root: FieldNode
    ) -> tuple[str, str, str | None, str | None] | None:
        """``(variable, pagination class, container class, container field)``."""
        root_type = self.schema.query_type
        assert root_type is not None
        schema_args = root_type.fields[root.name.value].args
        found: list[tuple[str, str, str | None, str | None]] = []
        for argument in root.arguments:
            if not isinstance(argument.value, VariableNode):
                continue
            schema_arg = schema_args.get(argument.name.value)
            if schema_arg is None:
                continue
            arg_type = get_named_type(schema_arg.type)
            variable = argument.value.name.value
            if _is_pagination_input(arg_type):
                found.append((variable, arg_type.name, None, None))
            elif isinstance(arg_type, GraphQLInputObjectType):
                for field_name, input_field in arg_type.fields.items():
                    field_type = get_named_type(input_field.type)
                    if _is_pagination_input(field_type):
                        found.append((variable, field_type.name, arg_type.name, field_name))
        if len(found) > 1:
            raise PaginationPluginError(
                f"{operation.name.value if operation.name else '?'}: several pagination inputs "
                f"({', '.join(v for v, *_ in found)}); cannot tell which one carries the cursor"
            )
        return found[0] if found else None

    # -- emit the methods -----------------------------------------------------------------

    def _resolve_types(self, connection: _Connection) -> tuple[str, str]:
        """Connection and node class names; records the imports they need."""
        op_module = connection.method
        try:
            conn_annotation = self._classes.field_annotation(
                op_module, connection.result_class, connection.result_attribute
            )
            (conn_name,) = _inner_names(conn_annotation)
            conn_module, _, _ = self._classes.find(conn_name, op_module)
            for attribute in ("edges", "page_info"):
                self._classes.field_annotation(conn_module, conn_name, attribute)
            (info_name,) = _inner_names(
                self._classes.field_annotation(conn_module, conn_name, "page_info")
            )
            info_module, _, _ = self._classes.find(info_name, conn_module)
            for attribute in ("has_next_page", "end_cursor"):
                self._classes.field_annotation(info_module, info_name, attribute)
            (edge_name,) = _inner_names(
                self._classes.field_annotation(conn_module, conn_name, "edges")
            )
            edge_module, _, _ = self._classes.find(edge_name, conn_module)
            node_names = _inner_names(
                self._classes.field_annotation(edge_module, edge_name, "node")
            )
        except (KeyError, ValueError) as exc:
            raise PaginationPluginError(
                f"{connection.operation}: a connection operation must select "
                "`edges { node { ... } }` and `pageInfo { hasNextPage endCursor }` "
                f"without aliases (missing or ambiguous: {exc})"
            ) from exc
        if not node_names:
            raise PaginationPluginError(f"{connection.operation}: cannot tell the node type")
        imports = connection.imports
        imports.setdefault(conn_module, set()).add(conn_name)
        for node_name in node_names:
            node_module, _, _ = self._classes.find(node_name, edge_module)
            imports.setdefault(node_module, set()).add(node_name)
        node = node_names[0] if len(node_names) == 1 else f"Union[{', '.join(node_names)}]"
        return conn_name, node

    def _method(self, connection: _Connection) -> ast.FunctionDef:
        conn_name, node = self._resolve_types(connection)
        arguments = connection.arguments
        positional = arguments.args
        defaults: list[ast.expr | None] = [None] * (
            len(positional) - len(arguments.defaults)
        ) + list(arguments.defaults)
        nested = connection.container_class is not None
        kept = [  # a top-level pagination argument is replaced by page_size= / after=
            (arg, default)
            for arg, default in zip(positional, defaults, strict=True)
            if nested or arg.arg != connection.cursor_argument
        ]
        passed = [arg.arg for arg, _ in kept[1:]]
        page = f"{connection.pagination_class}(after=_cursor, first=_first)"
        prologue = ""
        if connection.container_class is None:
            cursor_value = page
        else:
            container = connection.cursor_argument
            model, field_name = connection.container_class, connection.container_field
            cursor_value = f"with_pagination({container}, {model}, {field_name!r}, {page})"
            prologue = (
                f"    _given_after, _given_first = pagination_from("
                f"{container}, {model}, {field_name!r})\n"
                "    if after is None:\n"
                "        after = _given_after\n"
                "    if page_size is None:\n"
                "        page_size = _given_first\n"
            )
            passed = [a for a in passed if a != container]
        call_arguments = "".join(f"{a}={a}, " for a in passed)
        docstring = f"Pages of `{connection.operation}`: await = first page, async for = nodes."
        source = (
            f"def {PAGINATE_PREFIX}{connection.method}(self):\n"
            f"    {docstring!r}\n"
            f"{prologue}"
            f"    async def _fetch(_cursor: Optional[str], _first: int) -> Optional[{conn_name}]:\n"
            f"        _result = await self.{connection.method}("
            f"{call_arguments}{connection.cursor_argument}={cursor_value}, **kwargs)\n"
            f"        return _result.{connection.result_attribute}\n"
            f"    return AsyncPaginator(_fetch, operation={connection.operation!r}, "
            f"field={connection.root_field!r}, page_size=page_size, max_items=max_items, "
            f"after=after, prefetch=prefetch)\n"
        )
        function = ast.parse(source).body[0]
        assert isinstance(function, ast.FunctionDef)
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
        function.returns = ast.Name(f"AsyncPaginator[{conn_name}, {node}]")
        return ast.fix_missing_locations(function)

    def generate_client_class(self, class_def: ast.ClassDef) -> ast.ClassDef:
        existing = {
            n.name for n in class_def.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for connection in self._connections:
            name = PAGINATE_PREFIX + connection.method
            if name in existing:
                raise PaginationPluginError(f"{connection.operation}: {name} already exists")
            class_def.body.append(self._method(connection))
        return class_def

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        if not self._connections:
            return module
        wanted: dict[str, set[str]] = {"typing": {"Any", "Optional", "Union"}}
        runtime = {"AsyncPaginator"}
        for connection in self._connections:
            for module_name, names in connection.imports.items():
                wanted.setdefault("." + module_name, set()).update(names)
            wanted.setdefault("." + self._inputs_module, set()).add(connection.pagination_class)
            if connection.container_class is not None:
                wanted["." + self._inputs_module].add(connection.container_class)
                runtime.update({"pagination_from", "with_pagination"})
        wanted["upwork_gql.pagination"] = runtime
        present: dict[str, set[str]] = {}
        last_import = 0
        for index, node in enumerate(module.body):
            if isinstance(node, ast.ImportFrom):
                key = "." * node.level + (node.module or "")
                present.setdefault(key, set()).update(a.name for a in node.names)
                last_import = index
        new_imports: list[ast.stmt] = []
        for key in sorted(wanted):
            missing = sorted(wanted[key] - present.get(key, set()))
            if not missing:
                continue
            level = len(key) - len(key.lstrip("."))
            new_imports.append(
                ast.ImportFrom(
                    module=key.lstrip(".") or None,
                    names=[ast.alias(name) for name in missing],
                    level=level,
                )
            )
        module.body[last_import + 1 : last_import + 1] = new_imports
        return ast.fix_missing_locations(module)


def _return_name(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    returns = method_def.returns
    if isinstance(returns, ast.Name):
        return returns.id
    if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
        return returns.value
    raise PaginationPluginError(f"{method_def.name}: unexpected return annotation")

"""Variables checked by pydantic, from the generated input models and enums, before sending.

For each operation a validator is built once, on its first call, from the registry's variable
specs (the Python types of the generated method's arguments): a ``TypedDict`` that forbids
undeclared variables, over the generated input models, which forbid undeclared fields. So every
depth follows the same rules: a misspelled filter field, a wrong type, a missing required
variable or an out-of-range value is an :class:`~upwork_gql.InvalidVariablesError` naming its
path (``filter.roomNameTypo_eq``), and nothing is sent. Scalars follow GraphQL's input coercion
(:mod:`upwork_gql._scalars`) at every depth too: ``Int`` is a 32-bit integer (not ``True``, not
``"10"``), ``Float`` a finite number, ``Boolean`` a bool, ``ID`` a string or an integer (sent as a
string), and a custom scalar any value that can be sent as JSON. A problem is named the same way
at every depth: ``$limit (Int): ...`` for a variable, ``filter.pagination_eq.first: ...`` inside
one.

Enum values follow one policy at every depth: while the schema is reconstructed from the
documentation (``ENUM_VALUES_COMPLETE`` is false in the registry), a value outside the generated
list is sent as given and logged once on ``upwork_gql.drift``; once the schema is pulled live, it
is refused before sending (the value shown cut to 40 characters).

The result is the JSON-ready ``variables`` object: GraphQL names, only what was set.
"""

from __future__ import annotations

import importlib
import re
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, NotRequired, Required

from pydantic_core import (  # pydantic's own; pydantic's models load on first use
    PydanticSerializationError,
    ValidationError,
)

from upwork_gql._exceptions import InvalidVariablesError
from upwork_gql._operation import Operation, Variable
from upwork_gql._scalars import (
    GraphQLBoolean,
    GraphQLCustomScalar,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
)
from upwork_gql._unset import UnsetType

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = ["cursor_container", "prepare_variables", "set_cursor"]

_UNSET_UNION: Final = re.compile(r"^Union\[(?P<inner>.*), UnsetType\]$", re.DOTALL)
_MAX_PROBLEMS: Final = 5
_MAX_SHOWN: Final = 40


def _namespace(op: Operation) -> dict[str, Any]:
    namespace: dict[str, Any] = {
        name: getattr(typing, name) for name in ("Any", "Optional", "Union", "List", "Literal")
    }
    for module_name in ("base_model", "enums", "input_types"):
        try:
            module = importlib.import_module(f"{op.package}.{module_name}")
        except ModuleNotFoundError:
            continue
        namespace.update(
            {k: v for k, v in vars(module).items() if isinstance(v, type) and not k.startswith("_")}
        )
    return namespace


def _scalars_for(variable: Variable) -> dict[str, Any]:
    """The names of a variable's annotation that mean GraphQL scalars, bound to the types that
    apply GraphQL's input coercion (``str`` is an ``ID`` or a ``String`` by the declared type;
    ``Any`` is a custom scalar)."""
    return {
        "int": GraphQLInt,
        "float": GraphQLFloat,
        "bool": GraphQLBoolean,
        "str": GraphQLID if variable.named_type == "ID" else GraphQLString,
        "Any": GraphQLCustomScalar,
    }


def _adapter(op: Operation) -> TypeAdapter[Any]:
    adapter = op._cache.get("variables")
    if adapter is None:
        from pydantic import ConfigDict, TypeAdapter, with_config
        from typing_extensions import TypedDict

        namespace = _namespace(op)
        fields: dict[str, Any] = {}
        for variable in op.variables:
            source = variable.python_type
            match = _UNSET_UNION.match(source)
            if match is not None:  # unset arguments are dropped before validation
                source = match.group("inner")
            # generated source text, not user input
            annotation = eval(source, {**namespace, **_scalars_for(variable)})
            fields[variable.name] = (
                Required[annotation] if variable.required else NotRequired[annotation]
            )
        make_typed_dict: Any = TypedDict
        config = with_config(ConfigDict(extra="forbid", arbitrary_types_allowed=True))
        adapter = TypeAdapter(config(make_typed_dict(f"{op.name}Variables", fields)))
        op._cache["variables"] = adapter
    return adapter


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _label(op: Operation, path: str) -> str:
    """How a problem's place is named, the same at every depth: a variable as ``$name (Type)``,
    anything inside one by its path (``filter.pagination_eq.first``, ``ids[1]``)."""
    variable = op.variable(path)
    return f"${path} ({variable.graphql_type})" if variable is not None else path


def _clip(text: str) -> str:
    """A value shown in a message or a log record, cut to a readable length."""
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _joined(problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_PROBLEMS])
    if len(problems) > _MAX_PROBLEMS:
        shown += f"; and {len(problems) - _MAX_PROBLEMS} more"
    return shown


def _describe(op: Operation, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        raw = _path(tuple(error["loc"]))
        path = _label(op, raw)
        if error["type"] == "extra_forbidden":
            top = op.variable(raw) is None and "." not in raw and "[" not in raw
            what = "is not declared by the operation" if top else "is not a field of its input type"
            problems.append(f"{path}: {what}")
        elif error["type"] == "missing":
            problems.append(f"{path}: is required")
        else:
            problems.append(f"{path}: {error['msg']}")
    return _joined(problems)


def _unknown_enums(value: Any, path: str, out: list[tuple[str, Any]]) -> None:
    from pydantic import BaseModel

    from upwork_gql._models import is_unknown_enum_member

    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        for name in value.model_fields_set:
            field = fields.get(name)
            key = field.alias if field is not None and field.alias else name
            _unknown_enums(getattr(value, name), f"{path}.{key}" if path else key, out)
    elif isinstance(value, str):
        if is_unknown_enum_member(value):
            out.append((path, value))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _unknown_enums(item, f"{path}[{index}]", out)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _unknown_enums(item, f"{path}.{key}" if path else str(key), out)


def _enum_policy(op: Operation, validated: Mapping[str, Any], complete: bool) -> None:
    unknown: list[tuple[str, Any]] = []
    _unknown_enums(validated, "", unknown)
    if not unknown:
        return
    if complete:
        problems = [
            f"{_label(op, path)}: {_clip(value.value)!r} is not a value of enum "
            f"{type(value).__name__}"
            for path, value in unknown
        ]
        raise InvalidVariablesError(
            f"invalid variables for operation {op.name!r}: {_joined(problems)}",
            operation=op.name,
        )
    from upwork_gql._models import note_drift

    for path, value in unknown:
        note_drift(
            "enum value",
            f"{type(value).__name__} ({op.name}: {_label(op, path)})",
            _clip(value.value),
            sent=True,
        )


def _enum_values_complete(op: Operation) -> bool:
    complete = op._cache.get("enums_complete")
    if complete is None:
        registry = importlib.import_module(f"{op.package}.operations")
        complete = op._cache["enums_complete"] = bool(
            getattr(registry, "ENUM_VALUES_COMPLETE", True)
        )
    return bool(complete)


def prepare_variables(op: Operation, variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate ``variables`` (GraphQL names) for ``op``; return the JSON-ready object.

    Raises :class:`~upwork_gql.InvalidVariablesError` (nothing is sent) on any problem.
    """
    given = {k: v for k, v in (variables or {}).items() if not isinstance(v, UnsetType)}
    if not given and not any(variable.required for variable in op.variables):
        return {}  # nothing to check: no validator is built (a paginator's first request)
    from upwork_gql._models import validating_variables

    adapter = _adapter(op)
    marker = validating_variables.set(True)
    try:
        validated = adapter.validate_python(given)
    except ValidationError as exc:
        raise InvalidVariablesError(
            f"invalid variables for operation {op.name!r}: {_describe(op, exc)}",
            operation=op.name,
        ) from None
    finally:
        validating_variables.reset(marker)
    _enum_policy(op, validated, _enum_values_complete(op))
    try:
        dumped: dict[str, Any] = adapter.dump_python(
            validated, mode="json", by_alias=True, exclude_unset=True
        )
    except PydanticSerializationError as exc:  # validation checks this; a last guard
        raise InvalidVariablesError(
            f"invalid variables for operation {op.name!r}: a value cannot be sent as JSON "
            f"({_clip(str(exc))})",
            operation=op.name,
        ) from None
    return dumped


def cursor_container(variables: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any]:
    """The pagination object ``{after, first}`` at ``path`` in prepared variables (or ``{}``)."""
    current: Any = variables
    for key in path:
        current = current.get(key) if isinstance(current, Mapping) else None
    return current if isinstance(current, Mapping) else {}


def set_cursor(
    variables: Mapping[str, Any], path: tuple[str, ...], after: str | None, first: int
) -> dict[str, Any]:
    """A copy of prepared ``variables`` with ``{after, first}`` at ``path`` (copying only the
    objects on the path; everything else the caller set is kept)."""
    root: dict[str, Any] = dict(variables)
    current = root
    for key in path[:-1]:
        child = current.get(key)
        current[key] = dict(child) if isinstance(child, Mapping) else {}
        current = current[key]
    page: dict[str, Any] = dict(cursor_container(variables, path))
    page["first"] = first
    if after is None:
        page.pop("after", None)
    else:
        page["after"] = after
    current[path[-1]] = page
    return root

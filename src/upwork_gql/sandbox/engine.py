"""The schema-driven part of the sandbox: resolve any field of any type.

Every field of every object type gets one resolver, :func:`resolve_field`. It looks the field up
in its parent (a plain ``dict`` of seeded data, whose values may be :class:`Lazy` callables for
fields that take arguments), then adapts the value to the field's declared type: a scalar where an
object is expected, an enum value the schema does not know, a missing non-null field. Fields the
data does not have get plausible values generated from their type, deterministically from the
parent's seed. The schema can therefore grow without breaking the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graphql import (
    EnumValueNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)

from upwork_gql.sandbox._base import (
    MISSING,
    SEED_KEY,
    TYPENAME_KEY,
    Lazy,
    LazySeq,
    SandboxGraphQLError,
    child_seed,
    seed_of,
)
from upwork_gql.sandbox.connections import fake_connection, paginate
from upwork_gql.sandbox.values import (
    LIVE_ENUM_VALUES,
    OBJECT_FAKERS,
    coerce_enum,
    coerce_scalar,
    live_values,
)

__all__ = [
    "MISSING",
    "SEED_KEY",
    "TYPENAME_KEY",
    "Lazy",
    "LazySeq",
    "SandboxGraphQLError",
    "adapt",
    "build_sandbox_schema",
    "child_seed",
    "load_sdl",
    "named_type",
    "paginate",
    "resolve_field",
    "seed_of",
]


# --------------------------------------------------------------------------------------------
# Schema loading


_SCHEMA_CACHE: dict[tuple[str, float], str] = {}


def default_schema_path() -> Path | None:
    """The schema shipped in the package, else the repository's top-level ``schema.graphql``."""
    here = Path(__file__).resolve()
    candidates = [here.parent.parent / "schema.graphql", here.parents[3] / "schema.graphql"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_sdl(schema_sdl: str | None, schema_path: Path | None) -> str:
    """The schema text from the explicit SDL, the given path, or the default location."""
    if schema_sdl is not None:
        return schema_sdl
    path = schema_path or default_schema_path()
    if path is None or not Path(path).is_file():
        raise FileNotFoundError(
            f"schema.graphql not found (looked at {path or 'the package and the repository'})"
        )
    path = Path(path)
    key = (str(path.resolve()), path.stat().st_mtime)
    text = _SCHEMA_CACHE.get(key)
    if text is None:
        text = _SCHEMA_CACHE[key] = path.read_text(encoding="utf-8")
    return text


_BUILT: dict[str, GraphQLSchema] = {}


def build_sandbox_schema(sdl: str) -> GraphQLSchema:
    """An executable schema from SDL, every field wired to :func:`resolve_field` (cached)."""
    schema = _BUILT.get(sdl)
    if schema is not None:
        return schema
    from ariadne import make_executable_schema

    schema = make_executable_schema(sdl)
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType):
            for gql_field in named.fields.values():
                gql_field.resolve = resolve_field
        elif isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            named.resolve_type = resolve_abstract_type
        elif isinstance(named, GraphQLEnumType):
            if "parse_value" in vars(named):
                # ariadne replaces an enum's parse_value with a one-argument function, while
                # graphql-core 3.2.14 also passes ``hide_suggestions``: enum variables would fail.
                named.parse_value = _one_argument(named.parse_value)  # type: ignore[method-assign]
            extra = LIVE_ENUM_VALUES.get(named.name)
            if extra:
                _open_enum(named, frozenset(extra))
    _BUILT[sdl] = schema
    return schema


def _one_argument(parse_value: Any) -> Any:
    def parse(value: Any, *_: Any) -> Any:
        return parse_value(value)

    return parse


def _open_enum(enum: GraphQLEnumType, extra: frozenset[str]) -> None:
    parse_value, parse_literal, serialize = enum.parse_value, enum.parse_literal, enum.serialize

    def parse(value: Any, *rest: Any) -> Any:
        if isinstance(value, str) and value in extra:
            return value
        return parse_value(value, *rest)

    def literal(node: Any, *rest: Any) -> Any:
        if isinstance(node, EnumValueNode) and node.value in extra:
            return node.value
        return parse_literal(node, *rest)

    def output(value: Any) -> Any:
        if isinstance(value, str) and value in extra:
            return value
        return serialize(value)

    enum.parse_value = parse  # type: ignore[method-assign,assignment]
    enum.parse_literal = literal  # type: ignore[method-assign,assignment]
    enum.serialize = output  # type: ignore[method-assign,assignment]


# --------------------------------------------------------------------------------------------
# Resolution


def resolve_field(parent: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """The resolver of every field: look up, compute lazily, adapt to the declared type."""
    name = info.field_name
    value: Any = MISSING
    if isinstance(parent, Mapping):
        value = parent.get(name, MISSING)
    if isinstance(value, Lazy):
        value = value(info, args)
    field_def: GraphQLField = info.parent_type.fields[name]
    if value is not MISSING:
        fast = _fast_path(value, field_def.type)
        if fast is not MISSING:
            return fast
    elif _is_connection(field_def.type):
        value = fake_connection(seed_of(parent), name, info, args)
    return adapt(value, field_def.type, child_seed(seed_of(parent), name), name, info)


_FAST_SCALARS: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str,),
    "Int": (int,),
    "Float": (float,),
    "Boolean": (bool,),
}


def _fast_path(value: Any, type_: GraphQLOutputType) -> Any:
    """The value itself when it already fits the type (the common case for seeded data)."""
    non_null = isinstance(type_, GraphQLNonNull)
    base: Any = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if value is None:
        return MISSING if non_null else None
    if isinstance(base, GraphQLScalarType):
        allowed = _FAST_SCALARS.get(base.name)
        if allowed is not None and type(value) in allowed:
            return value
        return MISSING
    if isinstance(base, GraphQLObjectType) and type(value) is dict:
        return value
    if (
        isinstance(base, GraphQLEnumType)
        and isinstance(value, str)
        and (value in base.values or value in live_values(base))
    ):
        return value
    return MISSING


def resolve_abstract_type(value: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str:
    """Pick the concrete type of an interface or union value."""
    possible = info.schema.get_possible_types(abstract_type)
    if isinstance(value, Mapping):
        wanted = value.get(TYPENAME_KEY)
        for candidate in possible:
            if candidate.name == wanted:
                return candidate.name
        keys = {k for k in value if not k.startswith("__")}
        best = max(possible, key=lambda t: len(keys & set(t.fields)), default=None)
        if best is not None:
            return best.name
    return possible[0].name


def named_type(type_: Any) -> GraphQLNamedType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    named: GraphQLNamedType = type_
    return named


def _is_connection(type_: GraphQLOutputType) -> bool:
    named = named_type(type_)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList) or not isinstance(named, GraphQLObjectType):
        return False
    edges = named.fields.get("edges")
    if edges is None:
        return False
    edge = named_type(edges.type)
    return isinstance(edge, GraphQLObjectType) and "node" in edge.fields


def adapt(value: Any, type_: GraphQLOutputType, seed: int, name: str, info: Any) -> Any:
    """Make ``value`` a valid result for ``type_``, generating what is missing."""
    if isinstance(type_, GraphQLNonNull):
        inner = adapt(value, type_.of_type, seed, name, info)
        if inner is None:
            inner = adapt(MISSING, type_.of_type, seed, name, info)
        return inner
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        if value is MISSING:
            length = getattr(getattr(info, "context", None), "fake_list_length", 2)
            value = [MISSING] * length
        elif isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            value = [value]
        return [
            adapt(item, type_.of_type, child_seed(seed, i), name, info)
            for i, item in enumerate(value)
        ]
    if isinstance(type_, GraphQLScalarType):
        return coerce_scalar(value, type_.name, seed, name)
    if isinstance(type_, GraphQLEnumType):
        return coerce_enum(value, type_, seed)
    # Object, interface or union.
    if isinstance(value, Mapping):
        return value
    if value is MISSING:
        maker = OBJECT_FAKERS.get(named_type(type_).name)
        return maker(seed) if maker is not None else {SEED_KEY: seed}
    text = str(value)
    return {SEED_KEY: seed, "rawValue": text, "displayValue": text, "value": value, "id": text}

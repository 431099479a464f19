"""The schema-driven part of the sandbox: resolve any field of any type.

Every field of every object type gets one resolver, :func:`resolve_field`. It looks the field up
in its parent (a plain ``dict`` of seeded data, whose values may be :class:`Lazy` callables for
fields that take arguments), then adapts the value to the field's declared type: a scalar where an
object is expected, an enum value the schema does not know, a missing non-null field. Fields the
data does not have get plausible values generated from their type, deterministically from the
parent's seed. The schema can therefore grow without breaking the sandbox.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    EnumValueNode,
    GraphQLEnumType,
    GraphQLError,
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

SEED_KEY = "__seed__"
TYPENAME_KEY = "__typename"


class SandboxGraphQLError(GraphQLError):
    """An error raised by a sandbox resolver, with Upwork's ``extensions.classification``."""

    def __init__(self, message: str, classification: str = "DataFetchingException") -> None:
        super().__init__(message)
        self.classification = classification


@dataclass(frozen=True)
class Lazy:
    """A field value computed on demand from the field's arguments: ``fn(info, args)``."""

    fn: Callable[[GraphQLResolveInfo, dict[str, Any]], Any]

    def __call__(self, info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
        return self.fn(info, args)


class LazySeq(Sequence[Any]):
    """A read-only sequence of ``total`` items built on first access by ``factory(index)``."""

    def __init__(self, total: int, factory: Callable[[int], Any]) -> None:
        self._total = total
        self._factory = factory
        self._cache: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._total

    def _get(self, index: int) -> Any:
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        item = self._cache.get(index)
        if item is None:
            item = self._cache[index] = self._factory(index)
        return item

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._get(i) for i in range(*index.indices(self._total))]
        return self._get(int(index))


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


#: Enum values the live API knows beyond those the documentation shows (``schema.graphql``
#: carries only the latter). The sandbox accepts them in variables and literals and returns
#: them in data, as Upwork does, while its introspection keeps ``schema.graphql``'s lists: the
#: situation the client's open enums are made for. Unknown values are still refused.
LIVE_ENUM_VALUES: Mapping[str, tuple[str, ...]] = {
    "SortOrder": ("DESC",),
    "ClientProposalStatusName": ("Activated", "Declined", "Withdrawn", "Hired"),
}


def live_values(type_: GraphQLEnumType) -> tuple[str, ...]:
    """The values of an enum the sandbox serves beyond the schema's own."""
    return LIVE_ENUM_VALUES.get(type_.name, ())


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


class _Missing:
    __slots__ = ()


MISSING: Any = _Missing()


def child_seed(seed: int, *parts: object) -> int:
    """A deterministic seed for a child value (stable across processes, unlike ``hash``)."""
    text = f"{seed}:" + ":".join(str(p) for p in parts)
    return zlib.crc32(text.encode())


def seed_of(parent: Any) -> int:
    """The generation seed of a parent value."""
    if isinstance(parent, Mapping):
        seed = parent.get(SEED_KEY)
        if isinstance(seed, int):
            return seed
        ident = parent.get("id")
        if ident is not None:
            return zlib.crc32(str(ident).encode())
        # No id: derive the seed from the item's own scalar content (stable, order-independent).
        parts = [
            f"{k}={v}"
            for k, v in parent.items()
            if isinstance(v, str | int | float) and not isinstance(v, bool)
        ]
        seed = zlib.crc32("|".join(parts[:6]).encode()) if parts else 7
        if isinstance(parent, dict):
            parent[SEED_KEY] = seed  # content-derived, so caching it changes nothing
        return seed
    return 7


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


def fake_money(seed: int) -> dict[str, Any]:
    """A consistent ``Money`` object."""
    amount = 10 + (seed % 9000) / 100
    return {"rawValue": f"{amount:.2f}", "currency": "USD", "displayValue": f"${amount:,.2f}"}


def fake_date_time_object(seed: int) -> dict[str, Any]:
    """A ``DateTime`` object (``rawValue`` in epoch milliseconds, ``displayValue`` ISO)."""
    text = fake_datetime(seed)
    moment = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=dt.UTC)
    return {"rawValue": str(int(moment.timestamp() * 1000)), "displayValue": text}


#: Generators for object types whose fields must agree with each other.
OBJECT_FAKERS: dict[str, Callable[[int], dict[str, Any]]] = {
    "Money": fake_money,
    "DateTime": fake_date_time_object,
}


def coerce_enum(value: Any, type_: GraphQLEnumType, seed: int) -> str | None:
    """A value of the enum: the given one if known, else the closest; a stable pick if missing.

    A given value the schema's enum cannot express (a seeded ``FIXED_PRICE`` against an enum
    documented with ``HOURLY`` only) is ``None`` rather than a wrong value: a nullable field
    reads null, and a non-null one falls back to a stable pick (see ``adapt``).
    """
    names = list(type_.values)
    if value is not MISSING:
        text = str(value)
        if text in type_.values or text in live_values(type_):
            return text
        upper = text.upper().replace(" ", "_").replace("-", "_")
        for candidate in names:
            if candidate.upper() == upper:
                return candidate
        for candidate in names:
            cu = candidate.upper()
            if cu.startswith(upper) or upper.startswith(cu):
                return candidate
        return None
    return names[seed % len(names)]


_SCALAR_PICK_KEYS = ("rawValue", "value", "displayValue", "amount", "id", "name", "title")


def coerce_scalar(value: Any, type_name: str, seed: int, name: str) -> Any:
    """Adapt or generate a scalar value for the scalar type ``type_name``."""
    if value is MISSING:
        return fake_scalar(type_name, seed, name)
    if isinstance(value, Mapping):
        for key in _SCALAR_PICK_KEYS:
            if value.get(key) is not None:
                return coerce_scalar(value[key], type_name, seed, name)
        return fake_scalar(type_name, seed, name)
    if isinstance(value, list | tuple):
        return coerce_scalar(value[0], type_name, seed, name) if value else None
    kind = _scalar_kind(type_name)
    try:
        if kind == "int":
            if isinstance(value, bool):
                return int(value)
            return int(float(value))
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, str):
                return value.lower() in {"true", "1", "yes"}
            return bool(value)
    except (TypeError, ValueError):
        return fake_scalar(type_name, seed, name)
    if kind in {"string", "id", "datetime", "date", "time", "url"}:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    return value


def _scalar_kind(type_name: str) -> str:
    low = type_name.lower()
    if low in {"int", "long", "short", "biginteger", "bigint", "byte"}:
        return "int"
    if low in {"float", "double", "bigdecimal", "decimal"}:
        return "float"
    if low == "boolean":
        return "bool"
    if low == "id":
        return "id"
    if "datetime" in low or "timestamp" in low or "instant" in low:
        return "datetime"
    if "date" in low:
        return "date"
    if "time" in low:
        return "time"
    if "url" in low or "uri" in low:
        return "url"
    if "json" in low or low in {"map", "object", "any"}:
        return "json"
    return "string"


_WORDS = (
    "alpha",
    "delta",
    "orbit",
    "pixel",
    "harbor",
    "cedar",
    "quartz",
    "summit",
    "ember",
    "lumen",
)
_BASE_TIME = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def fake_datetime(seed: int) -> str:
    """A plausible ISO-8601 UTC date-time."""
    moment = _BASE_TIME + dt.timedelta(minutes=(seed % (30 * 24 * 6)) * 10)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def fake_scalar(type_name: str, seed: int, name: str) -> Any:
    """A plausible value for a scalar, guided by the type and the field's name."""
    kind = _scalar_kind(type_name)
    low = name.lower()
    if kind == "int":
        if "count" in low or low.startswith(("num", "total")):
            return seed % 50
        return seed % 100
    if kind == "float":
        if "rate" in low or "amount" in low or "budget" in low:
            return round(10 + (seed % 9000) / 100, 2)
        return round((seed % 1000) / 10, 1)
    if kind == "bool":
        return seed % 2 == 0
    if kind == "datetime":
        return fake_datetime(seed)
    if kind == "date":
        return fake_datetime(seed)[:10]
    if kind == "time":
        return fake_datetime(seed)[11:19]
    if kind == "json":
        return {}
    if kind == "url" or low.endswith("url"):
        return f"https://www.upwork.com/sandbox/{name}/{seed % 100000}"
    if kind == "id" or low == "id" or low.endswith("id") or low in {"rid", "nid", "ciphertext"}:
        return str(1_000_000 + seed % 9_000_000)
    if low.endswith(("datetime", "date", "time")) or low in {"created", "updated", "modified"}:
        return fake_datetime(seed)
    if low == "ciphertext":
        return f"~01{seed:016x}"
    if "email" in low:
        return f"user{seed % 1000}@example.com"
    if low == "currency":
        return "USD"
    if low in {"rawvalue", "amount"}:
        return f"{10 + (seed % 9000) / 100:.2f}"
    if low == "displayvalue":
        return f"${10 + (seed % 9000) / 100:.2f}"
    if (
        type_name.endswith(("Status", "State", "Type", "Name", "Level", "Kind"))
        and type_name[:1].isupper()
        and type_name != "String"
    ):
        return ("ACTIVE", "PENDING", "DEFAULT", "OTHER")[seed % 4]
    if "name" in low or "title" in low or "label" in low:
        return f"{_WORDS[seed % len(_WORDS)].title()} {_WORDS[(seed // 10) % len(_WORDS)]}"
    return f"{name} {_WORDS[seed % len(_WORDS)]}"


# --------------------------------------------------------------------------------------------
# Connections and pagination


DEFAULT_PAGE_SIZE = 10


def find_pagination(args: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``{after, first}`` object of a field's arguments: top level or inside a filter."""
    for key in ("pagination", "pagination_eq"):
        value = args.get(key)
        if isinstance(value, Mapping):
            return value
    for value in args.values():
        if isinstance(value, Mapping):
            for key in ("pagination_eq", "pagination"):
                inner = value.get(key)
                if isinstance(inner, Mapping):
                    return inner
    return None


def page_window(args: Mapping[str, Any], limit: int, field_name: str) -> tuple[int, int]:
    """``(offset, first)`` from the arguments; errors in Upwork's shape for bad values."""
    pagination = find_pagination(args) or {}
    after = pagination.get("after")
    first = pagination.get("first")
    offset = 0
    if after not in (None, ""):
        try:
            offset = int(str(after))
        except ValueError:
            raise SandboxGraphQLError(
                f"Invalid cursor '{after}': cursors are offsets as strings @ '{field_name}'",
                "ValidationError",
            ) from None
        if offset < 0:
            raise SandboxGraphQLError(
                f"Invalid cursor '{after}': must not be negative @ '{field_name}'",
                "ValidationError",
            )
    size = DEFAULT_PAGE_SIZE if first is None else int(first)
    if size > limit:
        raise SandboxGraphQLError(
            f"Page size is restricted to be <= {limit}; requested {size} @ '{field_name}'",
            "ValidationError",
        )
    if size < 1:
        raise SandboxGraphQLError(
            f"Page size must be at least 1; requested {size} @ '{field_name}'",
            "ValidationError",
        )
    return offset, size


def connection(items: Sequence[Any], offset: int, first: int) -> dict[str, Any]:
    """A Relay connection page. Cursors are offsets: the cursor of item ``i`` is ``str(i + 1)``,
    so that ``after: "0"`` starts at the first item and ``after: endCursor`` continues."""
    total = len(items)
    start = min(offset, total)
    stop = min(start + first, total)
    nodes = list(items[start:stop])
    edges = [{"cursor": str(start + i + 1), "node": node} for i, node in enumerate(nodes)]
    return {
        "totalCount": total,
        "edges": edges,
        "nodes": nodes,
        "pageInfo": {
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": stop < total,
            "hasPreviousPage": start > 0,
        },
    }


def paginate(
    items: Sequence[Any], info: GraphQLResolveInfo, args: Mapping[str, Any]
) -> dict[str, Any]:
    """A connection page of ``items`` for this field's pagination arguments."""
    limit = 100
    ctx = getattr(info, "context", None)
    if ctx is not None and hasattr(ctx, "page_size_limit"):
        limit = ctx.page_size_limit(info.field_name)
    offset, first = page_window(args, limit, info.field_name)
    return connection(items, offset, first)


def fake_connection(
    seed: int, name: str, info: GraphQLResolveInfo, args: Mapping[str, Any]
) -> dict[str, Any]:
    """A small connection of generated nodes for connection fields without seeded data."""
    base = child_seed(seed, name)
    total = 3 + base % 5
    items = LazySeq(total, lambda i: {SEED_KEY: child_seed(base, "node", i)})
    return paginate(items, info, args)

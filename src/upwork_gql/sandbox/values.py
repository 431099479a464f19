"""Plausible values for fields the seeded data does not have: scalars, enums, money, dates.

Deterministic from the parent's seed; an enum value the schema does not know reads null, or a
stable pick for a non-null field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLEnumType

from upwork_gql.sandbox._base import MISSING

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

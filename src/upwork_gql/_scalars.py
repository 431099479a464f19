"""GraphQL's input coercion for the built-in scalars, as pydantic types.

Variables and the fields of the generated input objects are validated with these (the codegen
plugin ``scripts/codegen_plugins/runtime_base.py`` writes them into ``_generated/input_types.py``;
:mod:`upwork_gql._variables` uses them for top-level variables). They follow the GraphQL
specification's input coercion rather than pydantic's lax defaults:

* ``Int``: an ``int`` in the signed 32-bit range; not ``True``, not ``"10"``, not ``1.0``;
* ``Float``: a finite ``int`` or ``float``; not ``NaN`` or infinity (JSON cannot carry them), not
  ``"1.0"``, not ``True``;
* ``Boolean``: ``True`` or ``False``; not ``1``, not ``"true"``;
* ``String``: a ``str``; not bytes, not a number;
* ``ID``: a ``str``, or an ``int`` (sent as its decimal string, as GraphQL's ``ID`` accepts);
* a custom scalar (``DateTime``, ...): any value that can be sent as JSON (dates become ISO
  strings); one that cannot (an arbitrary object, ``NaN``) is refused at its path.

For static type checkers these are plain ``int`` / ``float`` / ``bool`` / ``str`` / ``Any``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final

from pydantic import AfterValidator, AllowInfNan, BeforeValidator, Field, Strict
from pydantic_core import PydanticSerializationError, to_jsonable_python

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "GraphQLBoolean",
    "GraphQLCustomScalar",
    "GraphQLFloat",
    "GraphQLID",
    "GraphQLInt",
    "GraphQLString",
]

#: GraphQL's ``Int`` is a signed 32-bit integer.
INT_MIN: Final = -(2**31)
INT_MAX: Final = 2**31 - 1


def _id_from_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _not_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_not_finite(item) for item in value.values())
    if isinstance(value, list):
        return any(_not_finite(item) for item in value)
    return False


def _sendable_as_json(value: Any) -> Any:
    try:
        jsonable = to_jsonable_python(value, by_alias=True)
    except PydanticSerializationError:
        raise ValueError(f"a value of type {type(value).__name__} cannot be sent as JSON") from None
    if _not_finite(jsonable):
        raise ValueError("NaN and infinity cannot be sent as JSON")
    return value


GraphQLInt = Annotated[int, Strict(), Field(ge=INT_MIN, le=INT_MAX)]
GraphQLFloat = Annotated[float, Strict(), AllowInfNan(False)]
GraphQLBoolean = Annotated[bool, Strict()]
GraphQLString = Annotated[str, Strict()]
GraphQLID = Annotated[str, Strict(), BeforeValidator(_id_from_int)]
GraphQLCustomScalar = Annotated[Any, AfterValidator(_sendable_as_json)]

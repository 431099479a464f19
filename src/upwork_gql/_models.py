"""What the generated models are built on: base classes, open enums and schema-drift tolerance.

The generated package (``_generated/``) imports these instead of carrying its own copies:

* :class:`BaseModel` for result models (tolerant: unknown fields are ignored) with a concise
  ``repr``; :class:`BaseInputModel` for input objects (strict: an unknown field is an error, so a
  misspelled filter never goes unnoticed);
* :class:`OpenEnum`, the base of every generated enum. A value the client was generated without
  (Upwork added it later) parses as a pseudo-member that keeps the raw string: ``value ==
  "NEW"``, ``value.value == "NEW"``, it serializes back unchanged, and ``value.is_known`` is
  ``False`` (``value in MyEnum`` cannot tell it apart on Python 3.12+, where membership tests
  compare values);
* :class:`UnknownObject` and :func:`typename_discriminator` for union and interface members
  added after generation;
* :func:`note_drift`: each unknown value is logged once on the ``upwork_gql.drift`` logger.
"""

from __future__ import annotations

import contextvars
import enum
import logging
import threading
from collections.abc import Callable
from io import IOBase
from typing import Any, Final

from pydantic import BaseModel as _PydanticBaseModel
from pydantic import ConfigDict, Field

from upwork_gql._unset import UNSET, UnsetType

__all__ = [
    "UNSET",
    "BaseInputModel",
    "BaseModel",
    "OpenEnum",
    "UnknownObject",
    "UnsetType",
    "Upload",
    "is_unknown_enum_member",
    "note_drift",
    "typename_discriminator",
]

drift_log: Final = logging.getLogger("upwork_gql.drift")
_DRIFT_SEEN_MAX: Final = 1024
_drift_seen: set[tuple[str, str, str]] = set()
_drift_lock = threading.Lock()
#: True while the client validates variables: a value the caller sends is reported there, once,
#: as sent (upwork_gql._variables), not as a value received.
validating_variables: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "upwork_gql_validating_variables", default=False
)


def note_drift(kind: str, owner: str, value: str, *, sent: bool = False) -> None:
    """Log (once per ``(kind, owner, value)``) that the API uses something not generated."""
    key = (kind, owner, value)
    with _drift_lock:
        if key in _drift_seen or len(_drift_seen) >= _DRIFT_SEEN_MAX:
            return
        _drift_seen.add(key)
    if sent:
        drift_log.warning(
            "%s %r is not among the values of %s this client was generated with "
            "(schema.graphql lists only the values the documentation shows): sent as given",
            kind,
            value,
            owner,
        )
    else:
        drift_log.warning(
            "unknown %s %r in %s: kept as is; regenerate the client to type it", kind, value, owner
        )


class BaseModel(_PydanticBaseModel):
    """Base of the generated result models: concise ``repr``, populate by name or alias."""

    model_config = ConfigDict(
        populate_by_name=True,
        validate_assignment=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
    )

    def __repr__(self) -> str:
        from upwork_gql._repr import concise_repr

        return concise_repr(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"{type(self).__name__}(...)" if cycle else repr(self))


class BaseInputModel(BaseModel):
    """Base of the generated input objects: a field the schema does not have is an error."""

    model_config = ConfigDict(extra="forbid")


class Upload:
    """A file part (the generator's upload type; Upwork's API takes no uploads)."""

    def __init__(self, filename: str, content: IOBase, content_type: str) -> None:
        self.filename = filename
        self.content = content
        self.content_type = content_type


class OpenEnum(str, enum.Enum):  # noqa: UP042 (the generated enums' bases, as before)
    """Base of the generated enums: values added to the API later still parse (see module doc)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        member.__dict__["_unknown_"] = True
        if not validating_variables.get():
            note_drift("enum value", cls.__name__, value)
        return member

    @property
    def is_known(self) -> bool:
        """``False`` for a value this client was generated without."""
        return not self.__dict__.get("_unknown_", False)


def is_unknown_enum_member(value: Any) -> bool:
    """Whether ``value`` is a pseudo-member of an :class:`OpenEnum` (a value not generated)."""
    return isinstance(value, OpenEnum) and not value.is_known


class UnknownObject(BaseModel):
    """An object of a type this client was generated without (a new union member).

    ``typename__`` is its ``__typename``; every field the server sent is in ``model_extra``.
    """

    model_config = ConfigDict(extra="allow")

    typename__: str = Field(alias="__typename")


def typename_discriminator(
    tags: dict[str, str], default: str, owner: str = ""
) -> Callable[[Any], str | None]:
    """Pick the union member by ``__typename``; unknown typenames go to ``default``."""

    def discriminate(value: Any) -> str | None:
        if isinstance(value, dict):
            typename = value.get("__typename", value.get("typename__"))
        else:
            typename = getattr(value, "typename__", None)
        if not isinstance(typename, str):
            return None
        tag = tags.get(typename)
        if tag is None:
            note_drift("type", owner or default, typename)
            return default
        return tag

    return discriminate

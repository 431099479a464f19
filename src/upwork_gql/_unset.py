"""``UNSET``: an optional argument that was not given (apart, so the client imports no model)."""

from __future__ import annotations

from typing import Final

__all__ = ["UNSET", "UnsetType"]


class UnsetType:
    """The type of :data:`UNSET`: an optional argument that was not given (not sent at all)."""

    _instance: UnsetType | None = None

    def __new__(cls) -> UnsetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = UnsetType()

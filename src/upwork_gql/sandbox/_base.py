"""The sandbox's building blocks: seeded values, lazy fields and sequences, its GraphQL error."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

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

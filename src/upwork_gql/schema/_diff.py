"""Classify the differences between two schemas (graphql-core's breaking/dangerous rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    find_breaking_changes,
    find_dangerous_changes,
    is_specified_scalar_type,
)

__all__ = ["Change", "SchemaDiff", "diff_schemas"]

Level = Literal["breaking", "dangerous", "safe"]


@dataclass(frozen=True, order=True)
class Change:
    """One difference: its level, graphql-core's change type, and a sentence about it."""

    level: Level
    type: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"level": self.level, "type": self.type, "description": self.description}


@dataclass(frozen=True)
class SchemaDiff:
    """The changes from an old schema to a new one, each list sorted for stable output.

    ``breaking``: operations or generated models that used the old shape can fail (removed field,
    changed argument type, new required argument...). ``dangerous``: valid before and after, but
    data can now contain things the generated client has not seen (new enum value, new union
    member, new optional argument...). ``safe``: additions (new types and fields) and
    deprecations, listed because they are what a regeneration can start using.
    """

    breaking: list[Change] = field(default_factory=list)
    dangerous: list[Change] = field(default_factory=list)
    safe: list[Change] = field(default_factory=list)

    @property
    def has_breaking(self) -> bool:
        return bool(self.breaking)

    @property
    def is_empty(self) -> bool:
        return not (self.breaking or self.dangerous or self.safe)

    def to_json(self) -> dict[str, Any]:
        return {
            "breaking": [c.to_json() for c in self.breaking],
            "dangerous": [c.to_json() for c in self.dangerous],
            "safe": [c.to_json() for c in self.safe],
            "summary": {
                "breaking": len(self.breaking),
                "dangerous": len(self.dangerous),
                "safe": len(self.safe),
            },
        }

    def format_text(self) -> str:
        """Readable report: one line per change, grouped by level, then a summary line."""
        lines: list[str] = []
        for title, changes in (
            ("Breaking changes", self.breaking),
            ("Dangerous changes", self.dangerous),
            ("Safe changes", self.safe),
        ):
            if not changes:
                continue
            lines.append(f"{title} ({len(changes)}):")
            lines.extend(f"  {c.type:<32} {c.description}" for c in changes)
            lines.append("")
        if self.is_empty:
            lines.append("No changes.")
        else:
            lines.append(
                f"{len(self.breaking)} breaking, {len(self.dangerous)} dangerous, "
                f"{len(self.safe)} safe."
            )
        return "\n".join(lines) + "\n"


def _safe_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    changes: list[Change] = []
    old_types = old.type_map
    for name, new_type in new.type_map.items():
        if name.startswith("__") or is_specified_scalar_type(new_type):
            continue
        old_type = old_types.get(name)
        if old_type is None:
            changes.append(Change("safe", "TYPE_ADDED", f"{name} was added."))
            continue
        if isinstance(new_type, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
            old_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            for field_name, new_field in new_type.fields.items():
                old_field = old_type.fields.get(field_name)
                if old_field is None:
                    changes.append(Change("safe", "FIELD_ADDED", f"{name}.{field_name} was added."))
                elif (
                    new_field.deprecation_reason is not None
                    and old_field.deprecation_reason is None
                ):
                    changes.append(
                        Change(
                            "safe",
                            "FIELD_DEPRECATED",
                            f"{name}.{field_name} was deprecated: {new_field.deprecation_reason}",
                        )
                    )
    for directive in new.directives:
        if old.get_directive(directive.name) is None:
            changes.append(Change("safe", "DIRECTIVE_ADDED", f"@{directive.name} was added."))
    return changes


def diff_schemas(old: GraphQLSchema, new: GraphQLSchema) -> SchemaDiff:
    """Compare ``old`` to ``new`` with graphql-core's rules plus a list of additions."""
    breaking = sorted(
        Change("breaking", c.type.name, c.description) for c in find_breaking_changes(old, new)
    )
    dangerous = sorted(
        Change("dangerous", c.type.name, c.description) for c in find_dangerous_changes(old, new)
    )
    return SchemaDiff(breaking=breaking, dangerous=dangerous, safe=sorted(_safe_changes(old, new)))

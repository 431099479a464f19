"""Help-screen touches for the ``upwork-gql`` commands."""

from __future__ import annotations

from typing import Any

__all__ = ["hide_flag_types"]


def hide_flag_types() -> None:
    """Show no type for flags in rich ``--help`` screens (typer prints ``--help <bool>``).

    Options that take a value keep their ``<int>`` / ``<path>`` column. Idempotent.
    """
    from typer.core import TyperOption

    original = TyperOption.display_type_rich
    if getattr(original, "_hides_flag_types", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and self.metavar is None:
            return None
        return original(self, ctx)

    display_type_rich._hides_flag_types = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]

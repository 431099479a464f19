"""Help-screen touches for the ``upwork-gql`` commands."""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["hide_flag_types"]

_LIST_TYPE: Final = re.compile(r"<list\[(?P<inner>[^\]]*)\]>")


def hide_flag_types() -> None:
    """No Python type names in ``--help`` screens. Idempotent.

    * flags show no type (typer prints ``--help <bool>``); options that take a value keep their
      ``<int>`` / ``<path>`` column;
    * a repeatable argument or option shows its element type (``<path>``), not ``<list[Path]>``
      (the usage line already says ``FILES...``).
    """
    from typer import core

    option_type = core.TyperOption.display_type_rich
    if not getattr(option_type, "_hides_flag_types", False):

        def display_type_rich(self: core.TyperOption, ctx: Any) -> str | None:
            if self.is_flag and self.metavar is None:
                return None
            return option_type(self, ctx)

        display_type_rich._hides_flag_types = True  # type: ignore[attr-defined]
        core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]

    parameter = core._TyperParameter
    param_type = parameter.display_type
    if not getattr(param_type, "_hides_list_types", False):

        def display_type(self: Any, ctx: Any) -> str:
            label: str = param_type(self, ctx)
            return _LIST_TYPE.sub(lambda m: f"<{m.group('inner').lower()}>", label)

        display_type._hides_list_types = True  # type: ignore[attr-defined]
        parameter.display_type = display_type  # type: ignore[method-assign]

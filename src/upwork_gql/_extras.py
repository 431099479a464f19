"""Optional features and the extras that bring their packages.

A default install holds what a service needs at run time. The command line, the schema workflow
and the embedded sandbox need more; each checks for its packages up front and, when one is
missing, raises :class:`~upwork_gql.MissingExtraError` with the ``pip install`` line to run
(the ``upwork-gql`` command turns it into one ``error:`` line).
"""

from __future__ import annotations

import importlib.util

from upwork_gql._exceptions import MissingExtraError

__all__ = ["EXTRAS", "install_hint", "missing_extra", "missing_modules"]

#: extra -> the top-level modules it must make importable
EXTRAS: dict[str, tuple[str, ...]] = {
    "cli": ("typer", "rich", "graphql"),
    "sandbox": ("ariadne", "starlette", "uvicorn", "graphql"),
    "pandas": ("pandas",),
    "redis": ("redis",),
    "otel": ("opentelemetry",),
    "orjson": ("orjson",),  # an accelerator: used when importable, never required
}


def install_hint(extra: str) -> str:
    """The command that installs ``extra``."""
    return f"pip install 'upwork-gql[{extra}]'"


def missing_modules(extra: str, modules: tuple[str, ...] | None = None) -> list[str]:
    """The modules of ``extra`` (or only ``modules``) that cannot be found; nothing is imported."""
    wanted = EXTRAS[extra] if modules is None else modules
    return [name for name in wanted if importlib.util.find_spec(name) is None]


def missing_extra(
    extra: str, feature: str, modules: tuple[str, ...] | None = None
) -> MissingExtraError | None:
    """The error to raise when ``feature`` cannot run: a module of ``extra`` (or of ``modules``,
    the ones ``feature`` uses) is missing; ``None`` when everything can be imported."""
    missing = missing_modules(extra, modules)
    if not missing:
        return None
    return MissingExtraError(
        f"{feature} needs the {extra!r} extra (missing: {', '.join(missing)}): "
        f"{install_hint(extra)}",
        name=missing[0],
    )

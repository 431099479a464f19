#!/usr/bin/env python3
"""What changed in the generated client's API: methods, result models and enums.

``make regenerate`` takes a snapshot before generating and compares after::

    python scripts/api_diff.py snapshot -o before.json       # the API as it is now
    python scripts/api_diff.py compare before.json           # ... against the API now

A snapshot is JSON: the method of every operation in the registry (and its paginator) with its
signature on ``GeneratedClient``, every
generated pydantic model with its fields, every enum with its values. ``compare`` prints methods
added / removed / changed (signature), then models and enums whose shape changed, and a summary
line. It exits 0 (the summary informs; tests and ``schema check`` are the gates), or 2 when a
snapshot cannot be taken or read.
"""

from __future__ import annotations

import argparse
import enum
import importlib
import inspect
import json
import pkgutil
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_PACKAGE = "upwork_gql._generated"
CLIENT_MODULE = "client"
REGISTRY_MODULE = "operations"
CLIENT_CLASS = "GeneratedClient"

Snapshot = dict[str, dict[str, Any]]
# `upwork_gql._generated.contract.Contract` -> `Contract`, `typing.Any` -> `Any`.
_QUALIFIED = re.compile(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)")


def _annotation(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    if isinstance(annotation, str):
        return annotation
    return _QUALIFIED.sub(r"\1", inspect.formatannotation(annotation))


def _signature(func: Any) -> str:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return "(...)"
    params: list[str] = []
    for param in sig.parameters.values():
        if param.name == "self":
            continue
        text = param.name
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            text = "*" + text
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            text = "**" + text
        annotation = _annotation(param.annotation)
        if annotation:
            text += f": {annotation}"
        if param.default is not inspect.Parameter.empty:
            text += " = ..."
        params.append(text)
    result = f"({', '.join(params)})"
    returns = _annotation(sig.return_annotation)
    return f"{result} -> {returns}" if returns else result


def snapshot(package: str = DEFAULT_PACKAGE) -> Snapshot:
    """Describe the generated package's public API.

    Methods come from the operation registry (``operations.OPERATIONS``): each operation's
    method, and its paginator for a connection, with their signatures on the generated client.
    """
    from pydantic import BaseModel

    pkg = importlib.import_module(package)
    registry = importlib.import_module(f"{package}.{REGISTRY_MODULE}").OPERATIONS
    client = getattr(importlib.import_module(f"{package}.{CLIENT_MODULE}"), CLIENT_CLASS)
    methods: dict[str, str] = {}
    for operation in registry.values():
        names = [operation.method]
        if operation.connection is not None:
            names.append(f"paginate_{operation.method}")
        for name in names:
            methods[name] = _signature(getattr(client, name))
    methods = dict(sorted(methods.items()))
    models: dict[str, dict[str, str]] = {}
    enums: dict[str, list[str]] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, obj in sorted(vars(module).items()):
            if not inspect.isclass(obj) or obj.__module__ != module.__name__:
                continue
            if issubclass(obj, BaseModel):
                models[name] = {
                    field: _annotation(spec.annotation)
                    for field, spec in sorted(obj.model_fields.items())
                }
            elif issubclass(obj, enum.Enum):
                enums[name] = sorted(str(m.value) for m in obj)
    return {"methods": methods, "models": models, "enums": enums}


def _compare_section(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return added, removed, changed


def _members_delta(before: Any, after: Any) -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        added, removed, changed = _compare_section(before, after)
        parts = [f"+{k}" for k in added] + [f"-{k}" for k in removed] + [f"~{k}" for k in changed]
        return ", ".join(parts)
    if isinstance(before, list) and isinstance(after, list):
        plus = [f"+{v}" for v in after if v not in before]
        minus = [f"-{v}" for v in before if v not in after]
        return ", ".join(plus + minus)
    return ""


def compare(before: Snapshot, after: Snapshot) -> list[str]:
    """Readable lines describing how the API changed from ``before`` to ``after``."""
    lines: list[str] = []
    b_methods, a_methods = before.get("methods", {}), after.get("methods", {})
    added, removed, changed = _compare_section(b_methods, a_methods)
    lines.append("Generated client methods:")
    lines.extend(f"  added    {m}{a_methods[m]}" for m in added)
    lines.extend(f"  removed  {m}{b_methods[m]}" for m in removed)
    for m in changed:
        lines.append(f"  changed  {m}{b_methods[m]}")
        lines.append(f"       ->  {m}{a_methods[m]}")
    if not (added or removed or changed):
        lines.append("  (no change)")
    totals = [f"methods: {len(added)} added, {len(removed)} removed, {len(changed)} changed"]
    for section, title in (("models", "Result models"), ("enums", "Enums")):
        b, a = before.get(section, {}), after.get(section, {})
        s_added, s_removed, s_changed = _compare_section(b, a)
        if s_added or s_removed or s_changed:
            lines.append(f"{title}:")
            lines.extend(f"  added    {n}" for n in s_added)
            lines.extend(f"  removed  {n}" for n in s_removed)
            lines.extend(f"  changed  {n}: {_members_delta(b[n], a[n])}" for n in s_changed)
        totals.append(
            f"{section}: {len(s_added)} added, {len(s_removed)} removed, {len(s_changed)} changed"
        )
    lines.append("; ".join(totals) + ".")
    return lines


def _load(path: Path) -> Snapshot:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "methods" not in data:
        raise ValueError(f"{path} is not an API snapshot")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--package", default=DEFAULT_PACKAGE, help="generated package to inspect")
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="write the current API as JSON")
    snap.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    comp = sub.add_parser("compare", help="compare a snapshot with the current API (or AFTER)")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path, nargs="?")
    args = parser.parse_args(argv)
    try:
        if args.command == "snapshot":
            text = json.dumps(snapshot(args.package), indent=2, sort_keys=True) + "\n"
            if args.output:
                args.output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
        before = _load(args.before)
        after = _load(args.after) if args.after else snapshot(args.package)
    except Exception as exc:
        print(f"api_diff: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(compare(before, after)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate the peer: a plain ariadne-codegen client for the benchmarked operation.

The peer is generated at bench time into ``benchmarks/.work/`` (never committed) from the same
schema and operation, with ariadne-codegen's default (httpx) base client and the project's
scalar mappings, so that the comparison isolates what our runtime adds or saves.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.operation import REPO_ROOT, Operation

WORK = Path(__file__).resolve().parent / ".work"
PEER_PACKAGE = "bench_peer_client"

# Settings of ours that the peer must not inherit: it uses ariadne-codegen's own base client,
# its own package, only the benchmarked operation, and no plugins of ours.
_DROP = {
    "schema_path",
    "queries_path",
    "target_package_name",
    "target_package_path",
    "client_name",
    "client_file_name",
    "base_client_name",
    "base_client_file_path",
    "plugins",
    "include_all_inputs",
    "include_all_enums",
    "files_to_include",
}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _write_config(path: Path, settings: dict[str, Any]) -> None:
    lines = ["[tool.ariadne-codegen]"]
    tables: dict[str, dict[str, Any]] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            tables[key] = value
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, table in tables.items():
        for sub, subval in table.items():
            if isinstance(subval, dict):
                lines.append(f"\n[tool.ariadne-codegen.{key}.{sub}]")
                lines.extend(f"{k} = {_toml_value(v)}" for k, v in subval.items())
            else:
                lines.append(f"\n[tool.ariadne-codegen.{key}]")
                lines.append(f"{sub} = {_toml_value(subval)}")
    path.write_text("\n".join(lines) + "\n")


def generate_peer(op: Operation, schema: Path | None = None) -> ModuleType:
    """Generate (fresh) and import the peer package; returns the package module."""
    schema = schema or REPO_ROOT / "schema.graphql"
    root = WORK / "peer"
    if root.exists():
        shutil.rmtree(root)
    (root / "queries").mkdir(parents=True)
    (root / "queries" / f"{op.name}.graphql").write_text(op.document + "\n")
    ours = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    settings = {
        k: v for k, v in ours.get("tool", {}).get("ariadne-codegen", {}).items() if k not in _DROP
    }
    settings.update(
        schema_path=str(schema),
        queries_path=str(root / "queries"),
        target_package_name=PEER_PACKAGE,
        target_package_path=str(root),
        async_client=True,
    )
    config = root / "pyproject.toml"
    _write_config(config, settings)
    exe = Path(sys.executable).with_name("ariadne-codegen")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ariadne_codegen"]
    proc = subprocess.run(
        [*cmd, "--config", str(config), "client"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ariadne-codegen failed for the peer:\n{proc.stdout}\n{proc.stderr}")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    for mod in [m for m in sys.modules if m == PEER_PACKAGE or m.startswith(PEER_PACKAGE + ".")]:
        del sys.modules[mod]
    importlib.invalidate_caches()
    return importlib.import_module(PEER_PACKAGE)

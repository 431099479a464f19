"""First import in a default install: ``from upwork_gql import UpworkClient`` against
``import httpx, pydantic``.

Two virtualenvs, created on first use and reused (under ``.venv-bench/``, same interpreter):

- ``import-baseline``: only httpx and pydantic, at the versions the project venv resolved;
- ``import-default``: this project installed as a user installs it (a built wheel, no extras).
  It is reinstalled whenever ``pyproject.toml``, ``schema.graphql`` or a file under ``src/``
  changes.

Each statement runs in a fresh process (``python -I -c ...``: isolated, no ``PYTHONPATH``, no
checkout on ``sys.path``), 7 times, the two interleaved in alternating order after one warm-up
each; the figure is the median wall time of the whole process and the ratio of the medians.
Target: at most 1.5x.

Usage::

    python benchmarks/bench_import.py             # prints a table
    python benchmarks/bench_import.py --json      # the same figures as JSON

Exit status 1 when the ratio is above the target. ``run()`` returns the figures as a dict
(for ``benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_VENVS = REPO_ROOT / ".venv-bench"
RUNS = 7
TARGET_RATIO = 1.5
BASELINE = "import httpx, pydantic"
OURS = "from upwork_gql import UpworkClient"
INSTALL_TIMEOUT = 900.0
RUN_TIMEOUT = 120.0


def _env() -> dict[str, str]:
    """The environment for child processes, without what would point them at the checkout."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _check(args: list[str], what: str) -> str:
    proc = subprocess.run(
        args,
        cwd=BENCH_VENVS,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


def _venv_python(path: Path, python: str) -> Path:
    exe = path / "bin" / "python"
    if not exe.exists():
        _check([python, "-m", "venv", str(path)], f"creating {path.name}")
    return exe


def _pip(exe: Path, *args: str) -> str:
    return _check(
        [str(exe), "-m", "pip", "--disable-pip-version-check", *args], f"pip {' '.join(args)}"
    )


def _source_fingerprint() -> str:
    digest = hashlib.sha256()
    paths = [REPO_ROOT / "pyproject.toml", REPO_ROOT / "schema.graphql"]
    paths += sorted(
        p for p in (REPO_ROOT / "src").rglob("*") if p.is_file() and ".pyc" not in p.name
    )
    for path in paths:
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _installed_version(exe: Path, distribution: str) -> str:
    code = f"from importlib.metadata import version; print(version({distribution!r}))"
    return _check([str(exe), "-I", "-c", code], f"version of {distribution}").strip()


def prepare(python: str = sys.executable, log: Any = print) -> tuple[Path, Path]:
    """Create or refresh both virtualenvs; return (baseline python, default-install python)."""
    BENCH_VENVS.mkdir(exist_ok=True)
    default = _venv_python(BENCH_VENVS / "import-default", python)
    stamp = BENCH_VENVS / "import-default" / ".source-fingerprint"
    fingerprint = _source_fingerprint()
    if not stamp.exists() or stamp.read_text() != fingerprint:
        log("installing upwork-gql (no extras) into .venv-bench/import-default ...")
        wheels = BENCH_VENVS / "wheels"
        for old in wheels.glob("*.whl"):
            old.unlink()
        _pip(default, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(REPO_ROOT))
        (wheel,) = wheels.glob("upwork_gql-*.whl")
        _pip(default, "install", "--quiet", str(wheel))  # its core dependencies, if missing
        _pip(default, "install", "--quiet", "--force-reinstall", "--no-deps", str(wheel))
        stamp.write_text(fingerprint)
    pins = [f"{d}=={_installed_version(default, d)}" for d in ("httpx", "pydantic")]
    baseline = _venv_python(BENCH_VENVS / "import-baseline", python)
    stamp = BENCH_VENVS / "import-baseline" / ".pins"
    if not stamp.exists() or stamp.read_text() != " ".join(pins):
        log(f"installing {' '.join(pins)} into .venv-bench/import-baseline ...")
        _pip(baseline, "install", "--quiet", *pins)
        stamp.write_text(" ".join(pins))
    return baseline, default


def _time_once(exe: Path, statement: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "-I", "-c", statement],
        cwd=BENCH_VENVS,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{statement!r} failed in {exe}:\n{proc.stderr[-2000:]}")
    return elapsed


def run(runs: int = RUNS, python: str = sys.executable, log: Any = print) -> dict[str, Any]:
    """Prepare the virtualenvs, time both imports interleaved and return the figures.

    Keys: ``baseline`` and ``upwork_gql`` (``statement``, ``median_ms``, ``samples_ms``),
    ``ratio`` (median over median), ``target``, ``ok``, ``runs``, ``versions``, ``modules``
    (whether the default install imported httpx's CLI module or graphql-core).
    """
    baseline_exe, default_exe = prepare(python, log)
    cases = {"baseline": (baseline_exe, BASELINE), "upwork_gql": (default_exe, OURS)}
    for exe, statement in cases.values():  # warm-up: bytecode caches, page cache
        _time_once(exe, statement)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    for i in range(runs):
        for name in order if i % 2 == 0 else reversed(order):
            exe, statement = cases[name]
            samples[name].append(_time_once(exe, statement))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["upwork_gql"] / medians["baseline"]
    probe = (
        "import sys, json; from upwork_gql import UpworkClient; "
        "print(json.dumps({m: m in sys.modules for m in ('httpx._main', 'graphql')}))"
    )
    modules = json.loads(_check([str(default_exe), "-I", "-c", probe], "module probe"))
    return {
        "runs": runs,
        "baseline": {
            "statement": BASELINE,
            "median_ms": round(medians["baseline"] * 1000, 1),
            "samples_ms": [round(s * 1000, 1) for s in samples["baseline"]],
        },
        "upwork_gql": {
            "statement": OURS,
            "median_ms": round(medians["upwork_gql"] * 1000, 1),
            "samples_ms": [round(s * 1000, 1) for s in samples["upwork_gql"]],
        },
        "ratio": round(ratio, 2),
        "target": TARGET_RATIO,
        "ok": ratio <= TARGET_RATIO,
        "versions": {
            "python": _check(
                [str(default_exe), "-I", "-c", "import platform; print(platform.python_version())"],
                "python version",
            ).strip(),
            **{d: _installed_version(default_exe, d) for d in ("upwork-gql", "httpx", "pydantic")},
        },
        "modules": modules,
    }


def format_table(result: dict[str, Any]) -> str:
    """A short plain-text table of :func:`run`'s figures."""
    rows = [
        ("statement", "venv", "median (ms)"),
        (result["baseline"]["statement"], "httpx + pydantic only", result["baseline"]["median_ms"]),
        (
            result["upwork_gql"]["statement"],
            "upwork-gql, no extras",
            result["upwork_gql"]["median_ms"],
        ),
    ]
    width = [max(len(str(r[i])) for r in rows) for i in range(3)]
    lines = ["  ".join(str(c).ljust(width[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    verdict = "ok" if result["ok"] else "ABOVE TARGET"
    lines.append(
        f"ratio {result['ratio']:.2f}x (target <= {result['target']}x, {verdict}); "
        f"median of {result['runs']} fresh processes each, interleaved"
    )
    loaded = ", ".join(m for m, present in result["modules"].items() if present)
    lines.append(f"loaded by the import: {loaded or 'neither httpx._main nor graphql'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=RUNS, help="processes per statement")
    parser.add_argument("--python", default=sys.executable, help="interpreter for both venvs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = run(args.runs, args.python, log=lambda msg: print(msg, file=sys.stderr))
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

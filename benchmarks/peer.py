"""Generate the peer: a plain ariadne-codegen client from the same documents.

At bench time, into ``benchmarks/.work/peer/`` (ignored by git), with the pinned ariadne-codegen
run as a user runs it (``python -m ariadne_codegen --config ...``): this project's
``schema.graphql`` and ``queries/``, ariadne-codegen's default settings (its own httpx base
client, its own base model), no plugins. So the comparison isolates what our runtime and our
models' configuration add or save.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work" / "peer"
PEER_PACKAGE = "bench_peer_client"


def generate_peer(
    schema: Path = REPO_ROOT / "schema.graphql", queries: Path = REPO_ROOT / "queries"
) -> tuple[Path, float]:
    """Generate the peer package afresh; return the directory to put on ``sys.path`` and the
    seconds the generation took."""
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    config = WORK / "pyproject.toml"
    config.write_text(
        "[tool.ariadne-codegen]\n"
        f'schema_path = "{schema}"\n'
        f'queries_path = "{queries}"\n'
        f'target_package_name = "{PEER_PACKAGE}"\n'
        f'target_package_path = "{WORK}"\n'
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ariadne_codegen", "--config", str(config)],
        cwd=WORK,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or not (WORK / PEER_PACKAGE / "client.py").exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"ariadne-codegen failed for the peer: {' | '.join(tail)}")
    return WORK, elapsed


def ariadne_codegen_version() -> str:
    from importlib import metadata

    return metadata.version("ariadne-codegen")


if __name__ == "__main__":
    root, seconds = generate_peer()
    print(f"generated {PEER_PACKAGE} into {root} in {seconds:.1f} s")

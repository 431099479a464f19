"""The benchmark harness works: its quick mode runs end to end and produces the results table.

No timing is asserted (timings depend on the machine); only that the harness measures.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``benchmarks`` is a top-level directory, not an installed package
    sys.path.insert(0, str(ROOT))
pytestmark = pytest.mark.slow


def _row(table: str, name: str) -> list[str]:
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row {name!r} in:\n{table}")


def test_quick_run_produces_the_table(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert text in proc.stdout  # printed and written alike
    assert "| Client |" in text
    assert "pages sequential (ms)" in text
    for heading in ("Date:", "Machine:", "Versions:"):
        assert heading in text

    baseline = _row(text, "httpx + json (baseline)")
    seq_ms = float(baseline[1].replace(",", ""))
    conc_ms = float(baseline[4].replace(",", ""))
    assert seq_ms > 0
    assert conc_ms > 0
    assert baseline[2] == "1.00x"

    # Every other client ran too and got a ratio to the same baseline.
    orjson_row = _row(text, "httpx + orjson")
    assert re.fullmatch(r"\d+\.\d\dx", orjson_row[2]), orjson_row


@pytest.mark.parametrize("operation", ["marketplaceJobPostingsSearch", "marketplaceJobPostings"])
def test_bench_server_pages_validate_and_advance(operation: str) -> None:
    """The fabricated pages match the generated models, and the cursors are string offsets."""
    import importlib

    import httpx

    from benchmarks.operation import load_operation, snake
    from benchmarks.server import BenchServer

    op = load_operation(name=operation)
    module = importlib.import_module(f"upwork_gql._generated.{snake(operation)}")
    model = getattr(module, operation[0].upper() + operation[1:])
    with BenchServer(total_nodes=120) as srv, httpx.Client(timeout=30) as http:
        cursors: list[str] = []
        ids: set[str] = set()
        after = "0"
        while True:
            r = http.post(
                srv.url,
                json={"query": op.document, "variables": op.variables(after, 50)},
            )
            assert r.status_code == 200
            body = r.json()
            typed = model.model_validate(body["data"])
            assert len(getattr(typed, snake(op.root_key)).edges) == (20 if after == "100" else 50)
            conn = body["data"][op.root_key]
            assert conn["totalCount"] == 120
            ids.update(e["node"]["id"] for e in conn["edges"])
            info = conn["pageInfo"]
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
            cursors.append(after)
        assert cursors == ["50", "100"]
        assert len(ids) == 120
        assert srv.stats()["graphql_calls"] == 3
    assert srv.proc is None  # stopped

"""The benchmark harness works: its quick mode runs end to end and produces the results tables,
and the pages it serves validate against the generated models and advance like Upwork's.

No timing is asserted (timings depend on the machine); only that the harness measures.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``benchmarks`` is a top-level directory, not an installed package
    sys.path.insert(0, str(ROOT))
pytestmark = pytest.mark.slow


def _row(table: str, name: str) -> list[str]:
    for line in table.splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row {name!r} in:\n{table}")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def test_quick_run_produces_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert text in proc.stdout  # printed and written alike
    for heading in ("Date:", "Machine:", "Versions:", "Load average", "command:"):
        assert heading in text
    for mode in ("## Cold", "## Steady"):
        table = _section(text, mode)
        baseline = _row(table, "httpx + json.loads (baseline)")
        assert float(baseline[1].replace(",", "")) > 0
        assert float(baseline[3].replace(",", "")) > 0
        assert baseline[2] == baseline[4] == "1.00x"
        for name in ("httpx + orjson", "upwork-gql paginator", "plain ariadne-codegen client"):
            row = _row(table, name)
            assert re.fullmatch(r"\d+\.\d\dx", row[2]), row
            assert re.fullmatch(r"\d+\.\d\dx", row[4]), row
    targets = _section(text, "## Targets")
    assert "paginator vs baseline, cold sequential" in targets
    assert "paginator vs plain ariadne-codegen, steady concurrent" in targets
    breakdown = _section(text, "## Where the time goes")
    assert "profile_hot_path.py" in breakdown
    _row(breakdown, "upwork-gql paginator")
    assert "one refresh" in text  # the token-expiry burst ran


def test_pages_validate_and_advance(tmp_path: Path) -> None:
    """The served pages match the generated models; cursors are string offsets; every
    concurrent walk covers its own slice and the slices cover the sequential walk's nodes."""
    from benchmarks.operation import load_operation
    from benchmarks.pages import NODE_BYTES, build, write
    from benchmarks.server import BenchServer

    bop = load_operation()
    model = bop.op.result_model()
    pages = build(bop.op, pages=4, page_size=50, walks=2)
    low, high, _mean = pages.node_sizes
    assert NODE_BYTES[0] - 10 <= low <= high <= NODE_BYTES[1]
    assert 0.1 < pages.null_share < 0.4
    index = write(pages, tmp_path, "pages")

    def walk(http: httpx.Client, url: str, start: int) -> tuple[list[str], list[str]]:
        after, cursors, ids = str(start), [], []
        while True:
            r = http.post(url, json={"query": bop.document, "variables": bop.variables(after, 50)})
            assert r.status_code == 200
            typed = model.model_validate(r.json()["data"])
            connection = getattr(typed, bop.root_attr)
            ids.extend(edge.node.id for edge in connection.edges)
            if not connection.page_info.has_next_page:
                return cursors, ids
            after = connection.page_info.end_cursor
            cursors.append(after)

    with BenchServer(index, total=200, per_walk=100) as srv, httpx.Client(timeout=30) as http:
        cursors, seq_ids = walk(http, srv.url("seq"), 0)
        assert cursors == ["50", "100", "150"]
        assert len(set(seq_ids)) == 200
        first, ids_a = walk(http, srv.url("conc"), 0)
        second, ids_b = walk(http, srv.url("conc"), 100)
        assert (first, second) == (["50"], ["150"])
        assert ids_a + ids_b == seq_ids
        assert srv.stats()["graphql_calls"] == 8
        body = json.loads(http.post(srv.url("small"), json={"query": bop.document}).content)
        assert len(body["data"][bop.root_key]["edges"]) == 10
    assert srv.proc is None  # stopped

"""One measurement in a fresh process: one client, one shape, cold or steady.

``run.py`` starts this script once per measurement, so that every figure is what a CLI call, a
notebook cell or a freshly started worker meets: nothing warmed up, nothing left over from
another client, the collector as the interpreter starts it (never collected by hand, never
tuned). The process imports and builds its client (``setup``, timed apart), then:

- ``cold``: times the walk from its first request to its last node;
- ``steady``: fetches one page first (the warm-up: connection, lazily built validators and
  models), then times the walk.

``seq`` is one walk over the whole connection; ``conc`` is ``--walks`` walks at once, each over
its own slice (the same pages in total). The result is one line of JSON on stdout: the walk's
wall time, the time until the first page was in hand, this process's CPU time, the setup
time, the nodes seen, and the collector's activity during the walk.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scenarios import Spec, build_scenario  # noqa: E402


def _gc_counts() -> list[int]:
    return [int(s["collections"]) for s in gc.get_stats()]


async def measure(a: argparse.Namespace, spec: Spec) -> dict[str, object]:
    t_setup = time.perf_counter()
    scenario = build_scenario(a.client, spec, a.url)
    await scenario.setup()
    setup = time.perf_counter() - t_setup
    starts = [int(s) for s in a.starts.split(",")]
    expected = a.nodes
    try:
        if a.mode == "steady":  # one page: the connection and whatever is built on first use
            await scenario.page(starts[0])
        scenario.first_page = None
        before = _gc_counts()
        c0 = time.process_time()
        t0 = time.perf_counter()
        if len(starts) == 1:
            counts = [await scenario.walk(starts[0])]
        else:
            counts = list(await asyncio.gather(*(scenario.walk(s) for s in starts)))
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0
        after = _gc_counts()
    finally:
        await scenario.close()
    if sum(counts) != expected:
        raise AssertionError(f"{scenario.name}: {sum(counts)} nodes, expected {expected}")
    return {
        "t": elapsed,
        "first": (scenario.first_page or t0) - t0,
        "cpu": cpu,
        "setup": setup,
        "nodes": sum(counts),
        "collections": [b - a for a, b in zip(before, after, strict=True)],
        "tracked": len(gc.get_objects()),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    p.add_argument("client")
    p.add_argument("--mode", choices=["cold", "steady"], required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--spec", required=True, help="the operation (JSON, see scenarios.Spec)")
    p.add_argument("--starts", required=True, help="comma-separated first cursors, one per walk")
    p.add_argument("--nodes", type=int, required=True, help="nodes expected in total")
    a = p.parse_args(argv)
    try:
        result = asyncio.run(measure(a, Spec.loads(Path(a.spec).read_text())))
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}))
        raise SystemExit(1) from None
    print(json.dumps(result))


if __name__ == "__main__":
    main()

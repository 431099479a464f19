"""One client of the pagination benchmarks, in its own process, driven over stdin/stdout.

The cyclic garbage collector scans every object alive in a process, so clients measured side by
side in one process would pay for each other's long-lived objects (a parsed 13,000-line schema
for gql, a second generated package for the peer...). ``run.py`` therefore starts one worker per
client and asks them in turn, round by round, to walk the connection; only one works at a time.

Protocol (one JSON object per line): the worker opens its client, warms it up with one walk of
each shape and prints ``{"ready": true}`` (or ``{"error": ...}``); then it answers ``seq`` and
``conc`` with ``{"t": seconds}`` measured inside the worker, ``freeze`` / ``unfreeze`` with
``{"ok": true}`` (``gc.freeze()`` after ``gc.collect()``), and stops on ``quit`` or end of input.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.operation import load_operation  # noqa: E402
from benchmarks.scenarios import PAGE_SIZE, Scenario, build_scenario  # noqa: E402


def _say(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Shapes:
    def __init__(self, scenario: Scenario, a: argparse.Namespace) -> None:
        self.s = scenario
        self.seq_url = a.seq_url
        self.conc_url = a.conc_url
        self.seq_nodes = a.seq_pages * PAGE_SIZE
        self.conc_walks = a.conc_walks
        self.conc_nodes = a.conc_walks * a.conc_pages * PAGE_SIZE

    async def seq(self) -> float:
        t0 = time.perf_counter()
        n = await self.s.walk(self.seq_url)
        elapsed = time.perf_counter() - t0
        if n != self.seq_nodes:
            raise AssertionError(f"{self.s.name}: {n} nodes, expected {self.seq_nodes}")
        return elapsed

    async def conc(self) -> float:
        t0 = time.perf_counter()
        counts = await asyncio.gather(*(self.s.walk(self.conc_url) for _ in range(self.conc_walks)))
        elapsed = time.perf_counter() - t0
        if sum(counts) != self.conc_nodes:
            raise AssertionError(f"{self.s.name}: {sum(counts)} nodes, expected {self.conc_nodes}")
        return elapsed


async def gc_profile(shapes: Shapes) -> dict[str, object]:
    """One sequential walk with the collector's callbacks on: time and count per generation."""
    spent = [0.0, 0.0, 0.0]
    counts = [0, 0, 0]
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            generation = info["generation"]
            spent[generation] += time.perf_counter() - started[0]
            counts[generation] += 1

    gc.callbacks.append(callback)
    try:
        t = await shapes.seq()
    finally:
        gc.callbacks.remove(callback)
    return {"t": t, "gc_seconds": spent, "collections": counts, "tracked": len(gc.get_objects())}


async def serve(a: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    try:
        op = load_operation(a.queries)
        scenario = build_scenario(a.key, op, a.schema)
        shapes = Shapes(scenario, a)
        await scenario.open([a.seq_url, a.conc_url])
        await shapes.seq()  # warm-up: connections, caches, the server's page cache
        await shapes.conc()
    except Exception as exc:
        detail = traceback.format_exc() if a.debug else ""
        _say({"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300], "trace": detail})
        return
    _say({"ready": True, "name": scenario.name, "note": scenario.note})
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            command = line.strip()
            if command in ("", "quit"):
                break
            try:
                if command == "seq":
                    gc.collect()
                    _say({"t": await shapes.seq()})
                elif command == "conc":
                    gc.collect()
                    _say({"t": await shapes.conc()})
                elif command == "seq-gc":
                    gc.collect()
                    _say(await gc_profile(shapes))
                elif command == "freeze":
                    gc.collect()
                    gc.freeze()
                    _say({"ok": True})
                elif command == "unfreeze":
                    gc.unfreeze()
                    _say({"ok": True})
                else:
                    _say({"error": f"unknown command {command!r}"})
            except Exception as exc:
                _say({"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]})
    finally:
        await scenario.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("key")
    p.add_argument("--seq-url", required=True)
    p.add_argument("--conc-url", required=True)
    p.add_argument("--seq-pages", type=int, required=True)
    p.add_argument("--conc-walks", type=int, required=True)
    p.add_argument("--conc-pages", type=int, required=True)
    p.add_argument("--schema", type=Path, required=True)
    p.add_argument("--queries", type=Path, default=None)
    p.add_argument("--debug", action="store_true")
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()

"""Profile one client's hot path (build request, send, parse, validate, wrap) with cProfile.

Usage::

    python benchmarks/profile_hot_path.py [--client ours|paginator|baseline|orjson|peer]
                                          [--pages 200] [--walks 1] [--top 25]

Prints where the time goes: self time grouped by library (httpx/httpcore, pydantic, json,
upwork_gql, asyncio, ...) as milliseconds per page, then the top functions by self time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.operation import load_operation  # noqa: E402
from benchmarks.scenarios import (  # noqa: E402
    PAGE_SIZE,
    AriadneCodegenPeer,
    BareHttpx,
    BareHttpxOrjson,
    OurClientLoop,
    OurPaginator,
    Scenario,
)
from benchmarks.server import BenchServer  # noqa: E402

GROUPS = (
    ("upwork_gql/_generated", "generated code"),
    ("upwork_gql", "upwork_gql runtime"),
    ("bench_peer_client", "peer (generated)"),
    ("httpcore", "httpcore"),
    ("httpx", "httpx"),
    ("h11", "h11"),
    ("pydantic_core", "pydantic"),
    ("pydantic", "pydantic"),
    ("anyio", "anyio"),
    ("asyncio", "asyncio"),
    ("json", "json"),
    ("orjson", "orjson"),
    ("graphql", "graphql-core"),
    ("benchmarks", "benchmark loop"),
)


def _group(filename: str, func: str) -> str:
    if filename == "~":  # built-ins: attribute them by name
        lowered = func.lower()
        for key in ("pydantic", "orjson", "json", "socket", "select", "ssl"):
            if key in lowered:
                return {"socket": "socket I/O", "select": "selector wait"}.get(key, key)
        if "validate" in lowered:
            return "pydantic"
        return "builtins"
    for key, label in GROUPS:
        if f"/{key}/" in filename or f"/{key}." in filename:
            return label
    return "other stdlib"


def breakdown(stats: pstats.Stats, pages: int) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in raw.items():
        g = _group(filename, func)
        totals[g] = totals.get(g, 0.0) + tt
    return sorted(((g, t / pages * 1000) for g, t in totals.items()), key=lambda x: -x[1])


def make(name: str) -> Scenario:
    op = load_operation()
    if name == "ours":
        return OurClientLoop(op)
    if name == "paginator":
        return OurPaginator(op)
    if name == "baseline":
        return BareHttpx(op)
    if name == "orjson":
        return BareHttpxOrjson(op)
    if name == "peer":
        from benchmarks.peer import generate_peer

        return AriadneCodegenPeer(op, generate_peer(op))
    raise SystemExit(f"unknown client {name!r}")


async def profile(name: str, pages: int, top: int, walks: int) -> str:
    scenario = make(name)
    per_walk = max(1, pages // walks)
    pages = per_walk * walks
    with BenchServer(total_nodes=pages * PAGE_SIZE) as srv:
        url = srv.graphql_url(per_walk * PAGE_SIZE)

        async def run() -> None:
            await asyncio.gather(*(scenario.walk(url) for _ in range(walks)))

        await scenario.open([url])
        await run()  # warm-up
        t0 = time.perf_counter()
        await run()
        plain = time.perf_counter() - t0
        prof = cProfile.Profile()
        prof.enable()
        await run()
        prof.disable()
        await scenario.close()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    print(
        f"{scenario.name}: {plain / pages * 1000:.3f} ms/page unprofiled; "
        f"{total / pages * 1000:.3f} ms/page of profiled self time",
        file=out,
    )
    print("\nself time by library (ms/page):", file=out)
    for group, ms in breakdown(stats, pages):
        print(f"  {group:22s} {ms:7.3f}", file=out)
    print(f"\ntop {top} functions by self time:", file=out)
    stats.sort_stats("tottime").print_stats(top)
    print(f"top {top} by cumulative time:", file=out)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument(
        "--client", default="ours", choices=["ours", "paginator", "baseline", "orjson", "peer"]
    )
    p.add_argument("--pages", type=int, default=200)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--walks", type=int, default=1, help="concurrent walks sharing the pages")
    a = p.parse_args()
    print(asyncio.run(profile(a.client, a.pages, a.top, a.walks)))


if __name__ == "__main__":
    main()

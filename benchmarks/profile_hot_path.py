"""Where one client's time goes per page: transport, decode + validate, collector, runtime.

Usage (``make bench`` runs it against its own server and puts the table in RESULTS.md)::

    python benchmarks/profile_hot_path.py --client paginator --url URL --spec SPEC [--json]
    python benchmarks/profile_hot_path.py --client paginator ... --cprofile 25

In one process, after one warm-up page (steady state), in CPU time of this process (the server
runs in another one; CPU time is what other load on the machine disturbs least):

1. **walk**: one plain sequential walk through the client, timed, with ``gc.callbacks`` timing
   every collection (**collector**) and counting them per generation (its wall time is reported
   too; the figures of the walk that took the least CPU time are kept);
2. **transport**: the same page requests sent through the client's own ``httpx.AsyncClient``
   (pre-encoded bodies) and read, nothing decoded;
3. **decode + validate**: what the client does with those same response bytes, timed alone:
   ``json.loads`` for the baseline, one ``model_validate_json`` for upwork-gql, ``json.loads``
   then ``model_validate`` for the plain ariadne-codegen client; also the objects it leaves
   tracked by the collector per page;
4. **runtime and loop**: the walk minus the three above.

Each step runs ``--repeats`` times (default 3), interleaved, and the least CPU time of each is
kept: the figure least disturbed by other load on the machine.

Steps 2 and 3 pause the collector (this is a measuring tool; the state found is restored) so
that its time is counted once, in step 1. ``--cprofile N`` prints the top functions of a walk
under cProfile instead.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scenarios import (  # noqa: E402
    OURS,
    PAGE_SIZE,
    AriadneCodegenPeer,
    BareHttpx,
    OurMethodLoop,
    OurPaginator,
    Scenario,
    Spec,
    build_scenario,
)

CLIENTS = ("baseline", "orjson", *OURS, "peer")


@contextmanager
def collector_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _http(scenario: Scenario) -> Any:
    if isinstance(scenario, BareHttpx | AriadneCodegenPeer):
        return scenario.http
    if isinstance(scenario, OurPaginator | OurMethodLoop):  # and the paginator's variants
        return scenario.client.http_client
    raise TypeError(f"no httpx client to time for {scenario.name}")


def _decoder(key: str, scenario: Scenario, spec: Spec) -> Callable[[bytes], Any]:
    if key == "baseline":
        return json.loads
    if key == "orjson":
        import orjson

        return orjson.loads
    if key in OURS:
        from benchmarks.operation import registry_operation
        from upwork_gql._response import _envelope, validate_json

        envelope = _envelope(registry_operation(spec.name))

        def validate(content: bytes) -> Any:  # what the client runs (orjson when importable)
            return validate_json(envelope, content, pause_gc=False)

        return validate
    if key == "peer":
        import importlib

        assert isinstance(scenario, AriadneCodegenPeer)
        module = importlib.import_module(f"{spec.peer_package}.{_module_of(spec.name)}")
        model = getattr(module, spec.name[0].upper() + spec.name[1:])

        def decode(content: bytes) -> Any:
            return model.model_validate(json.loads(content)["data"])

        return decode
    raise LookupError(key)


def _module_of(operation: str) -> str:
    out = []
    for ch in operation:
        if ch.isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


async def breakdown(key: str, spec: Spec, url: str, pages: int, repeats: int) -> dict[str, Any]:
    """Each step ``repeats`` times, interleaved; the least CPU time of each (the figure least
    disturbed by other load on the machine)."""
    scenario = build_scenario(key, spec, url)
    await scenario.setup()
    await scenario.page(0)
    total_nodes = pages * PAGE_SIZE
    http = _http(scenario)
    decode = _decoder(key, scenario, spec)
    bodies = [
        json.dumps(
            {
                "query": spec.document,
                "operationName": spec.name,
                "variables": spec.variables(str(after), PAGE_SIZE),
            },
            separators=(",", ":"),
        ).encode()
        for after in range(0, total_nodes, PAGE_SIZE)
    ]
    headers = {"Content-Type": "application/json"}
    walks: list[tuple[float, float, float, list[int]]] = []
    transports: list[float] = []
    decodings: list[float] = []
    tracked = 0
    try:
        for _ in range(repeats):
            # 1. the walk, with the collector's activity
            spent = [0.0]
            counts = [0, 0, 0]
            started = [0.0]

            def callback(
                phase: str,
                info: dict[str, int],
                *,
                spent: list[float] = spent,
                counts: list[int] = counts,
                started: list[float] = started,
            ) -> None:
                if phase == "start":
                    started[0] = time.process_time()
                else:
                    spent[0] += time.process_time() - started[0]
                    counts[info["generation"]] += 1

            gc.callbacks.append(callback)
            try:
                t0 = time.perf_counter()
                c0 = time.process_time()
                nodes = await scenario.walk(0)
                walk_cpu = time.process_time() - c0
                walk = time.perf_counter() - t0
            finally:
                gc.callbacks.remove(callback)
            if nodes != total_nodes:
                raise AssertionError(f"{nodes} nodes, expected {total_nodes}")
            walks.append((walk_cpu, walk, spent[0], counts))
            # 2. transport: the same requests through the client's own httpx client
            contents: list[bytes] = []
            with collector_paused():
                c0 = time.process_time()
                for body in bodies:
                    response = await http.post(url, content=body, headers=headers)
                    contents.append(response.content)
                transports.append(time.process_time() - c0)
            # 3. decode + validate the same bytes
            with collector_paused():
                c0 = time.process_time()
                for content in contents:
                    decode(content)
                decodings.append(time.process_time() - c0)
                before = len(gc.get_objects())
                kept = decode(contents[0])
                tracked = len(gc.get_objects()) - before
                del kept
    finally:
        await scenario.close()
    walk_cpu, walk, collector, counts = min(walks, key=lambda w: w[0])
    transport, decoding = min(transports), min(decodings)
    per_page = 1000 / pages
    return {
        "client": key,
        "pages": pages,
        "repeats": repeats,
        "walk_wall": walk * per_page,
        "walk": walk_cpu * per_page,
        "transport": transport * per_page,
        "decode": decoding * per_page,
        "collector": collector * per_page,
        "runtime": (walk_cpu - transport - decoding - collector) * per_page,
        "collections_per_100_pages": [c * 100 / pages for c in counts],
        "tracked_per_page": tracked,
    }


async def cprofile(key: str, spec: Spec, url: str, top: int) -> str:
    scenario = build_scenario(key, spec, url)
    await scenario.setup()
    await scenario.page(0)
    profile = cProfile.Profile()
    try:
        profile.enable()
        await scenario.walk(0)
        profile.disable()
    finally:
        await scenario.close()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    p.add_argument("--client", choices=CLIENTS, default="paginator")
    p.add_argument("--url", required=True, help="the server's /graphql/seq route")
    p.add_argument("--spec", required=True, help="benchmarks/.work/spec.json (run.py)")
    p.add_argument("--pages", type=int, default=200)
    p.add_argument("--repeats", type=int, default=3, help="each step, least CPU time kept")
    p.add_argument("--json", action="store_true")
    p.add_argument("--cprofile", type=int, metavar="N", help="print the top N functions")
    a = p.parse_args(argv)
    spec = Spec.loads(Path(a.spec).read_text())
    if a.cprofile:
        print(asyncio.run(cprofile(a.client, spec, a.url, a.cprofile)))
        return
    result = asyncio.run(breakdown(a.client, spec, a.url, a.pages, a.repeats))
    if a.json:
        print(json.dumps(result))
        return
    for name in ("walk_wall", "walk", "transport", "decode", "collector", "runtime"):
        print(f"{name:>10}: {result[name]:.3f} ms/page")
    counts = "/".join(f"{c:.0f}" for c in result["collections_per_100_pages"])
    print(f"collections per 100 pages (gen 0/1/2): {counts}")
    print(f"tracked objects per page: {result['tracked_per_page']}")


if __name__ == "__main__":
    main()

"""Run every benchmark and write ``benchmarks/RESULTS.md`` (``make bench``).

Usage::

    python benchmarks/run.py            # the full run (under five minutes on 2 cores)
    python benchmarks/run.py --quick    # a smoke test with tiny sizes (no RESULTS.md unless -o)

Wall times are medians over repeated rounds. Within a round every client runs once, in a
rotating order, so that load from other processes spreads over all clients alike; ratios are
taken to the baseline (bare ``httpx.AsyncClient`` + ``json.loads``) measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.operation import Operation, load_operation  # noqa: E402
from benchmarks.scenarios import (  # noqa: E402
    PAGE_SIZE,
    AriadneCodegenPeer,
    BareHttpx,
    BareHttpxOrjson,
    Gql,
    OurClientLoop,
    OurPaginator,
    Scenario,
    make_upwork_client,
)
from benchmarks.server import BenchServer  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
MEMORY_SCRIPT = BENCH_DIR / "bench_pagination_memory.py"

TOKEN_DELAY_MS = 20.0
MIN_ROUNDS = 3
TARGET_RATIO = 1.25
TARGET_RSS_MIB = 20.0
TARGET_IMPORT_MS = 150.0


@dataclass
class Config:
    pages: int = 200
    conc_walks: int = 10
    conc_pages: int = 20
    repeats: int = 7
    shape_budget: float = 120.0  # seconds of pagination rounds before stopping early
    freeze_rounds: int = 3
    burst: int = 500
    burst_page_size: int = 10
    burst_repeats: int = 3
    import_repeats: int = 9
    generate_repeats: int = 3
    quick: bool = False
    skip: set[str] = field(default_factory=set)


QUICK = Config(
    pages=4,
    conc_walks=2,
    conc_pages=2,
    repeats=1,
    burst=10,
    burst_repeats=1,
    freeze_rounds=0,
    import_repeats=1,
    generate_repeats=0,
    quick=True,
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    note: str = ""
    seq: list[float] = field(default_factory=list)
    conc: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def seq_median(self) -> float | None:
        return statistics.median(self.seq) if self.seq else None

    @property
    def conc_median(self) -> float | None:
        return statistics.median(self.conc) if self.conc else None


@dataclass
class Report:
    cfg: Config
    rows: list[Row] = field(default_factory=list)
    server_us: float | None = None
    server_rps_conc: float | None = None
    page_bytes: int | None = None
    extra: list[tuple[str, str, str, str]] = field(default_factory=list)  # shape, measured, target
    targets: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def baseline(self) -> Row:
        return self.rows[0]


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.1f}"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "n/a"
    return f"{value / base:.2f}x"


# --------------------------------------------------------------------------------------------
# Server speed (so that "the server is never the bottleneck" is a measured statement)
# --------------------------------------------------------------------------------------------


async def measure_server(
    srv: BenchServer, op: Operation, n: int, conns: int
) -> tuple[float, float, int]:
    """Raw keep-alive HTTP/1.1 over asyncio streams: µs per request, req/s with ``conns``."""
    url = f"/graphql/{max(n, 1) * PAGE_SIZE}"
    bodies = [
        json.dumps(
            {
                "query": op.document,
                "operationName": op.name,
                "variables": op.variables(str(i * PAGE_SIZE), PAGE_SIZE),
            }
        ).encode()
        for i in range(n)
    ]
    requests = [
        b"POST %s HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n%s" % (url.encode(), len(b), b)
        for b in bodies
    ]

    async def one_conn() -> tuple[float, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        size = 0
        t0 = time.perf_counter()
        for req in requests:
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            size = len(await reader.readexactly(length))
        elapsed = time.perf_counter() - t0
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
        return elapsed, size

    await one_conn()  # warm up: compile the template, render and cache the pages
    seq, size = await one_conn()
    t0 = time.perf_counter()
    await asyncio.gather(*(one_conn() for _ in range(conns)))
    conc = time.perf_counter() - t0
    return seq / n * 1e6, n * conns / conc, size


# --------------------------------------------------------------------------------------------
# Pagination shapes
# --------------------------------------------------------------------------------------------


async def run_shapes(
    report: Report, srv: BenchServer, scenarios: list[Scenario], rows: list[Row]
) -> None:
    cfg = report.cfg
    seq_url = srv.graphql_url(cfg.pages * PAGE_SIZE)
    conc_url = srv.graphql_url(cfg.conc_pages * PAGE_SIZE)
    seq_nodes = cfg.pages * PAGE_SIZE
    conc_nodes = cfg.conc_walks * cfg.conc_pages * PAGE_SIZE

    async def seq(s: Scenario) -> float:
        t0 = time.perf_counter()
        n = await s.walk(seq_url)
        elapsed = time.perf_counter() - t0
        if n != seq_nodes:
            raise AssertionError(f"{s.name}: {n} nodes, expected {seq_nodes}")
        return elapsed

    async def conc(s: Scenario) -> float:
        t0 = time.perf_counter()
        counts = await asyncio.gather(*(s.walk(conc_url) for _ in range(cfg.conc_walks)))
        elapsed = time.perf_counter() - t0
        if sum(counts) != conc_nodes:
            raise AssertionError(f"{s.name}: {sum(counts)} nodes, expected {conc_nodes}")
        return elapsed

    live: list[tuple[Scenario, Row]] = []
    for s, row in zip(scenarios, rows, strict=True):
        try:
            await s.open([seq_url, conc_url])
            await seq(s)  # warm-up: connections, caches, the server's page cache
            await conc(s)
            live.append((s, row))
        except Exception as exc:
            row.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            log(f"  {s.name}: FAILED {row.error}")
            if os.environ.get("BENCH_DEBUG"):
                traceback.print_exc()
            with contextlib.suppress(Exception):
                await s.close()

    started = time.perf_counter()
    for r in range(cfg.repeats):
        if r >= MIN_ROUNDS and time.perf_counter() - started > cfg.shape_budget:
            report.notes.append(
                f"The pagination rounds stopped after {r} of {cfg.repeats} to keep the run "
                f"within its time budget ({cfg.shape_budget:.0f} s; the machine was busy)."
            )
            break
        order = live[r % len(live) :] + live[: r % len(live)] if live else []
        for s, row in order:
            gc.collect()
            row.seq.append(await seq(s))
        for s, row in order:
            gc.collect()
            row.conc.append(await conc(s))
        log(f"  round {r + 1}/{cfg.repeats} done")
    if cfg.freeze_rounds and live:
        await run_frozen(report, live, seq, conc)
    for s, _ in live:
        await s.close()


async def run_frozen(
    report: Report,
    live: list[tuple[Scenario, Row]],
    seq: Callable[[Scenario], Awaitable[float]],
    conc: Callable[[Scenario], Awaitable[float]],
) -> None:
    """The baseline and our clients again, after ``gc.freeze()`` (informational).

    Long-running services often freeze the heap after startup; typed models make many more
    GC-tracked objects than ``json.loads``, so full collections cost them more (see the notes).
    """
    cfg = report.cfg
    picked = [(s, r) for s, r in live if s is live[0][0] or r.name.startswith("upwork-gql")]
    times: dict[str, tuple[list[float], list[float]]] = {r.name: ([], []) for _, r in picked}
    gc.collect()
    gc.freeze()
    try:
        for _ in range(cfg.freeze_rounds):
            for s, row in picked:
                times[row.name][0].append(await seq(s))
            for s, row in picked:
                times[row.name][1].append(await conc(s))
    finally:
        gc.unfreeze()
    base_name = live[0][1].name
    bs = statistics.median(times[base_name][0])
    bc = statistics.median(times[base_name][1])
    parts = []
    for name, (a, b) in times.items():
        if name == base_name:
            continue
        parts.append(
            f"{name}: {_ratio(statistics.median(a), bs)} sequential, "
            f"{_ratio(statistics.median(b), bc)} concurrent"
        )
    report.extra.append(
        (
            "Pagination shapes after `gc.freeze()` (informational)",
            "; ".join(parts),
            f"baseline {_ms(bs)} ms sequential, {_ms(bc)} ms concurrent",
            f"{cfg.freeze_rounds} rounds; ratios to the frozen baseline",
        )
    )


# --------------------------------------------------------------------------------------------
# Token expiry burst
# --------------------------------------------------------------------------------------------


async def run_burst(report: Report, srv: BenchServer, op: Operation) -> None:
    """N concurrent calls on one credential whose token expires now: one refresh, and the cost."""
    cfg = report.cfg
    import importlib

    from benchmarks.scenarios import _input_builder
    from upwork_gql.auth import TokenManager

    url = srv.graphql_url(cfg.burst_page_size)
    times: dict[str, list[float]] = {"fresh": [], "expired": []}
    token_calls: list[int] = []
    new_token_requests: list[int] = []

    async def one_round(expired: bool) -> None:
        # The manager's clock is ours: after the warm-up call, moving it two days ahead expires
        # the token exactly when the burst starts (no sleeping, no private attributes).
        now = [time.time()]
        token = {
            "access_token": "bench-old",
            "refresh_token": "bench-refresh-old",
            "token_type": "Bearer",
            "expires_in": 86400,
            "expires_at": now[0] + 86400,
        }
        manager = TokenManager(
            "bench-client",
            "bench-secret",
            token_url=srv.token_url,
            token=token,
            clock=lambda: now[0],
        )
        client = make_upwork_client(url, auth=manager, access_token=None)
        async with client:
            method = getattr(client, op.method_name)
            models = importlib.import_module("upwork_gql._generated.input_types")
            build = _input_builder(method, op, models)
            await method(**build("0", cfg.burst_page_size))  # warm the connection pool
            srv.reset()
            if expired:
                now[0] += 2 * 86400
            t0 = time.perf_counter()
            await asyncio.gather(
                *(method(**build("0", cfg.burst_page_size)) for _ in range(cfg.burst))
            )
            times["expired" if expired else "fresh"].append(time.perf_counter() - t0)
            stats = srv.stats()
            if expired:
                token_calls.append(stats["token_calls"])
                new_token_requests.append(
                    sum(v for k, v in stats["by_token"].items() if k != "bench-old")
                )
        await manager.aclose()

    for _ in range(cfg.burst_repeats):
        await one_round(False)
        await one_round(True)
    fresh = statistics.median(times["fresh"])
    expired = statistics.median(times["expired"])
    refreshes = max(token_calls) if token_calls else -1
    report.extra.append(
        (
            f"{cfg.burst} concurrent calls crossing a token expiry",
            f"{_ms(expired)} ms vs {_ms(fresh)} ms without expiry ({expired / fresh:.2f}x)",
            f"token endpoint calls per burst: {sorted(set(token_calls))}; "
            f"calls sent with the new token: {min(new_token_requests)}/{cfg.burst}",
            f"page size {cfg.burst_page_size}, {cfg.burst_repeats} bursts each, "
            f"token endpoint answers in {TOKEN_DELAY_MS:.0f} ms",
        )
    )
    report.targets.append(
        (
            "one refresh across the expiry burst",
            f"{refreshes} token call(s) per burst",
            "exactly 1",
            "met" if token_calls and all(c == 1 for c in token_calls) else "MISSED",
        )
    )


# --------------------------------------------------------------------------------------------
# Streaming memory (the pagination benchmark script)
# --------------------------------------------------------------------------------------------


def run_memory(report: Report) -> None:
    """Peak RSS of a 100,000-node walk vs a 1,000-node walk (``bench_pagination_memory.py``)."""
    shape = "100,000 nodes streamed through the paginator (peak RSS)"
    target = "streaming RSS flat (1,000 -> 100,000 nodes)"
    if not MEMORY_SCRIPT.exists():
        report.extra.append((shape, "not run", "", "bench_pagination_memory.py missing"))
        return
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(MEMORY_SCRIPT), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=240,
    )
    elapsed = time.perf_counter() - t0
    try:
        data: dict[str, Any] = json.loads(proc.stdout)
        small, large = data["small"], data["large"]
        growth = float(data["difference_mib"])
    except (ValueError, KeyError, TypeError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        report.extra.append((shape, "failed", tail[0][:200], f"exit {proc.returncode}"))
        report.targets.append((target, "failed", f"<= {TARGET_RSS_MIB:.0f} MiB", "?"))
        return
    report.extra.append(
        (
            shape,
            f"peak RSS {large['peak_rss_mib']} MiB for {large['nodes']:,} nodes vs "
            f"{small['peak_rss_mib']} MiB for {small['nodes']:,} (+{growth} MiB)",
            f"{large['pages']:,} pages of {data.get('page_size', '?')} in "
            f"{large['seconds']} s, each walk in a fresh process",
            f"`bench_pagination_memory.py` ({elapsed:.0f} s)",
        )
    )
    report.targets.append(
        (
            target,
            f"+{growth:.1f} MiB",
            f"<= {TARGET_RSS_MIB:.0f} MiB",
            "met" if growth <= TARGET_RSS_MIB else "MISSED",
        )
    )


# --------------------------------------------------------------------------------------------
# Import time and code generation time
# --------------------------------------------------------------------------------------------

_IMPORT_CODE = """
import time
t0 = time.perf_counter()
import upwork_gql
t1 = time.perf_counter()
try:
    from upwork_gql import UpworkClient
except ImportError:
    from upwork_gql._client import UpworkClient
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""


def run_import(report: Report) -> None:
    n = report.cfg.import_repeats
    bare: list[float] = []
    client: list[float] = []
    proc_total: list[float] = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_CODE],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=60,
        )
        proc_total.append(time.perf_counter() - t0)
        if out.returncode != 0:
            report.extra.append(("import upwork_gql", "failed", out.stderr.strip()[-200:], ""))
            return
        a, b = (float(x) for x in out.stdout.split())
        bare.append(a)
        client.append(b)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60)
    interp = time.perf_counter() - t0
    med = statistics.median(bare)
    report.extra.append(
        (
            "`import upwork_gql` (fresh process)",
            f"{_ms(med)} ms",
            f"+ `from upwork_gql import UpworkClient`: {_ms(statistics.median(client))} ms; "
            f"whole process {_ms(statistics.median(proc_total))} ms "
            f"(bare interpreter {_ms(interp)} ms)",
            f"median of {n}",
        )
    )
    report.targets.append(
        (
            "`import upwork_gql`",
            f"{_ms(med)} ms",
            f"< {TARGET_IMPORT_MS:.0f} ms",
            "met" if med * 1000 < TARGET_IMPORT_MS else "MISSED",
        )
    )


def run_generate(report: Report) -> None:
    """Time the code generation over the whole schema.

    ``make generate`` swaps its output into ``src/upwork_gql/_generated``; the benchmark runs the
    same generator in ``--check`` mode (identical work: ariadne-codegen with our plugins, the
    banner, ruff; then a comparison instead of the swap), so benchmarking never rewrites sources.
    """
    n = report.cfg.generate_repeats
    if n <= 0:
        return
    title = "`make generate` (whole schema)"
    script = REPO_ROOT / "scripts" / "generate.py"
    if not script.exists():
        report.extra.append((title, "not run", "", "no generator"))
        return
    times: list[float] = []
    status = "identical to the committed package"
    for _ in range(n):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script), "--check"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=240,
        )
        times.append(time.perf_counter() - t0)
        if proc.returncode == 1:
            status = "differs from the committed package"
        elif proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            report.extra.append((title, "failed", tail[0][:200], ""))
            return
    lines = len(Path(REPO_ROOT / "schema.graphql").read_text().splitlines())
    report.extra.append(
        (
            title,
            f"{statistics.median(times):.2f} s",
            f"{lines:,}-line schema.graphql + queries/, timed as `generate.py --check` "
            f"(same generation, compared instead of swapped in; output {status})",
            f"median of {n}",
        )
    )


# --------------------------------------------------------------------------------------------
# Machine and output
# --------------------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines() -> list[str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT
    ).stdout.strip()
    versions = ", ".join(
        f"{d} {_version(d)}"
        for d in (
            "upwork-gql",
            "httpx",
            "httpcore",
            "pydantic",
            "pydantic-core",
            "orjson",
            "gql",
            "ariadne-codegen",
            "graphql-core",
            "anyio",
        )
    )
    return [
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        + (f" (commit {git})" if git else ""),
        f"- Machine: {_cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; load average at start {load[0]:.2f}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"asyncio event loop",
        f"- Versions: {versions}",
    ]


def render(report: Report, machine: list[str], op: Operation, elapsed: float) -> str:
    cfg = report.cfg
    base = report.baseline()
    bs, bc = base.seq_median, base.conc_median
    out: list[str] = []
    out.append("# Benchmark results")
    out.append("")
    out.append(
        "Written by `make bench` (`benchmarks/run.py`); every number below comes from one run."
        + (" **Quick mode: tiny sizes, not meaningful as measurements.**" if cfg.quick else "")
    )
    out.append("")
    out.extend(machine)
    page_kb = f"{report.page_bytes / 1024:.0f} KB" if report.page_bytes else "?"
    out.append(
        f"- Operation `{op.name}` ({op.path.name}), pages of {PAGE_SIZE} nodes (~{page_kb}), "
        f"served pre-rendered by `benchmarks/server.py` in its own process"
    )
    if report.server_us is not None:
        out.append(
            f"- Server speed (raw keep-alive client): {report.server_us:.0f} µs per page "
            f"round trip sequentially, {report.server_rps_conc:,.0f} pages/s over 10 connections"
        )
    out.append(
        f"- Medians of {len(base.seq)} interleaved rounds after one warm-up; total run "
        f"{elapsed:.0f} s"
    )
    out.append("")
    seq_title = f"{cfg.pages} pages sequential"
    conc_title = f"{cfg.conc_walks}×{cfg.conc_pages} pages concurrent"
    out.append(
        f"| Client | {seq_title} (ms) | ratio | ms/page | {conc_title} (ms) | ratio | notes |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for row in report.rows:
        if row.error:
            out.append(f"| {row.name} | n/a | | | n/a | | not run: {row.error} |")
            continue
        sm, cm = row.seq_median, row.conc_median
        per_page = f"{sm / cfg.pages * 1000:.2f}" if sm is not None else "n/a"
        out.append(
            f"| {row.name} | {_ms(sm)} | {_ratio(sm, bs)} | {per_page} | {_ms(cm)} | "
            f"{_ratio(cm, bc)} | {row.note} |"
        )
    out.append("")
    if report.extra:
        out.append("| Shape | Measured | Detail | Notes |")
        out.append("|---|---|---|---|")
        for shape, measured, detail, notes in report.extra:
            out.append(f"| {shape} | {measured} | {detail} | {notes} |")
        out.append("")
    ours = [r for r in report.rows if r.name.startswith("upwork-gql") and not r.error]
    for r in ours:
        if bs and r.seq_median is not None:
            ratio = r.seq_median / bs
            report.targets.insert(
                0,
                (
                    f"{r.name}: {seq_title}",
                    f"{ratio:.2f}x",
                    f"<= {TARGET_RATIO}x",
                    "met" if ratio <= TARGET_RATIO else "MISSED",
                ),
            )
        if bc and r.conc_median is not None:
            ratio = r.conc_median / bc
            report.targets.insert(
                1,
                (
                    f"{r.name}: {conc_title}",
                    f"{ratio:.2f}x",
                    f"<= {TARGET_RATIO}x",
                    "met" if ratio <= TARGET_RATIO else "MISSED",
                ),
            )
    if report.targets:
        out.append("| Target | Measured | Goal | Status |")
        out.append("|---|---|---|---|")
        for target in report.targets:
            out.append("| " + " | ".join(target) + " |")
        out.append("")
    for note in report.notes:
        out.append(note)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def build_scenarios(
    op: Operation, schema: Path, cfg: Config
) -> tuple[list[Scenario], list[Row], list[str]]:
    notes: list[str] = []
    scenarios: list[Scenario] = [BareHttpx(op), BareHttpxOrjson(op)]
    rows = [Row(s.name, s.note) for s in scenarios]

    def add(factory: Callable[[], Scenario], name: str) -> None:
        try:
            s = factory()
        except Exception as exc:
            rows.append(Row(name, error=f"{type(exc).__name__}: {exc}".splitlines()[0][:200]))
            scenarios.append(_Broken(op, name))
            return
        scenarios.append(s)
        rows.append(Row(s.name, s.note))

    if "ours" not in cfg.skip:
        add(lambda: OurPaginator(op), OurPaginator.name)
        add(lambda: OurClientLoop(op), OurClientLoop.name)
    if "peer" not in cfg.skip:

        def peer() -> Scenario:
            from benchmarks.peer import generate_peer

            t0 = time.perf_counter()
            package = generate_peer(op, schema)
            notes.append(
                f"The plain ariadne-codegen client was generated into `benchmarks/.work/` "
                f"in {time.perf_counter() - t0:.1f} s from the same operation and schema."
            )
            return AriadneCodegenPeer(op, package)

        add(peer, AriadneCodegenPeer.name)
    if "gql" not in cfg.skip:
        add(lambda: Gql(op, None), "gql 4 (no schema)")
        add(lambda: Gql(op, schema), "gql 4 + local schema")
    return scenarios, rows, notes


class _Broken(Scenario):
    def __init__(self, op: Operation, name: str) -> None:
        super().__init__(op)
        self.name = name

    async def open(self, urls: list[str]) -> None:
        raise RuntimeError("could not be built")


def _step(report: Report, title: str, fn: Callable[[], Any]) -> None:
    log(f"- {title}")
    try:
        fn()
    except Exception as exc:
        log(f"  {title}: FAILED {type(exc).__name__}: {exc}")
        if os.environ.get("BENCH_DEBUG"):
            traceback.print_exc()
        report.extra.append((title, "failed", f"{type(exc).__name__}: {exc}"[:200], ""))


async def _async_step(report: Report, title: str, fn: Callable[[], Awaitable[Any]]) -> None:
    log(f"- {title}")
    try:
        await fn()
    except Exception as exc:
        log(f"  {title}: FAILED {type(exc).__name__}: {exc}")
        if os.environ.get("BENCH_DEBUG"):
            traceback.print_exc()
        report.extra.append((title, "failed", f"{type(exc).__name__}: {exc}"[:200], ""))


async def amain(cfg: Config, schema: Path, queries: Path | None) -> tuple[Report, Operation]:
    op = load_operation(queries)
    report = Report(cfg)
    scenarios, rows, notes = build_scenarios(op, schema, cfg)
    report.rows = rows
    report.notes.extend(notes)
    total = max(cfg.pages, cfg.conc_pages) * PAGE_SIZE
    with BenchServer(total_nodes=total, schema=schema, token_delay_ms=TOKEN_DELAY_MS) as srv:
        log(f"- bench server on port {srv.port}")
        us, rps, size = await measure_server(srv, op, 20 if cfg.quick else 200, 10)
        report.server_us, report.server_rps_conc, report.page_bytes = us, rps, size
        log(f"  server: {us:.0f} µs/page sequential, {rps:,.0f} pages/s concurrent, {size} B")
        log(f"- pagination shapes ({cfg.repeats} rounds)")
        await run_shapes(report, srv, scenarios, rows)
        if "burst" not in cfg.skip and "ours" not in cfg.skip:
            await _async_step(report, "token expiry burst", lambda: run_burst(report, srv, op))
    return report, op


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run the upwork-gql benchmarks.")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test of the harness")
    p.add_argument("-o", "--output", type=Path, help="where to write the results (markdown)")
    p.add_argument("--schema", type=Path, default=REPO_ROOT / "schema.graphql")
    p.add_argument("--queries", type=Path, default=None, help="queries directory")
    p.add_argument("--pages", type=int)
    p.add_argument("--repeats", type=int)
    p.add_argument(
        "--skip",
        default="",
        help="comma-separated: ours, peer, gql, burst, memory, import, generate",
    )
    a = p.parse_args(argv)
    cfg = QUICK if a.quick else Config()
    if a.pages:
        cfg.pages = a.pages
    if a.repeats:
        cfg.repeats = a.repeats
    cfg.skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    output = a.output if a.output else (None if a.quick else RESULTS)

    t0 = time.perf_counter()
    machine = machine_lines()
    queries = a.queries.resolve() if a.queries else None
    report, op = asyncio.run(amain(cfg, a.schema.resolve(), queries))
    if "memory" not in cfg.skip and not cfg.quick:
        _step(report, "streaming memory", lambda: run_memory(report))
    if "import" not in cfg.skip:
        _step(report, "import time", lambda: run_import(report))
    if "generate" not in cfg.skip:
        _step(report, "make generate", lambda: run_generate(report))
    text = render(report, machine, op, time.perf_counter() - t0)
    print(text)
    if output is not None:
        output.write_text(text)
        log(f"wrote {output}")
    base = report.baseline()
    return 0 if base.seq_median and not base.error else 1


if __name__ == "__main__":
    sys.exit(main())

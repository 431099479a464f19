"""The figures of one ``make bench`` run and their rendering as ``RESULTS.md``."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from benchmarks.pages import PageSet
from benchmarks.scenarios import OURS, PAGE_SIZE, SCENARIOS

# Targets (reported here and in the README; never asserted by timed tests).
COLD_TARGET = 1.35
STEADY_TARGET = 1.20
PEER_TARGET = 0.80  # at least 20 % ahead of the plain ariadne-codegen client
IMPORT_TARGET = 1.5
RSS_BUDGET_MIB = 20.0
TARGET_CLIENT = "paginator"
BUSY_LOAD = 1.5  # a 1-minute load average above this on 2 cores: other work was running


@dataclass
class Cell:
    """Every measurement of one client in one mode and shape."""

    t: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    setup: list[float] = field(default_factory=list)
    collections: list[list[int]] = field(default_factory=list)
    tracked: list[int] = field(default_factory=list)
    error: str | None = None

    def add(self, result: dict[str, Any], round_: int) -> None:
        self.rounds.append(round_)
        self.t.append(float(result["t"]))
        self.first.append(float(result["first"]))
        self.cpu.append(float(result["cpu"]))
        self.setup.append(float(result["setup"]))
        self.collections.append([int(c) for c in result["collections"]])
        self.tracked.append(int(result["tracked"]))

    @property
    def median(self) -> float | None:
        return statistics.median(self.t) if self.t and not self.error else None

    @property
    def first_median(self) -> float | None:
        return statistics.median(self.first) if self.first and not self.error else None

    def by_round(self) -> dict[int, float]:
        return dict(zip(self.rounds, self.t, strict=True)) if not self.error else {}


@dataclass
class Report:
    cfg: Any
    machine: dict[str, str]
    load_start: float
    load_end: float = 0.0
    loads: list[float] = field(default_factory=list)
    cells: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    pages: PageSet | None = None
    server: tuple[float, float] | None = None
    peer_seconds: float | None = None
    burst: dict[str, Any] | None = None
    memory: dict[str, Any] | None = None
    imports: dict[str, Any] | None = None
    profile: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def cell(self, key: str, mode: str, shape: str) -> Cell:
        return self.cells.setdefault((key, mode, shape), Cell())

    def round_ratios(self, key: str, mode: str, shape: str, to: str = "baseline") -> list[float]:
        """This client's walk time over ``to``'s in the same round, round by round."""
        mine = self.cell(key, mode, shape).by_round()
        base = self.cell(to, mode, shape).by_round()
        return [mine[r] / base[r] for r in sorted(mine) if r in base and base[r] > 0]

    def ratio(self, key: str, mode: str, shape: str, to: str = "baseline") -> float | None:
        """The median over rounds of :meth:`round_ratios` (the two walks of a pair measured a
        minute apart at most, so that slow phases of the machine cancel out)."""
        pairs = self.round_ratios(key, mode, shape, to)
        return statistics.median(pairs) if pairs else None

    def raw(self) -> dict[str, Any]:
        """Every measurement, for a closer look (``benchmarks/.work/results.json``)."""
        return {
            " ".join(key): {
                "rounds": c.rounds,
                "t": c.t,
                "first": c.first,
                "cpu": c.cpu,
                "setup": c.setup,
                "collections": c.collections,
                "tracked": c.tracked,
                "error": c.error,
            }
            for key, c in self.cells.items()
        }


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f}"


def _ms1(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.1f}"


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _table(report: Report, mode: str) -> list[str]:
    cfg = report.cfg
    seq = f"{cfg.pages} pages sequential"
    conc = f"{cfg.walks} concurrent walks"
    out = [
        f"| Client | {seq} (ms) | ratio | {conc} (ms) | ratio | first page (ms) | setup (ms) "
        "| notes |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, name in SCENARIOS.items():
        if key in cfg.skip or (key, mode, "seq") not in report.cells:
            continue
        s, c = report.cell(key, mode, "seq"), report.cell(key, mode, "conc")
        if s.error or c.error:
            out.append(f"| {name} | n/a | | n/a | | | | failed: {s.error or c.error} |")
            continue
        setups = s.setup + c.setup
        setup = _ms(statistics.median(setups)) if setups else "n/a"
        name_cell = f"**{name}**" if key in OURS else name
        out.append(
            f"| {name_cell} | {_ms(s.median)} | {_x(report.ratio(key, mode, 'seq'))} | "
            f"{_ms(c.median)} | {_x(report.ratio(key, mode, 'conc'))} | "
            f"{_ms1(s.first_median)} | {setup} | {_NOTES.get(key, '')} |"
        )
    return out


_NOTES = {
    "baseline": "`AsyncClient.post(json=...)`, `json.loads`, dicts",
    "orjson": "orjson both ways, dicts",
    "paginator": "`async for node in client.paginate_...()`, typed nodes",
    "paginator-nogc": "the same with `UpworkClient(pause_gc=False)`",
    "paginator-stdlib": "the same without orjson (a default install)",
    "method": "`await client.marketplace_job_postings(filter)` per page, typed",
    "peer": "same documents, ariadne-codegen defaults, typed",
    "gql": "gql 4 + httpx transport, dicts",
    "gql-schema": "validates each request against schema.graphql",
}


def _spread(ratios: list[float]) -> str:
    return f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else ""


def targets(report: Report) -> list[tuple[str, float | None, str, bool | None, str]]:
    """(what, measured, goal, met, per-round range) for every target of the run."""
    rows: list[tuple[str, float | None, str, bool | None, str]] = []
    key = TARGET_CLIENT
    for mode, goal in (("cold", COLD_TARGET), ("steady", STEADY_TARGET)):
        for shape in ("seq", "conc"):
            r = report.ratio(key, mode, shape)
            rows.append(
                (
                    f"paginator vs baseline, {mode} {_shape(shape)}",
                    r,
                    f"<= {goal:.2f}x",
                    None if r is None else r <= goal,
                    _spread(report.round_ratios(key, mode, shape)),
                )
            )
    if "peer" not in report.cfg.skip:
        for mode in ("cold", "steady"):
            for shape in ("seq", "conc"):
                r = report.ratio(key, mode, shape, to="peer")
                rows.append(
                    (
                        f"paginator vs plain ariadne-codegen, {mode} {_shape(shape)}",
                        r,
                        f"<= {PEER_TARGET:.2f}x (20 % ahead)",
                        None if r is None else r <= PEER_TARGET,
                        _spread(report.round_ratios(key, mode, shape, to="peer")),
                    )
                )
    if report.imports:
        r = float(report.imports["ratio"])
        rows.append(
            (
                "`from upwork_gql import UpworkClient` vs `import httpx, pydantic`",
                r,
                f"<= {IMPORT_TARGET:.1f}x",
                r <= IMPORT_TARGET,
                "",
            )
        )
    return rows


def _shape(shape: str) -> str:
    return "sequential" if shape == "seq" else "concurrent"


def render(report: Report) -> str:
    cfg = report.cfg
    m = report.machine
    out: list[str] = ["# Benchmark results", ""]
    out.append(
        "Written by `make bench` (`benchmarks/run.py`); every figure below comes from this one "
        "run." + (" **Quick mode: tiny sizes, not measurements.**" if cfg.quick else "")
    )
    out.append("")
    out.append(f"- Date: {m['date']} (commit {m['commit']}); command: `{m['command']}`")
    out.append(f"- Machine: {m['machine']}; Python {m['python']}, asyncio")
    out.append(f"- Versions: {m['versions']}")
    loads = ", ".join(f"{v:.2f}" for v in report.loads)
    busy = max([report.load_start, *report.loads], default=0.0) > BUSY_LOAD
    out.append(
        f"- Load average (1 min): {report.load_start:.2f} at the start, {loads} at the start "
        f"of each round, {report.load_end:.2f} at the end"
        + (
            " (other work shared the 2 CPUs: compare within this run only; the ratios pair "
            "measurements of the same round)"
            if busy
            else ""
        )
    )
    ps = report.pages
    if ps is not None:
        low, high, mean = ps.node_sizes
        out.append(
            f"- Pages: `{ps.operation}` (this project's `queries/{ps.operation}.graphql` "
            f"selection), {cfg.pages} pages × {PAGE_SIZE} nodes, {low / 1000:.2f}–"
            f"{high / 1000:.2f} KB per node (mean {mean / 1000:.2f}), {ps.null_share:.0%} of "
            f"the nullable fields null, {ps.page_bytes / 1000:.0f} KB per page; generated once "
            f"(`benchmarks/pages.py`, digest {ps.digest}) and served byte for byte to every "
            "client by `benchmarks/server.py` on loopback, in its own process"
        )
    if report.server is not None:
        us, rps = report.server
        out.append(
            f"- Server alone (raw keep-alive socket client): {us:.0f} µs per page round trip, "
            f"{rps:,.0f} pages/s over {cfg.walks} connections"
        )
    others = len(range(0, cfg.rounds, cfg.others_every))
    out.append(
        f"- Every measurement in its own fresh process (`benchmarks/worker.py`); medians of "
        f"{cfg.rounds} rounds for the baseline, the paginator and the plain ariadne-codegen "
        f"client (the targets), of {others} for the other clients; in a round, the clients of "
        "one mode and shape run back to back; whole run "
        f"{report.elapsed:.0f} s"
    )
    out.append("")
    out.append("## Cold: a fresh process, timed from its first request to its last node")
    out.append("")
    out.append(
        "No warm-up and no forced collection: what a CLI call, a notebook cell or a freshly "
        "started worker meets. Imports and client construction come before the first request "
        "and are shown apart (setup)."
    )
    out.append("")
    out.extend(_table(report, "cold"))
    out.append("")
    out.append("## Steady: the same, after one warm-up page in that process")
    out.append("")
    out.extend(_table(report, "steady"))
    out.append("")
    out.append(
        "Times are medians over the rounds; a ratio is the median over the rounds of the "
        "client's walk time divided by the baseline's in the same round (measured a minute "
        "apart at most, so that slow phases of the shared machine cancel out). First page: "
        "from the first request to the first page in hand, sequential walk. Setup: the "
        "process's imports and client construction, before the first request."
    )
    out.append("")
    out.extend(_targets_section(report))
    out.extend(_notes_section(report))
    out.extend(_import_section(report))
    out.extend(_profile_section(report))
    out.extend(_other_section(report))
    if report.failures:
        out.append("## Failures")
        out.append("")
        out.extend(f"- {f}" for f in report.failures)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _targets_section(report: Report) -> list[str]:
    out = [
        "## Targets",
        "",
        "| Target | Measured (median) | Rounds (min–max) | Goal | Status |",
        "|---|---:|---:|---|---|",
    ]
    for what, value, goal, met, spread in targets(report):
        status = "n/a" if met is None else ("met" if met else "**missed**")
        out.append(f"| {what} | {_x(value)} | {spread} | {goal} | {status} |")
    out.append("")
    return out


def _import_section(report: Report) -> list[str]:
    imp = report.imports
    if not imp:
        return []
    loaded = [mod for mod, present in imp["modules"].items() if present]
    return [
        "## Import",
        "",
        f"`{imp['upwork_gql']['statement']}` in a default install (the wheel, no extras): "
        f"{imp['upwork_gql']['median_ms']:.0f} ms; `{imp['baseline']['statement']}` in a "
        f"virtualenv holding only those two: {imp['baseline']['median_ms']:.0f} ms; ratio "
        f"**{imp['ratio']:.2f}x** (target <= {IMPORT_TARGET}x). Whole fresh processes "
        f"(`python -I -c ...`), median of {imp['runs']} each, interleaved "
        "(`python benchmarks/bench_import.py`). Loaded by the import: "
        + (
            ", ".join(f"`{mod}`" for mod in loaded)
            if loaded
            else "neither `httpx._main` nor graphql-core"
        )
        + ".",
        "",
    ]


_PROFILE_KEYS = (
    ("transport", "transport"),
    ("decode", "decode + validate"),
    ("collector", "collector"),
    ("runtime", "runtime and loop"),
)


def _profile_section(report: Report) -> list[str]:
    if not report.profile:
        return []
    out = [
        "## Where the time goes, per page",
        "",
        "Steady state, sequential walks, in CPU time: two sessions per client (fresh "
        "processes, the clients taking turns), each repeating every step twice, and the least "
        "time of each step kept (`python benchmarks/profile_hot_path.py --client KEY --url ... "
        "--spec ... --repeats 2`, run by `make bench`). *Transport*: "
        "the same requests sent through the client's own httpx client and read, nothing "
        "decoded; *decode + validate*: the decoding (and for typed "
        "clients the validation) of the same response bytes, timed alone with the collector "
        "paused by the profiler; *collector*: the time CPython's cyclic collector ran during a "
        "plain walk (`gc.callbacks`); *runtime and loop*: the rest of the walk (building the "
        "request, variables, auth, retries, the paginator, the loop over the nodes).",
        "",
        "| Client | walk (ms/page) | transport | decode + validate | collector | "
        "runtime and loop | collections gen 0/1/2 per 100 pages | tracked objects per page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, prof in report.profile.items():
        cells = [f"{prof[k]:.3f}" for k, _ in _PROFILE_KEYS]
        counts = prof["collections_per_100_pages"]
        out.append(
            f"| {SCENARIOS[key]} | {prof['walk']:.3f} | {' | '.join(cells)} | "
            f"{'/'.join(f'{c:.0f}' for c in counts)} | {prof['tracked_per_page']:,.0f} |"
        )
    out.append("")
    return out


def _other_section(report: Report) -> list[str]:
    out: list[str] = []
    mem = report.memory
    burst = report.burst
    if not mem and not burst and report.peer_seconds is None:
        return out
    out.extend(["## Memory, token refresh, peer", ""])
    if mem:
        small, large = mem["small"], mem["large"]
        out.append(
            f"- 100,000 nodes streamed through the paginator: peak RSS {large['peak_rss_mib']} "
            f"MiB against {small['peak_rss_mib']} MiB for 1,000 nodes (+{mem['difference_mib']} "
            f"MiB, budget {RSS_BUDGET_MIB:.0f} MiB: "
            f"{'flat' if mem['bounded'] else '**not flat**'}); {large['pages']:,} pages of "
            f"{mem['page_size']} in {large['seconds']} s, each walk in a fresh process "
            "(`python benchmarks/bench_pagination_memory.py`)"
        )
    if burst:
        calls = burst["token_calls"]
        one = bool(calls) and all(c == 1 for c in calls)
        out.append(
            f"- {burst['calls']} coroutines on one credential whose token expires as they start: "
            f"token endpoint called {', '.join(map(str, calls))} time(s) per burst "
            f"({'one refresh' if one else '**not one refresh**'}), at least "
            f"{burst['new_token_min']}/{burst['calls']} requests sent with the new token; "
            f"{burst['expired_s'] * 1000:,.0f} ms against {burst['fresh_s'] * 1000:,.0f} ms "
            f"without the expiry (token endpoint answering in {burst['token_delay_ms']:.0f} ms; "
            f"median of {burst['bursts']})"
        )
    if report.peer_seconds is not None:
        out.append(
            f"- The plain ariadne-codegen client was generated from `schema.graphql` and "
            f"`queries/` with ariadne-codegen's default settings in {report.peer_seconds:.1f} s "
            "(`python benchmarks/peer.py`, into `benchmarks/.work/peer/`)"
        )
    out.append("")
    return out


TRIED = (
    "What the runtime does for these figures, and what was tried: "
    "(1) the cyclic collector is paused for the one synchronous validation call of a page, only "
    "when it is running, and enabled again at once (an application that disabled it keeps it "
    "disabled; `UpworkClient(pause_gc=False)` leaves it alone); a walk releases its previous "
    "page right after the next one is validated, so the new page's objects enter the "
    "collector's count as the old page's leave it, and a walk triggers almost no collection "
    "(compare the `pause_gc=False` row of the breakdown); "
    "(2) with orjson installed (`pip install 'upwork-gql[orjson]'`, part of `all`), bodies are "
    "decoded by orjson and validated by pydantic in Python mode, which reuses the decoded "
    "strings instead of copying them (compare the rows without orjson); "
    "(3) a call without variables (a paginator's walk) builds no variables validator; "
    "(4) building the client loads pydantic's model machinery (in the setup column), so the "
    "first request builds only its operation's models, and `import upwork_gql` loads neither; "
    "(5) tried and not kept: the generated models' pydantic settings (`cache_strings` all, keys "
    "or off; `populate_by_name` off; `defer_build`) changed nothing measurable, strict "
    "validation was slower. Not tried: bypassing httpx's client layers (the application's own "
    "`httpx.AsyncClient`, its hooks and auth must keep working)."
)


def _notes_section(report: Report) -> list[str]:
    out = ["## Notes", ""]
    missed = [t for t in targets(report) if t[3] is False]
    if not missed:
        out.append("Every target is met in this run.")
    for what, value, goal, _met, _range in missed:
        limit = float(goal.split()[1].rstrip("x"))
        assert value is not None
        out.append(
            f"- **{what}**: {value:.2f}x against {goal.split(' (')[0]}, over by "
            f"{(value / limit - 1) * 100:.0f} %."
        )
    out.append("")
    base_p, ours_p = report.profile.get("baseline"), report.profile.get(TARGET_CLIENT)
    if base_p and ours_p:
        diff = {k: ours_p[k] - base_p[k] for k, _ in _PROFILE_KEYS}
        out.append(
            "Where the paginator's time goes against the baseline's, per page in steady state "
            f"(breakdown above): decode + validate {diff['decode']:+.3f} ms "
            f"({ours_p['decode']:.3f} against {base_p['decode']:.3f}: pydantic builds "
            f"{ours_p['tracked_per_page']:,} tracked objects per page, `json.loads` "
            f"{base_p['tracked_per_page']:,}), collector {diff['collector']:+.3f} ms, runtime "
            f"and loop {diff['runtime']:+.3f} ms, transport {diff['transport']:+.3f} ms (the "
            "same httpx work, a difference within noise)."
        )
    firsts = {
        key: (
            report.cell(key, "cold", "seq").first_median,
            report.cell(key, "steady", "seq").first_median,
        )
        for key in ("baseline", TARGET_CLIENT, "peer")
        if key not in report.cfg.skip
    }
    parts = [
        f"{SCENARIOS[key]} {cold * 1000:,.1f} ms cold against {warm * 1000:,.1f} ms steady"
        for key, (cold, warm) in firsts.items()
        if cold is not None and warm is not None
    ]
    if parts:
        out.append(
            "The first page of a sequential walk (first page column): "
            + "; ".join(parts)
            + ". In a cold process the paginator's first request also builds its operation's "
            "models (the generated module, its fragments and enums) and the response envelope, "
            "which the plain ariadne-codegen client builds when it is imported (its setup column)."
        )
    out.append("")
    out.append(TRIED)
    out.append("")
    return out

"""``upwork-gql demo``: the whole mission against the embedded sandbox, through the public client.

Starts the sandbox on a free loopback port, logs in with the authorization-code flow (the same
``run_login`` as ``upwork-gql auth login``, consent automated), then: every job posting across
pages, the proposals of one job, a contract, the room list, a day of the work diary, a token
refresh mid-run (short access-token lifetime), a retried server error and a tenant switch. The
login is saved in a temporary directory, never in the user's real token file.
"""

from __future__ import annotations

import heapq
import json
import socket
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from upwork_gql._demo_output import DemoTable, money, step

if TYPE_CHECKING:
    from upwork_gql.sandbox import RunningSandbox

__all__ = ["DemoOptions", "DemoReport", "run_demo"]

_TOP_JOBS = 8
_PIPED_WIDTH = 110
_SHOWN_ROWS = 8


@dataclass
class DemoOptions:
    """Knobs of the demo (the defaults finish in a few seconds)."""

    seed: int = 42
    jobs: int = 1000
    page_size: int = 50
    #: Access-token lifetime in the sandbox: short, so that a refresh happens mid-run.
    access_token_ttl: float = 4.0
    #: Inject one HTML 502 page (a proxy error) into the job walk, to show a retry.
    inject_fault: bool = True


@dataclass
class DemoReport:
    """What the demo did; printed as the closing summary (and checked by the tests)."""

    token_requests: int = 0
    pages: int = 0
    jobs: int = 0
    proposals: int = 0
    rooms: int = 0
    diary_cells: int = 0
    refreshes: int = 0
    elapsed: float = 0.0
    tenants: dict[str, int] = field(default_factory=dict)
    #: HTTP status of every GraphQL response the client saw (retried attempts included).
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def graphql_requests(self) -> int:
        return self.statuses.total()

    @property
    def retries(self) -> int:
        """Responses the client retries: 429 and server errors."""
        return sum(n for status, n in self.statuses.items() if _retried(status))


def _retried(status: int) -> bool:
    return status == 429 or status >= 500


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Counters:
    """httpx event hooks on the client's own connection pool: requests and statuses as seen by
    the client (retried attempts included)."""

    def __init__(self, console: Console, report: DemoReport) -> None:
        self.console = console
        self.report = report

    async def on_response(self, response: httpx.Response) -> None:
        self.report.statuses[response.status_code] += 1
        if _retried(response.status_code):
            try:
                operation = json.loads(response.request.content).get("operationName")
            except ValueError:
                operation = None
            self.console.print(
                f"   [yellow]↻[/yellow] HTTP {response.status_code} "
                f"{response.reason_phrase} on {operation or 'a request'}: a query is safe to "
                "retry, retrying with backoff"
            )


async def run_demo(
    options: DemoOptions | None = None, console: Console | None = None
) -> DemoReport:
    """Run the demo; returns its report. Raises on any failure (the CLI turns it into exit 1)."""
    options = options or DemoOptions()
    if console is None:
        console = Console()
        if not console.is_terminal:
            console.width = max(console.width, _PIPED_WIDTH)
    with tempfile.TemporaryDirectory(prefix="upwork-gql-demo-") as tmp:
        return await _run(options, console, Path(tmp))


async def _run(options: DemoOptions, console: Console, tmp: Path) -> DemoReport:
    from upwork_gql import UpworkClient
    from upwork_gql.auth import FileTokenStore, Token, TokenManager
    from upwork_gql.auth.login import http_consent, run_login
    from upwork_gql.sandbox import SECOND_ORG_ID, SandboxConfig, serve_async

    report = DemoReport()
    started = time.perf_counter()
    console.print(
        Panel.fit(
            "[bold]upwork-gql demo[/bold]: the async, typed client against the embedded sandbox\n"
            "[dim]a fake Upwork API on loopback serving the project's own schema.graphql[/dim]",
            border_style="cyan",
        )
    )
    config = SandboxConfig(
        seed=options.seed, jobs=options.jobs, access_token_ttl=options.access_token_ttl
    )
    async with serve_async(config) as sandbox:
        orgs = sandbox.config.organizations
        step(
            console,
            1,
            "Sandbox",
            f"{sandbox.url}  (seed {options.seed}, {options.jobs:,} job postings, "
            f"{len(orgs)} organizations, access tokens live {options.access_token_ttl:g}s)",
        )

        # 2. Login: the CLI's authorization-code flow; the "browser" is an httpx GET that
        # follows the sandbox's automatic consent to our loopback callback.
        token_file = tmp / "token.json"
        redirect_uri = f"http://127.0.0.1:{_free_port()}/callback"
        logged_in = False
        refresh_events: list[float] = []

        def on_token_update(token: Token) -> None:
            if not logged_in:
                return
            refresh_events.append(time.perf_counter())
            left = token.seconds_left()
            console.print(
                f"   [magenta]⟳[/magenta] access token refreshed mid-run (new one lives "
                f"{left or 0:.0f}s); the rotated refresh token was saved to the token file "
                "before the new access token was used"
            )

        manager = TokenManager(
            sandbox.client_id,
            sandbox.client_secret,
            token_url=sandbox.token_url,
            authorize_url=sandbox.authorize_url,
            redirect_uri=redirect_uri,
            store=FileTokenStore(token_file),
            on_token_update=on_token_update,
        )
        login_lines: list[str] = []
        await run_login(
            manager,
            open_browser=False,
            consent=http_consent,
            echo=login_lines.append,
            redirect_timeout=30.0,
        )
        logged_in = True
        mode = oct(token_file.stat().st_mode & 0o777)
        step(
            console,
            2,
            "Login",
            "authorization-code flow: authorize URL → consent (automated) → "
            f"redirect to {redirect_uri} → code exchanged",
        )
        console.print(f"   token saved to a temporary file (mode {mode}), never printed")

        counters = _Counters(console, report)
        http = httpx.AsyncClient(event_hooks={"response": [counters.on_response]})
        async with (
            manager,
            http,
            UpworkClient(
                url=sandbox.graphql_url, auth=manager, http_client=http, max_retries=3
            ) as client,
        ):
            job_id = await _jobs(client, sandbox, options, console, report)
            await _proposals(client, console, report, job_id)
            await _wait_for_refresh(manager, console, refresh_events)
            contract_ids = sandbox.state.data.default_org.hourly_contract_ids()
            await _contract(client, console, contract_ids[0])
            await _rooms(client, console, report)
            dates = sandbox.state.data.default_org.diary_dates()
            await _diary(client, console, report, contract_ids[0], dates[-1])
            await _tenants(client, console, report, sandbox, SECOND_ORG_ID)
        report.refreshes = manager.refreshes
        report.token_requests = sandbox.state.token_calls
    report.elapsed = time.perf_counter() - started
    _summary(console, report)
    return report


async def _jobs(
    client: Any,
    sandbox: RunningSandbox,
    options: DemoOptions,
    console: Console,
    report: DemoReport,
) -> str:
    """Walk every job posting; print the most-applied; return the id of the busiest one."""
    from upwork_gql.cli._progress import page_progress

    step(
        console,
        3,
        "Job postings",
        f"client.paginate_marketplace_job_postings(page_size={options.page_size}): "
        "every page, constant memory",
    )
    paginator = client.paginate_marketplace_job_postings(page_size=options.page_size)
    top: list[tuple[int, int, Any]] = []
    seen = 0
    progress = page_progress(console, "   [bold]{task.description}")
    with progress:
        task = progress.add_task("marketplaceJobPostings", total=None, pages=0)
        async for page in paginator.pages():
            report.pages += 1
            for edge in page.edges or []:
                node = edge.node if edge is not None else None
                if node is None:
                    continue
                seen += 1
                item = (node.total_applicants or 0, -seen, node)
                if len(top) < _TOP_JOBS:
                    heapq.heappush(top, item)
                else:
                    heapq.heappushpop(top, item)
            progress.update(task, completed=seen, total=paginator.total_count, pages=report.pages)
            if options.inject_fault and report.pages == 3:
                # The next request meets a proxy's HTML 502 page; the client retries it.
                sandbox.push_faults({"graphql": [{"status": 502, "html": True}]})
    report.jobs = seen
    best = sorted(top, reverse=True)
    table = DemoTable(
        f"the {len(best)} most-applied of {seen:,} job postings",
        ["id", "title", "budget", "applicants"],
    )
    for applicants, _, job in best:
        hourly = job.hourly_budget_min is not None and job.hourly_budget_max is not None
        budget = (
            f"{money(job.hourly_budget_min)}-{money(job.hourly_budget_max)}/h"
            if hourly
            else money(job.amount)
        )
        table.add_row(
            job.id,
            job.title,
            budget,
            str(applicants),
        )
    console.print(table)
    if not best:
        raise RuntimeError("the sandbox returned no job postings")
    busiest: str = best[0][2].id
    return busiest


async def _proposals(client: Any, console: Console, report: DemoReport, job_id: str) -> None:
    step(
        console,
        4,
        "Proposals of one job",
        f"client.paginate_client_proposals(job_posting_id={job_id!r})",
    )
    paginator = client.paginate_client_proposals(job_posting_id=job_id, page_size=50)
    table = DemoTable(
        f"proposals for job {job_id}", ["proposal", "freelancer", "rate", "status", "submitted"]
    )
    count = 0
    statuses: Counter[str] = Counter()
    async for proposal in paginator:
        count += 1
        status = proposal.status.status if proposal.status else None
        status_text = str(getattr(status, "value", status) or "")
        statuses[status_text] += 1
        if count <= _SHOWN_ROWS:
            rate = proposal.terms.charge_rate if proposal.terms else None
            table.add_row(
                proposal.id,
                proposal.user.name or "",
                money(rate),
                status_text,
                (proposal.audit_details.created_date_time or "")[:10],
            )
    report.proposals = count
    report.pages += paginator.pages_fetched
    console.print(table)
    by_status = ", ".join(f"{n} {s.lower()}" for s, n in statuses.most_common())
    console.print(
        f"   {count} proposals over {paginator.pages_fetched} pages"
        + (f" ({by_status})" if by_status else "")
    )


async def _wait_for_refresh(manager: Any, console: Console, events: list[float]) -> None:
    """Make sure the run shows a refresh: wait (bounded) until the short-lived token is due."""
    if events:
        return
    token = manager.token
    if token is None or token.expires_at is None:
        return
    wait = max(0.0, min((token.seconds_left() or 0.0) - token.leeway + 0.05, 30.0))
    if wait > 0:
        console.print(
            f"   [dim]waiting {wait:.1f}s for the short-lived access token to come due...[/dim]"
        )
        await anyio.sleep(wait)


async def _contract(client: Any, console: Console, contract_id: str) -> None:
    step(console, 5, "A contract", f"await client.contract(id={contract_id!r})")
    result = await client.contract(id=contract_id)
    contract = result.contract
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 3))
    table.add_column(style="dim")
    table.add_column()
    if contract is None:
        console.print("   (no such contract)")
        return
    freelancer = contract.freelancer.user.nid if contract.freelancer else None
    rows = [
        ("title", contract.title),
        ("type", getattr(contract.contract_type, "value", contract.contract_type)),
        ("status", getattr(contract.status, "value", contract.status)),
        ("hourly rate", money(contract.hourly_charge_rate)),
        (
            "weekly limit",
            f"{contract.weekly_hours_limit:g} h" if contract.weekly_hours_limit else "",
        ),
        ("freelancer", freelancer),
        ("client", contract.client_company.name if contract.client_company else ""),
        ("started", (contract.start_date_time or "")[:10]),
        ("milestones", str(len(contract.milestones or []))),
    ]
    for key, value in rows:
        table.add_row(key, str(value or ""))
    console.print(table)


async def _rooms(client: Any, console: Console, report: DemoReport) -> None:
    step(console, 6, "Rooms", "async for room in client.paginate_room_list(page_size=25)")
    table = DemoTable("rooms (first rows)", ["room", "name", "type", "unread", "users"])
    count = 0
    paginator = client.paginate_room_list(page_size=25)
    async for room in paginator:
        count += 1
        if count <= _SHOWN_ROWS:
            table.add_row(
                room.id,
                room.room_name or "",
                str(getattr(room.room_type, "value", room.room_type) or ""),
                str(room.num_unread or 0),
                str(room.num_users or 0),
            )
    report.rooms = count
    report.pages += paginator.pages_fetched
    console.print(table)
    console.print(f"   {count} rooms")


async def _diary(
    client: Any, console: Console, report: DemoReport, contract_id: str, date: str
) -> None:
    from upwork_gql.types import WorkDiaryContractInput

    day = date.replace("-", "")
    step(
        console,
        7,
        "A day of the work diary",
        f"client.work_diary_contract(contract {contract_id}, date {day})",
    )
    result = await client.work_diary_contract(
        work_diary_contract_input=WorkDiaryContractInput(contract_id=contract_id, date=day)
    )
    diary = result.work_diary_contract
    cells = (diary.work_diary_time_cells if diary else None) or []
    report.diary_cells = len(cells)
    hours: dict[str, list[Any]] = {}
    for cell in cells:
        stamp = cell.cell_date_time.raw_value if cell.cell_date_time else ""
        hour = _hour_of(stamp)
        hours.setdefault(hour, []).append(cell)
    table = DemoTable(
        f"{len(cells)} ten-minute cells on {date}, by hour",
        ["hour", "cells", "minutes", "avg activity", "manual", "memo"],
    )
    for hour, group in sorted(hours.items()):
        activity = [c.activity_level for c in group if c.activity_level is not None]
        memos = [c.memo for c in group if c.memo]
        table.add_row(
            hour,
            str(len(group)),
            str(10 * len(group)),
            f"{sum(activity) / len(activity):.1f}" if activity else "",
            str(sum(1 for c in group if c.manual)),
            memos[0] if memos else "",
        )
    console.print(table)


def _hour_of(stamp: str) -> str:
    """``2026-11-16T09:40:00Z`` or epoch milliseconds -> ``09:00``."""
    if stamp.isdigit():
        moment = time.gmtime(int(stamp) / (1000 if len(stamp) > 11 else 1))
        return f"{moment.tm_hour:02d}:00"
    if "T" in stamp:
        return stamp.split("T", 1)[1][:2] + ":00"
    return stamp[:13] or "?"


async def _tenants(
    client: Any,
    console: Console,
    report: DemoReport,
    sandbox: RunningSandbox,
    other_org: str,
) -> None:
    step(
        console,
        8,
        "Tenant switch",
        f'client.with_tenant("{other_org}"): same pool, token and rate limiter; '
        "sends X-Upwork-API-TenantId",
    )
    names = {org.id: org.name for org in sandbox.config.organizations}
    table = DemoTable("the same query for two organizations", ["tenant", "organization", "rooms"])
    for label, scoped in (("(default)", client), (other_org, client.with_tenant(other_org))):
        first = await scoped.paginate_room_list(page_size=1)
        report.pages += 1
        total = first.total_count if first is not None else 0
        org_id = sandbox.config.organizations[0].id if label == "(default)" else other_org
        report.tenants[org_id] = total or 0
        table.add_row(label, names.get(org_id, org_id), str(total))
    console.print(table)


def _summary(console: Console, report: DemoReport) -> None:
    console.print()
    table = Table(title="Summary", title_justify="left", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    table.add_row("requests", str(report.graphql_requests), "GraphQL requests, retries included")
    table.add_row("token requests", str(report.token_requests), "login + refreshes")
    table.add_row(
        "pages",
        str(report.pages),
        f"connection pages ({report.jobs:,} job postings, {report.proposals} proposals, "
        f"{report.rooms} rooms)",
    )
    table.add_row("retries", str(report.retries), "server errors retried by the client")
    table.add_row("refreshes", str(report.refreshes), "proactive, single-flight, rotation saved")
    table.add_row("elapsed", f"{report.elapsed:.1f}s", "")
    console.print(Panel.fit(table, border_style="green"))
    console.print(
        "[green]✓[/green] done. Next: [bold]upwork-gql sandbox serve[/bold] and "
        "[bold]upwork-gql call --help[/bold], or open examples/explore.ipynb"
    )

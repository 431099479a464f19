"""A long-running service on upwork-gql: one client shared by many concurrent tasks.

Every organization (tenant) gets its own worker; each round, a worker walks the tenant's rooms and
fans out over the newest job postings with a small pool of tasks that fetch proposal counts, all
through ONE ``UpworkClient``: one connection pool, one token manager (a single refresh at a time,
rotated refresh tokens saved before use) and one rate limiter shared by every task.

SIGINT / SIGTERM (or cancelling ``run_service``) shuts down gracefully: no new round starts, the
rounds in flight get ``--grace`` seconds to finish, then they are cancelled and the client closes.

Try it against the embedded sandbox (see the README's "Sandbox" section for the login)::

    upwork-gql sandbox serve --port 8000          # in another terminal; export what it prints
    upwork-gql auth login
    python examples/service.py --tenant 584000000000000176 --tenant 470000000000000197

Runs under asyncio (default) or trio (``--backend trio``): the code only uses anyio.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio
from anyio import CancelScope
from anyio.abc import ObjectReceiveStream

from upwork_gql import UpworkClient, UpworkError

log = logging.getLogger("service")


@dataclass
class Settings:
    tenants: list[str | None]
    rounds: int = 0  # 0: until stopped
    interval: float = 30.0
    jobs_per_round: int = 20
    concurrency: int = 8
    grace: float = 10.0


@dataclass
class Stats:
    rounds: int = 0
    rooms: int = 0
    jobs: int = 0
    proposals: int = 0
    errors: int = 0
    per_tenant: dict[str, int] = field(default_factory=dict)


async def count_proposals(
    client: UpworkClient,
    receive: ObjectReceiveStream[str],
    totals: list[int],
) -> None:
    """A pool worker: proposal counts for job ids from the stream, until it is closed."""
    async with receive:
        async for job_id in receive:
            first_page = await client.paginate_client_proposals(job_posting_id=job_id, page_size=1)
            totals.append((first_page.total_count or 0) if first_page is not None else 0)


async def one_round(client: UpworkClient, settings: Settings, stats: Stats, label: str) -> None:
    """One unit of work for one tenant; everything shares ``client``."""
    started = time.perf_counter()
    rooms = 0
    async for _room in client.paginate_room_list(page_size=50):
        rooms += 1

    totals: list[int] = []
    send, receive = anyio.create_memory_object_stream[str](settings.concurrency)
    async with anyio.create_task_group() as pool:
        for _ in range(settings.concurrency):
            pool.start_soon(count_proposals, client, receive.clone(), totals)
        receive.close()
        async with send:
            jobs = client.paginate_marketplace_job_postings(
                page_size=min(50, settings.jobs_per_round), max_items=settings.jobs_per_round
            )
            async for job in jobs:
                await send.send(job.id)

    stats.rooms += rooms
    stats.jobs += len(totals)
    stats.proposals += sum(totals)
    stats.per_tenant[label] = stats.per_tenant.get(label, 0) + 1
    log.info(
        "tenant %s: %d rooms, %d jobs, %d proposals (%.2fs)",
        label,
        rooms,
        len(totals),
        sum(totals),
        time.perf_counter() - started,
    )


async def tenant_worker(
    client: UpworkClient,
    tenant: str | None,
    settings: Settings,
    stats: Stats,
    stop: anyio.Event,
) -> None:
    """Rounds for one tenant until ``stop`` is set (or ``--rounds`` is reached)."""
    scoped = client.with_tenant(tenant)  # same pool, token and rate limiter
    label = tenant or "default"
    done = 0
    while not stop.is_set():
        try:
            await one_round(scoped, settings, stats, label)
        except* UpworkError as failed:  # one bad round (even one failed task) goes on
            stats.errors += 1
            exc: BaseException = failed
            while isinstance(exc, BaseExceptionGroup):  # the pool's task group wraps errors
                exc = exc.exceptions[0]
            log.warning("tenant %s: round failed: %s: %s", label, type(exc).__name__, exc)
        done += 1
        stats.rounds += 1
        if settings.rounds and done >= settings.rounds:
            return
        with anyio.move_on_after(settings.interval):
            await stop.wait()


async def watch_signals(stop: anyio.Event, workers: CancelScope, grace: float) -> None:
    """First signal: stop starting rounds, give the current ones ``grace`` seconds. Second
    signal (or the grace period running out): cancel them."""
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            if not stop.is_set():
                log.info(
                    "%s: finishing the rounds in flight (up to %.0fs)",
                    signal.Signals(signum).name,
                    grace,
                )
                stop.set()
                workers.deadline = min(workers.deadline, anyio.current_time() + grace)
            else:
                log.info("%s again: cancelling now", signal.Signals(signum).name)
                workers.cancel()


async def run_service(settings: Settings, client: UpworkClient | None = None) -> Stats:
    """Run until stopped; returns what was done. ``client`` defaults to ``from_env()``."""
    stats = Stats()
    stop = anyio.Event()
    own = client is None
    shared = UpworkClient.from_env() if client is None else client
    try:
        async with anyio.create_task_group() as service:
            with CancelScope() as workers:
                service.start_soon(watch_signals, stop, workers, settings.grace)
                async with anyio.create_task_group() as tenants:
                    for tenant in settings.tenants:
                        tenants.start_soon(tenant_worker, shared, tenant, settings, stats, stop)
            service.cancel_scope.cancel()  # workers are done: stop watching signals
    finally:
        if own:
            with anyio.CancelScope(shield=True):
                await shared.aclose()
    return stats


def parse_args(argv: Sequence[str] | None = None) -> tuple[Settings, str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tenant",
        action="append",
        default=[],
        help="organization id (repeatable; default: the user's default organization)",
    )
    parser.add_argument("--rounds", type=int, default=0, help="rounds per tenant (0: forever)")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between rounds")
    parser.add_argument("--jobs", type=int, default=20, help="job postings per round")
    parser.add_argument("--concurrency", type=int, default=8, help="tasks per tenant pool")
    parser.add_argument("--grace", type=float, default=10.0, help="shutdown grace period (s)")
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    args = parser.parse_args(argv)
    tenants: list[str | None] = list(args.tenant) or [None]
    settings = Settings(
        tenants=tenants,
        rounds=args.rounds,
        interval=args.interval,
        jobs_per_round=args.jobs,
        concurrency=args.concurrency,
        grace=args.grace if math.isfinite(args.grace) else 10.0,
    )
    return settings, str(args.backend)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is too much
    settings, backend = parse_args(argv)
    started = time.perf_counter()
    try:
        stats = anyio.run(run_service, settings, backend=backend)
    except UpworkError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(
        f"service stopped cleanly after {stats.rounds} rounds in "
        f"{time.perf_counter() - started:.1f}s: {stats.rooms} rooms, {stats.jobs} jobs, "
        f"{stats.proposals} proposals, {stats.errors} failed rounds",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Several replicas of a service on one Upwork login, sharing the token and the rate in Redis.

Starts a throwaway ``redis-server`` (free loopback port, no persistence), the embedded sandbox
(access tokens living a few seconds, a used refresh token rejected at once, so every refresh a
replica makes is visible and a double refresh would fail), logs in once, imports the login into
Redis, and runs N worker processes. Each replica runs ``--tasks`` tasks calling
``client.contract(...)`` through one ``UpworkClient`` whose token store and rate limiter are in
Redis. At the end it prints, from the sandbox's side: token refreshes, the busiest one-second
window of API requests and failures::

    python examples/replicas.py --replicas 4 --tasks 20 --seconds 10 --rate 10

The busiest window is measured where the sandbox handles a request: on a machine short of CPU,
requests that queue in the sandbox's own event loop are counted late and may look bunched.

Needs ``redis-server`` on PATH (Debian: ``apt-get install redis-server``) and the ``redis`` and
``sandbox`` extras. In production, point every replica at the same ``UPWORK_REDIS_URL``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

import anyio


@dataclass
class Job:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    redis_url: str
    contract_id: str
    tasks: int
    seconds: float
    rate: float


async def replica(job: Job) -> dict[str, object]:
    """One replica: ``job.tasks`` tasks calling the API until ``job.seconds`` have passed."""
    from upwork_gql import UpworkClient, UpworkError
    from upwork_gql.auth import redis_token_store_from_url
    from upwork_gql.limits import redis_rate_limiter_from_url

    store = redis_token_store_from_url(job.redis_url, job.client_id)
    limiter = redis_rate_limiter_from_url(job.redis_url, job.client_id, rate=job.rate)
    ok = failed = 0
    errors: set[str] = set()
    client = UpworkClient(
        url=job.api_url,
        client_id=job.client_id,
        client_secret=job.client_secret,
        token_url=job.token_url,
        token_store=store,
        rate_limiter=limiter,  # any limiter with the same interface
    )
    stop_at = anyio.current_time() + job.seconds

    async def task() -> None:
        nonlocal ok, failed
        while anyio.current_time() < stop_at:
            try:
                await client.contract(id=job.contract_id)
            except UpworkError as exc:
                failed += 1
                errors.add(f"{type(exc).__name__}: {exc}"[:120])
            else:
                ok += 1

    try:
        async with client, anyio.create_task_group() as tg:
            for _ in range(job.tasks):
                tg.start_soon(task)
    finally:
        await store.aclose()
        await limiter.aclose()
    return {"pid": os.getpid(), "ok": ok, "failed": failed, "errors": sorted(errors)}


def run_replica(job: Job, conn: Connection) -> None:
    conn.send(anyio.run(replica, job))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", workdir, "--loglevel", "warning"]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                if time.monotonic() > deadline or process.poll() is not None:
                    sys.exit("redis-server did not start")
                time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(10)


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while times[start] <= t - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=20, help="concurrent tasks per replica")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=10.0, help="requests/second, all replicas")
    parser.add_argument("--token-ttl", type=float, default=4.0, help="access token lifetime (s)")
    args = parser.parse_args(argv)

    from upwork_gql.auth import Token, redis_token_store_from_url
    from upwork_gql.sandbox import SandboxConfig, serve_in_thread

    arrivals: list[float] = []
    config = SandboxConfig(access_token_ttl=args.token_ttl, refresh_grace=0.0, jobs=10)
    with redis_server() as redis_url, serve_in_thread(config) as sandbox:
        state = sandbox.state
        original = state.rate_limited

        def count_request() -> bool:  # called once per API request: note when it arrived
            arrivals.append(time.monotonic())
            return original()

        state.rate_limited = count_request  # type: ignore[method-assign]

        # Log in once (as `upwork-gql auth login` + `upwork-gql auth import` would).
        login = Token.from_dict(state.issue_tokens().as_response())

        async def import_login() -> None:
            store = redis_token_store_from_url(redis_url, sandbox.client_id)
            try:
                await store.save(login)
            finally:
                await store.aclose()

        anyio.run(import_login)
        job = Job(
            api_url=sandbox.graphql_url,
            token_url=sandbox.token_url,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
            redis_url=redis_url,
            contract_id=state.data.default_org.contract_ids()[0],
            tasks=args.tasks,
            seconds=args.seconds,
            rate=args.rate,
        )
        # Replicas are forked from a server process that imported the client once.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["upwork_gql._client", "upwork_gql.limits"])
        pipes, processes = [], []
        for _ in range(args.replicas):
            parent, child = context.Pipe()
            process = context.Process(target=run_replica, args=(job, child))
            process.start()
            pipes.append(parent)
            processes.append(process)
        results = [pipe.recv() for pipe in pipes]
        for process in processes:
            process.join(30)
        refreshes, token_errors = state.refreshes, state.counters["token_errors"]
        unauthorized = state.counters["unauthorized"]

    ok = sum(int(r["ok"]) for r in results)
    failed = sum(int(r["failed"]) for r in results)
    for r in results:
        print(f"replica {r['pid']}: {r['ok']} calls, {r['failed']} failed {r['errors'] or ''}")
    print(
        f"token refreshes at the server: {refreshes} (rejected token requests: {token_errors}, "
        f"API requests with an expired token: {unauthorized})"
    )
    print(
        f"API requests at the server: {len(arrivals)} in {args.seconds:g}s; busiest one-second "
        f"window: {busiest_second(arrivals)} (limit {args.rate:g}/s)"
    )
    print(f"calls: {ok} succeeded, {failed} failed")
    return 0 if failed == 0 and token_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Several replicas (worker processes) on one credential, through a real redis-server.

The default run uses reduced counts where the scenario allows (one run of the 8 x 50 refresh,
3 kills, 60 requests at 20/s); ``UPWORK_GQL_FULL_REPLICA_TESTS=1`` runs the full ones (5 repeats
with 2 calls per coroutine, 10 kills, 200 requests at 20/s).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import _replica_worker
import httpx
import pytest
from _json_server import JSONServer
from _redis_server import REDIS_SERVER, RedisServer

from upwork_gql.sandbox import RunningSandbox, SandboxConfig, serve_in_thread

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]

FULL = os.environ.get("UPWORK_GQL_FULL_REPLICA_TESTS") == "1"
READ_TIMEOUT = 60.0

# Replicas are real processes, forked from a server that has done the imports once.
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(
    ["anyio", "httpx", "redis.asyncio", "upwork_gql.auth.redis_store", "upwork_gql.limits"]
)


class Worker:
    """A replica process speaking the pipe protocol of ``_replica_worker``."""

    def __init__(self, env: dict[str, str]) -> None:
        self.conn, child = _context.Pipe()
        self.proc = _context.Process(target=_replica_worker.serve, args=(child, env), daemon=True)
        self.proc.start()
        child.close()

    def receive(self, timeout: float = READ_TIMEOUT) -> Any:
        if not self.conn.poll(timeout):
            raise AssertionError(f"worker silent for {timeout}s")
        try:
            return self.conn.recv()
        except EOFError:
            self.proc.join(5)
            raise AssertionError(f"worker exited ({self.proc.exitcode})") from None

    def expect(self, word: str) -> None:
        got = self.receive()
        assert got == word, f"expected {word!r}, got {got!r}"

    def go(self) -> None:
        self.conn.send("go")

    def result(self) -> dict[str, Any]:
        data: dict[str, Any] = self.receive()
        return data

    def kill(self) -> None:
        assert self.proc.pid is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join(10)

    def close(self) -> None:
        if self.proc.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send("exit")
            self.proc.join(10)
            if self.proc.is_alive():
                self.kill()
        self.conn.close()


def start_workers(count: int, env: dict[str, str]) -> list[Worker]:
    workers = [Worker(env) for _ in range(count)]
    for worker in workers:
        worker.expect("ready")
    return workers


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with serve_in_thread(SandboxConfig(jobs=10)) as running:
        yield running


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.close()


def base_env(redis_server: RedisServer, client_id: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UPWORK_", "WORKER_"))}
    env["UPWORK_REDIS_URL"] = redis_server.url
    env["UPWORK_CLIENT_ID"] = client_id
    return env


class RedisKeys:
    """The test's own view of the Redis keys (sync client)."""

    def __init__(self, redis_server: RedisServer, client_id: str) -> None:
        import redis

        redis_server.flush()
        self.client = redis.Redis.from_url(redis_server.url)
        self.token_key = f"upwork-gql:{{{client_id}}}:token"
        self.lock_key = f"upwork-gql:{{{client_id}}}:lock"

    def stored(self) -> dict[str, Any]:
        raw = self.client.get(self.token_key)
        assert raw is not None
        data: dict[str, Any] = json.loads(raw)
        return data

    def seed(self, data: dict[str, Any], *, expired: bool) -> None:
        data = dict(data)
        data["expires_at"] = time.time() + (-10 if expired else 3600)
        self.client.set(self.token_key, json.dumps(data))


def usable_at_sandbox(sandbox: RunningSandbox, pair: dict[str, Any]) -> bool:
    tokens = sandbox.state.tokens
    record = tokens.refresh.get(pair["refresh_token"])
    alive = record is not None and record.expires_at > tokens.clock()
    return alive and tokens.check_access(pair["access_token"]) is not None


@pytest.fixture
def sandbox_env(sandbox: RunningSandbox, redis_server: RedisServer) -> dict[str, str]:
    env = base_env(redis_server, sandbox.client_id)
    env.update(
        UPWORK_CLIENT_SECRET=sandbox.client_secret,
        UPWORK_TOKEN_URL=sandbox.token_url,
        UPWORK_API_URL=sandbox.graphql_url,
        WORKER_AUTH="manager",
        WORKER_LIMITER="none",
    )
    return env


def test_one_refresh_across_8_processes_of_50_coroutines(
    sandbox: RunningSandbox,
    redis_server: RedisServer,
    sandbox_env: dict[str, str],
    workers: list[Worker],
) -> None:
    sandbox.state.tokens.refresh_grace = 0.0  # a used refresh token is rejected at once
    keys = RedisKeys(redis_server, sandbox.client_id)
    keys.seed(dict(sandbox.state.issue_tokens().as_response()), expired=True)
    calls = 2 if FULL else 1
    env = {**sandbox_env, "WORKER_COROUTINES": "50", "WORKER_CALLS": str(calls)}
    workers += start_workers(8, env)
    counters = sandbox.state.counters
    try:
        for _ in range(5 if FULL else 1):
            refreshes, token_errors = counters["refreshes"], counters["token_errors"]
            for worker in workers:  # every new manager starts on the expired stored pair
                worker.go()
            results = [worker.result() for worker in workers]
            assert [r["failed"] for r in results] == [0] * 8, results
            assert sum(r["ok"] for r in results) == 8 * 50 * calls
            assert counters["refreshes"] - refreshes == 1
            assert counters["token_errors"] - token_errors == 0
            assert sum(r["refreshes"] for r in results) == 1
            # The stored refresh token is still accepted (redeem it, store the rotation).
            stored = keys.stored()
            response = httpx.post(
                sandbox.token_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": stored["refresh_token"],
                    "client_id": sandbox.client_id,
                    "client_secret": sandbox.client_secret,
                },
            )
            assert response.status_code == 200
            keys.seed(response.json(), expired=True)
    finally:
        sandbox.state.tokens.refresh_grace = sandbox.config.refresh_grace


def test_lock_holder_killed_mid_refresh(
    sandbox: RunningSandbox,
    redis_server: RedisServer,
    sandbox_env: dict[str, str],
    workers: list[Worker],
) -> None:
    # Upwork keeps a rotated refresh token alive for 24 h (the sandbox's default grace): the pair
    # a killed holder never saved is still redeemable once.
    keys = RedisKeys(redis_server, sandbox.client_id)
    keys.seed(dict(sandbox.state.issue_tokens().as_response()), expired=True)
    env = {**sandbox_env, "WORKER_LOCK_TTL": "1.0", "WORKER_DEADLINE": "0.8"}
    others = start_workers(2, {**env, "WORKER_COROUTINES": "20"})
    workers += others
    victim_env = {**env, "WORKER_HANG_ON_SAVE": "1", "WORKER_COROUTINES": "5"}
    next_victim = Worker(victim_env)
    workers.append(next_victim)
    counters = sandbox.state.counters
    for _ in range(10 if FULL else 3):
        victim, next_victim = next_victim, Worker(victim_env)  # the next one starts meanwhile
        workers.append(next_victim)
        keys.seed(keys.stored(), expired=True)
        refreshes = counters["refreshes"]
        victim.expect("ready")
        victim.go()
        victim.expect("saving")  # holds the lock, redeemed the refresh token, saves nothing
        assert keys.client.get(keys.lock_key) is not None
        victim.kill()
        assert usable_at_sandbox(sandbox, keys.stored())  # the old pair: still usable
        started = time.monotonic()
        for worker in others:
            worker.go()
        results = [worker.result() for worker in others]
        assert [r["failed"] for r in results] == [0, 0], results
        assert sum(r["ok"] for r in results) == 2 * 20
        assert time.monotonic() - started > 0.5  # they waited for the dead holder's lock
        assert counters["refreshes"] - refreshes <= 2  # the victim's, and at most one more
        assert sum(r["refreshes"] for r in results) == 1
        assert usable_at_sandbox(sandbox, keys.stored())


class RecordingServer(JSONServer):
    """Answers every POST like the API would; records arrival times."""

    def __init__(self) -> None:
        super().__init__()
        self.httpd.socket.listen(1024)  # many workers connect at once
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    def respond(self, path: str, headers: Message, raw: str) -> tuple[int, Any]:
        with self._lock:
            self.arrivals.append(time.monotonic())
        return 200, {"data": {"__typename": "Query"}}


def max_in_one_second(arrivals: list[float]) -> int:
    times = sorted(arrivals)
    best, j = 0, 0
    for i, start in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] < start + 1.0:
            j += 1
        best = max(best, j - i)
    return best


def test_rate_is_shared_by_4_processes_of_50_workers(
    redis_server: RedisServer, workers: list[Worker]
) -> None:
    RedisKeys(redis_server, "rate-client")
    per_process = 50 if FULL else 15
    with RecordingServer() as server:
        env = base_env(redis_server, "rate-client")
        env.update(
            UPWORK_API_URL=server.base_url + "/graphql",
            UPWORK_RATE_LIMIT="20",
            UPWORK_DAILY_QUOTA="none",
            WORKER_AUTH="static",
            WORKER_LIMITER="redis",
            WORKER_COROUTINES="50",
            WORKER_CALLS="100",
            WORKER_MAX_CALLS=str(per_process),
        )
        workers += start_workers(4, env)
        for worker in workers:
            worker.go()
        results = [worker.result() for worker in workers]
    assert sum(r["ok"] for r in results) == 4 * per_process, results
    assert len(server.arrivals) == 4 * per_process
    busiest = max_in_one_second(server.arrivals)
    assert busiest <= 20
    assert busiest >= 15  # paced near the rate, not far below it


def test_daily_quota_is_shared_by_3_processes(
    redis_server: RedisServer, workers: list[Worker]
) -> None:
    RedisKeys(redis_server, "quota-client")
    with RecordingServer() as server:
        env = base_env(redis_server, "quota-client")
        env.update(
            UPWORK_API_URL=server.base_url + "/graphql",
            UPWORK_RATE_LIMIT="1000",
            UPWORK_DAILY_QUOTA="100",
            WORKER_AUTH="static",
            WORKER_LIMITER="redis",
            WORKER_COROUTINES="20",
            WORKER_CALLS="5",
        )
        workers += start_workers(3, env)
        for worker in workers:
            worker.go()
        results = [worker.result() for worker in workers]
    assert len(server.arrivals) == 100
    assert sum(r["ok"] for r in results) == 100
    assert sum(r["quota_exceeded"] for r in results) == 3 * 20 * 5 - 100
    assert sum(r["failed"] for r in results) == 0


def test_redis_stopped_mid_run(
    sandbox: RunningSandbox, sandbox_env: dict[str, str], workers: list[Worker]
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        keys = RedisKeys(redis, sandbox.client_id)
        keys.seed(dict(sandbox.state.issue_tokens().as_response()), expired=False)
        env = {
            **sandbox_env,
            "UPWORK_REDIS_URL": redis.url,
            "WORKER_FRESH_MANAGER": "0",
            "WORKER_LIMITER": "redis",
            "UPWORK_RATE_LIMIT": "1000",
            "WORKER_COROUTINES": "10",
        }
        (worker,) = start_workers(1, env)
        workers.append(worker)
        worker.go()
        assert worker.result()["ok"] == 10
        redis.stop()
        worker.go()  # a valid access token in memory; the limiter paces locally
        assert worker.result()["ok"] == 10
        counters = sandbox.state.counters
        refreshes = counters["refreshes"]
        sandbox.state.tokens.expire_access_tokens()  # now a refresh is needed
        worker.go()
        result = worker.result()
        assert result["ok"] == 0
        assert result["failed"] == 10
        assert all("TokenStoreError" in e and "Redis" in e for e in result["errors"]), result
        assert counters["refreshes"] == refreshes  # nothing redeemed that could not be saved
    finally:
        redis.close()


def test_replicas_example_runs() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "replicas.py"
    args = ["--replicas", "2", "--tasks", "5", "--seconds", "2", "--token-ttl", "1.5"]
    result = subprocess.run(
        [sys.executable, str(example), *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "calls: " in result.stdout
    assert " 0 failed" in result.stdout
    assert "token refreshes at the server: " in result.stdout

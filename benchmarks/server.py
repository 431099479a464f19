"""The benchmarks' GraphQL server: pre-generated page bodies on loopback, in its own process.

It serves the bodies that :mod:`benchmarks.pages` generated once for the run, byte for byte, so
every client reads the same responses; per request it only reads the cursor from the variables
and looks the body up. A minimal HTTP/1.1 keep-alive server on :mod:`asyncio` keeps its own cost
in the tens of microseconds per request (``run.py`` measures it with a raw socket client).

Routes (POST unless noted):

- ``/graphql/seq``: the sequential walk's connection, ``[0, total)``;
- ``/graphql/conc``: the concurrent walks' connections, ``[k * per_walk, (k + 1) * per_walk)``;
  the walk is told apart by its ``after`` cursor;
- ``/graphql/small``: one page of 10 nodes (the token-expiry burst);
- ``/token``: an OAuth2 token endpoint answering after ``--token-delay-ms`` with ``bench-<n>``
  access tokens, counting its calls;
- ``GET /stats``: JSON counters (GraphQL requests, token calls, requests per bearer token);
- ``/reset``: reset the counters.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.pages import SMALL_PAGE, PageSet, load  # noqa: E402


def page_after(variables: Any) -> int:
    """The ``after`` offset in the variables, wherever the operation puts it (0 when absent)."""
    stack = [variables]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "after" in value or "first" in value:
                after = value.get("after")
                return int(after) if after not in (None, "") else 0
            stack.extend(value.values())
    return 0


class _State:
    def __init__(self, pages: PageSet, total: int, per_walk: int, token_delay: float) -> None:
        self.bodies = pages.bodies
        self.total = total
        self.per_walk = per_walk
        self.token_delay = token_delay
        self.graphql_calls = 0
        self.token_calls = 0
        self.by_token: dict[str, int] = {}

    def graphql(self, route: str, body: bytes, authorization: bytes | None) -> tuple[int, bytes]:
        self.graphql_calls += 1
        if authorization:
            token = authorization.decode("latin-1").split(" ", 1)[-1]
            self.by_token[token] = self.by_token.get(token, 0) + 1
        after = page_after(orjson.loads(body).get("variables") or {})
        if route == "seq":
            key = (after, self.total)
        elif route == "conc":
            key = (after, (after // self.per_walk + 1) * self.per_walk)
        elif route == "small":
            key = (0, -SMALL_PAGE)
        else:
            return 404, b'{"errors":[{"message":"unknown route"}]}'
        page = self.bodies.get(key)
        if page is None:
            return 200, b'{"errors":[{"message":"bench server: no such page"}]}'
        return 200, page

    def token(self) -> bytes:
        self.token_calls += 1
        return orjson.dumps(
            {
                "access_token": f"bench-{self.token_calls}",
                "refresh_token": f"bench-refresh-{self.token_calls}",
                "token_type": "Bearer",
                "expires_in": 86400,
            }
        )

    def stats(self) -> bytes:
        return orjson.dumps(
            {
                "graphql_calls": self.graphql_calls,
                "token_calls": self.token_calls,
                "by_token": self.by_token,
            }
        )

    def reset(self) -> None:
        self.graphql_calls = 0
        self.token_calls = 0
        self.by_token = {}


class _Conn(asyncio.Protocol):
    def __init__(self, state: _State) -> None:
        self.state = state
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.pending: tuple[str, str, dict[bytes, bytes], int] | None = None
        self.served = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.pending is None:
                idx = self.buf.find(b"\r\n\r\n")
                if idx < 0:
                    return
                head = bytes(self.buf[:idx])
                del self.buf[: idx + 4]
                lines = head.split(b"\r\n")
                method, target, _ = lines[0].decode("latin-1").split(" ", 2)
                headers: dict[bytes, bytes] = {}
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get(b"content-length", b"0"))
                self.pending = (method, target, headers, length)
            method, target, headers, length = self.pending
            if len(self.buf) < length:
                return
            body = bytes(self.buf[:length])
            del self.buf[:length]
            self.pending = None
            self.handle(method, target, headers, body)

    def respond(self, status: int, body: bytes, close: bool = False) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self.served += 1
        head = (
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"vnd.eo.request-id: bench-%d-%d\r\n%s\r\n"
            % (
                status,
                b"OK" if status == 200 else b"Not Found",
                len(body),
                id(self) % 100_000,
                self.served,
                b"connection: close\r\n" if close else b"",
            )
        )
        transport.writelines((head, body))
        if close:
            transport.close()

    def handle(self, method: str, target: str, headers: dict[bytes, bytes], body: bytes) -> None:
        path = target.split("?", 1)[0]
        close = headers.get(b"connection", b"").lower() == b"close"
        state = self.state
        try:
            if path.startswith("/graphql/") and method == "POST":
                status, out = state.graphql(path[9:], body, headers.get(b"authorization"))
                self.respond(status, out, close)
            elif path == "/token" and method == "POST":
                out = state.token()
                if state.token_delay > 0:
                    loop = asyncio.get_running_loop()
                    loop.call_later(state.token_delay, self.respond, 200, out, close)
                else:
                    self.respond(200, out, close)
            elif path == "/stats":
                self.respond(200, state.stats(), close)
            elif path == "/reset":
                state.reset()
                self.respond(200, b"{}", close)
            else:
                self.respond(404, b'{"error":"not found"}', close)
        except Exception as exc:  # keep serving; report the failure to the client
            self.respond(500, orjson.dumps({"error": f"{type(exc).__name__}: {exc}"}), close)


async def serve(host: str, port: int, state: _State) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Conn(state), host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"READY {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Exit when the parent closes our stdin (or dies), so that no server outlives its run.
    threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()
    async with server:
        await stop.wait()


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stop.set)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    p.add_argument("pages", type=Path, help="the index written by benchmarks.pages")
    p.add_argument("--total", type=int, required=True, help="nodes of the sequential walk")
    p.add_argument("--per-walk", type=int, required=True, help="nodes of each concurrent walk")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token-delay-ms", type=float, default=20.0)
    a = p.parse_args(argv)
    state = _State(load(a.pages), a.total, a.per_walk, a.token_delay_ms / 1000)
    asyncio.run(serve(a.host, a.port, state))


class BenchServer:
    """Start the server in a child process; ``url(route)``, ``token_url``, ``stats()``."""

    def __init__(
        self,
        pages: Path,
        *,
        total: int,
        per_walk: int,
        token_delay_ms: float = 20.0,
        startup_timeout: float = 60.0,
    ) -> None:
        self.args = [
            str(pages),
            "--total",
            str(total),
            "--per-walk",
            str(per_walk),
            "--token-delay-ms",
            str(token_delay_ms),
        ]
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, route: str) -> str:
        """``seq``, ``conc`` or ``small``."""
        return f"{self.base_url}/graphql/{route}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def start(self) -> BenchServer:
        env = dict(os.environ)
        paths = [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        env["PYTHONPATH"] = os.pathsep.join(paths)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=env,
        )
        stdout = self.proc.stdout
        assert stdout is not None
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        if not line or not line[0].startswith(b"READY "):
            self.stop()
            raise RuntimeError(f"bench server did not start: {line!r}")
        self.port = int(line[0].split()[1])
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(Exception):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def _request(self, path: str, method: str = "GET") -> dict[str, Any]:
        req = urllib.request.Request(self.base_url + path, method=method, data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            result: dict[str, Any] = json.loads(resp.read())
        return result

    def stats(self) -> dict[str, Any]:
        return self._request("/stats")

    def reset(self) -> None:
        self._request("/reset", "POST")

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    main()

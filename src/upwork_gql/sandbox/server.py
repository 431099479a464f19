"""Run the sandbox as a real HTTP server (uvicorn) on loopback, in a background thread."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette

from upwork_gql.sandbox.api import GRAPHQL_PATH
from upwork_gql.sandbox.app import create_app
from upwork_gql.sandbox.config import DEFAULT_REDIRECT_URI, SandboxConfig
from upwork_gql.sandbox.oauth import AUTHORIZE_PATH, TOKEN_PATH
from upwork_gql.sandbox.state import SandboxState

STARTUP_TIMEOUT = 15.0
SHUTDOWN_TIMEOUT = 10.0


@dataclass
class RunningSandbox:
    """A started sandbox: its URLs, its live state and its configuration."""

    url: str
    config: SandboxConfig
    state: SandboxState
    app: Starlette

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint (``UPWORK_API_URL``)."""
        return self.url + GRAPHQL_PATH

    @property
    def token_url(self) -> str:
        """The token endpoint (``UPWORK_TOKEN_URL``)."""
        return self.url + TOKEN_PATH

    @property
    def authorize_url(self) -> str:
        """The authorize endpoint (``UPWORK_AUTHORIZE_URL``)."""
        return self.url + AUTHORIZE_PATH

    @property
    def faults_url(self) -> str:
        """The fault-plan control endpoint."""
        return self.url + "/_sandbox/faults"

    @property
    def client_id(self) -> str:
        """The id of the default (full-scope) client."""
        return self.config.default_client.client_id

    @property
    def client_secret(self) -> str:
        """The secret of the default client (a public, fake credential)."""
        return self.config.default_client.client_secret

    def push_faults(self, plan: Mapping[str, Any]) -> dict[str, int]:
        """Queue faults (same JSON shape as ``POST /_sandbox/faults``)."""
        return self.state.faults.push(plan)

    def env(self, redirect_uri: str = DEFAULT_REDIRECT_URI) -> dict[str, str]:
        """The ``UPWORK_*`` environment that points a client at this sandbox."""
        return {
            "UPWORK_API_URL": self.graphql_url,
            "UPWORK_TOKEN_URL": self.token_url,
            "UPWORK_AUTHORIZE_URL": self.authorize_url,
            "UPWORK_CLIENT_ID": self.client_id,
            "UPWORK_CLIENT_SECRET": self.client_secret,
            "UPWORK_REDIRECT_URI": redirect_uri,
        }

    def authorization_url(
        self, redirect_uri: str = DEFAULT_REDIRECT_URI, state: str = "state", **extra: str
    ) -> str:
        """A ready authorize URL for the default client."""
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            **extra,
        }
        return f"{self.authorize_url}?{urlencode(params)}"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)  # connections queue until uvicorn accepts them
    sock.set_inheritable(True)
    return sock


def make_server(app: Starlette, log_level: str = "warning", *, own_logging: bool = False) -> Any:
    """A uvicorn server for ``app`` (run it with ``server.run(sockets=[...])``).

    ``own_logging`` lets uvicorn install its logging configuration (for the CLI); embedded
    servers leave the host process's logging alone.
    """
    import uvicorn

    extra: dict[str, Any] = {} if own_logging else {"log_config": None}
    config = uvicorn.Config(
        app,
        **extra,
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


@contextlib.contextmanager
def serve_in_thread(
    config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningSandbox]:
    """Start the sandbox with uvicorn in a background thread; stop it on exit.

    ``port=0`` picks a free port. Works from synchronous code and from any event loop (asyncio
    or trio), since the server has its own loop in its own thread.
    """
    config = config or SandboxConfig()
    app = create_app(config)
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = make_server(app)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # surfaced to the caller below
            errors.append(exc)

    thread = threading.Thread(target=run, name=f"upwork-gql-sandbox:{actual_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if errors or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"sandbox failed to start: {errors[0] if errors else 'exited'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("sandbox did not start in time")
        time.sleep(0.005)
    url_host = f"[{host}]" if ":" in host else host
    running = RunningSandbox(
        url=f"http://{url_host}:{actual_port}", config=config, state=app.state.sandbox, app=app
    )
    try:
        yield running
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(SHUTDOWN_TIMEOUT)
        sock.close()


@contextlib.asynccontextmanager
async def serve_async(
    config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningSandbox]:
    """``async with`` form of :func:`serve_in_thread` (start and stop off the event loop)."""
    import anyio

    manager = serve_in_thread(config, host=host, port=port)
    running = await anyio.to_thread.run_sync(manager.__enter__)
    try:
        yield running
    finally:
        await anyio.to_thread.run_sync(manager.__exit__, None, None, None)

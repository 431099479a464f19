"""The sandbox ASGI application: routes, fault middleware, control endpoints."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from upwork_gql._constants import REQUEST_ID_HEADER
from upwork_gql.sandbox.api import GRAPHQL_PATH, graphql_endpoint
from upwork_gql.sandbox.config import SandboxConfig
from upwork_gql.sandbox.engine import build_sandbox_schema, load_sdl
from upwork_gql.sandbox.faults import Fault, FaultPlanError
from upwork_gql.sandbox.oauth import AUTHORIZE_PATH, TOKEN_PATH, authorize, token
from upwork_gql.sandbox.state import RequestRecord, SandboxState

CONTROL_PREFIX = "/_sandbox"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_TARGETS = {GRAPHQL_PATH: "graphql", TOKEN_PATH: "token", AUTHORIZE_PATH: "authorize"}
_COUNTERS = {
    "graphql": "graphql_requests",
    "token": "token_requests",
    "authorize": "authorize_arrivals",
}


class FaultMiddleware:
    """Counts arrivals, adds the request id header, and applies pending faults."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        raw_id = request_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), raw_id))
                message = {**message, "headers": headers}
            await send(message)

        target = _TARGETS.get(scope.get("path", ""))
        if target is None:
            await self.app(scope, receive, send_with_id)
            return
        self.state.count(_COUNTERS[target])
        fault = self.state.faults.pop(target)
        if fault is None:
            await self.app(scope, receive, send_with_id)
            return
        self.state.count("faults_applied")
        self.state.record(
            RequestRecord(
                target, scope.get("method", ""), fault.status or 0, fault=_describe(fault)
            )
        )
        await self._apply(fault, scope, receive, send, send_with_id)

    async def _apply(
        self, fault: Fault, scope: Scope, receive: Receive, send: Send, send_with_id: Send
    ) -> None:
        if fault.delay:
            await anyio.sleep(fault.delay)
        if fault.drop:
            if fault.after:
                await self.app(scope, receive, _discard)
            await _drop_connection(send, receive)
            return
        if fault.status:
            if fault.after:
                await self.app(scope, receive, _discard)
            await _send_fault_response(fault, send_with_id)
            return
        if fault.truncate:
            await self._truncated(scope, receive, send_with_id)
            return
        await self.app(scope, receive, send_with_id)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        cut = body[: max(1, len(body) // 2)]
        assert start is not None
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut})


def _describe(fault: Fault) -> str:
    if fault.drop:
        return "drop"
    if fault.status:
        return f"status {fault.status}"
    if fault.truncate:
        return "truncate"
    return f"delay {fault.delay}"


async def _discard(message: Message) -> None:
    return None


async def _drop_connection(send: Send, receive: Receive) -> None:
    """Close the connection without a response.

    Under uvicorn the ``send`` callable belongs to the request cycle that owns the transport:
    close it, then wait for uvicorn to notice the disconnect so it does not answer 500. In
    process (httpx's ASGI transport) there is no socket: raise what httpx raises for a server
    that hung up without answering.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    transport.close()
    with anyio.move_on_after(5):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break


async def _send_fault_response(fault: Fault, send: Send) -> None:
    body, content_type = fault.response_body()
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if fault.retry_after is not None:
        value = fault.retry_after
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        headers.append((b"retry-after", str(value).encode()))
    headers.extend((k.lower().encode(), v.encode()) for k, v in fault.headers.items())
    await send({"type": "http.response.start", "status": fault.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------------------------
# Control endpoints (loopback test helpers; no authentication)


async def _control_faults(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    if request.method == "DELETE":
        state.faults.clear()
        return JSONResponse({"pending": state.faults.pending()})
    if request.method == "GET":
        return JSONResponse({"pending": state.faults.pending()})
    try:
        plan = json.loads(await request.body())
        pending = state.faults.push(plan)
    except (ValueError, FaultPlanError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"pending": pending})


async def _control_state(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    return JSONResponse(state.snapshot())


async def _control_reset(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    state.reset_counters()
    state.faults.clear()
    return JSONResponse(state.snapshot())


async def _control_expire(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    which = request.query_params.get("kind", "access")
    if which == "refresh":
        count = state.tokens.expire_refresh_tokens()
    else:
        count = state.tokens.expire_access_tokens()
    return JSONResponse({"expired": count, "kind": which})


async def _index(request: Request) -> Response:
    return JSONResponse(
        {
            "service": "upwork-gql sandbox",
            "graphql": GRAPHQL_PATH,
            "token": TOKEN_PATH,
            "authorize": AUTHORIZE_PATH,
        }
    )


class SandboxApp(Starlette):
    """Starlette with the fault layer outermost, so that it sees the server's own ``send``
    (needed to drop a connection) and its errors are not turned into 500 pages."""

    fault_layer: ASGIApp | None = None

    async def starlette_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The plain Starlette application."""
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fault_layer is None:
            await super().__call__(scope, receive, send)
        else:
            await self.fault_layer(scope, receive, send)


def create_app(
    config: SandboxConfig | None = None, *, state: SandboxState | None = None
) -> Starlette:
    """The sandbox as an ASGI app. ``app.state.sandbox`` is its :class:`SandboxState`."""
    config = config or SandboxConfig()
    state = state or SandboxState(config)
    schema = build_sandbox_schema(load_sdl(config.schema_sdl, config.schema_path))
    routes = [
        Route("/", _index, methods=["GET"]),
        Route(GRAPHQL_PATH, graphql_endpoint, methods=["POST"]),
        Route(AUTHORIZE_PATH, authorize, methods=["GET"]),
        Route(TOKEN_PATH, token, methods=["POST"]),
    ]
    if config.control_endpoints:
        routes += [
            Route(f"{CONTROL_PREFIX}/faults", _control_faults, methods=["GET", "POST", "DELETE"]),
            Route(f"{CONTROL_PREFIX}/state", _control_state, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/reset", _control_reset, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/expire-tokens", _control_expire, methods=["POST"]),
        ]
    app = SandboxApp(routes=routes)
    app.state.sandbox = state
    app.state.schema = state.schema = schema
    app.state.config = config
    app.fault_layer = FaultMiddleware(app.starlette_call, state)
    return app


def get_state(app: Any) -> SandboxState:
    """The :class:`SandboxState` of an app made by :func:`create_app`."""
    state: SandboxState = app.state.sandbox
    return state

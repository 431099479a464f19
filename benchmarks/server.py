"""A fast local GraphQL server for the benchmarks, run in its own process.

It answers any query whose root field is a Relay connection (``edges { cursor node }``,
``pageInfo``) with fabricated data that follows the query's selection set and the types of
``schema.graphql``: every selected field is present (nullable ones included), enums take their
first value, lists hold two items, and the ``description`` of each node is padded so that a page
of 50 nodes weighs about 90 KB. Cursors are offsets written as strings, as Upwork's job search
uses them: ``after: "0"`` is the first node, and ``endCursor`` is the offset of the next page.
The cursor and page size are read from the variables (``pagination_eq`` / ``pagination`` /
top-level ``after`` and ``first``).

The response of each distinct query is compiled once into a byte template; every page is
rendered once and then served from memory, so after a warm-up run the server only looks up
bytes. A minimal HTTP/1.1 keep-alive server on :mod:`asyncio` keeps per-request overhead in the
tens of microseconds, far below the client's cost (see ``measure_server`` in ``run.py``).

Routes (POST unless noted):

- ``/graphql`` and ``/graphql/<N>``: the connection has ``N`` nodes (default ``--total-nodes``).
- ``/token``: an OAuth2 token endpoint that hands out ``bench-<n>`` access tokens after
  ``--token-delay-ms`` milliseconds and counts its calls.
- ``GET /stats``: JSON counters (GraphQL requests, token calls, requests per bearer token).
- ``/reset``: reset the counters.

Run ``python -m benchmarks.server`` directly, or use :class:`BenchServer` from a parent process.
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    parse,
)

_loads = orjson.loads
_dumps = orjson.dumps

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = REPO_ROOT / "schema.graphql"
DEFAULT_EDGE_BYTES = 1880  # 50 edges ~ 90 KB
PAGE_CACHE_LIMIT = 1 << 30  # bytes of rendered pages kept in memory

# Placeholders in the fabricated response, replaced per page or per node.
_ID = "\x00ID\x00"
_CURSOR = "\x00CURSOR\x00"
_EDGES = "\x00EDGES\x00"
_END_CURSOR = "\x00ENDCURSOR\x00"
_START_CURSOR = "\x00STARTCURSOR\x00"
_HAS_NEXT = "\x00HASNEXT\x00"
_HAS_PREV = "\x00HASPREV\x00"
_TOTAL = "\x00TOTAL\x00"
_DESC = "\x00DESC\x00"


# --------------------------------------------------------------------------------------------
# Fabricating data from a query and the schema
# --------------------------------------------------------------------------------------------


def _scalar_value(scalar: GraphQLScalarType, field_name: str, in_node: bool) -> Any:
    name = scalar.name
    lowered = field_name.lower()
    if name == "ID" or (name == "String" and lowered == "id"):
        return _ID if in_node else "1"
    if name == "String":
        if lowered == "description" and in_node:
            return _DESC
        if "datetime" in lowered or lowered.endswith("date"):
            return "2026-11-25T10:00:00.000Z"
        if lowered == "ciphertext":
            return "~01" + _ID if in_node else "~011"
        return _STRINGS.get(field_name, f"{field_name} text")
    if name == "Int":
        return 3
    if name == "Float":
        return 12.5
    if name == "Boolean":
        return True
    # Custom scalars: dates as ISO strings, long numbers as integers, anything else a string.
    lname = name.lower()
    if "date" in lname or "time" in lname:
        return "2026-11-25T10:00:00.000Z" if "time" in lname else "2026-11-25"
    if lname in {"long", "bigint", "biginteger", "int64"}:
        return 1700000000000
    if lname in {"json", "jsonobject", "map", "object"}:
        return {}
    if lname in {"decimal", "bigdecimal", "money", "float64"}:
        return "125.50"
    return _STRINGS.get(field_name, "DEFAULT")


# Plausible values for common field names (shorter and more realistic than "<name> text").
_STRINGS = {
    "title": "Senior Python developer for an async GraphQL client",
    "rawValue": "125.5",
    "currency": "USD",
    "displayValue": "$125.50",
    "city": "Berlin",
    "country": "Germany",
    "timezone": "UTC+01:00",
    "name": "Python",
    "prettyName": "Python",
    "category": "Web, Mobile & Software Dev",
    "subcategory": "Web Development",
    "durationLabel": "1 to 3 months",
    "engagement": "Less than 30 hrs/week",
    "recordNumber": "40187",
    "companyName": "Acme Robotics",
    "experienceLevel": "EXPERT",
    "hourlyBudgetType": "DEFAULT",
    "verificationStatus": "VERIFIED",
    "firstName": "Ada",
    "lastName": "Lovelace",
}


@dataclass
class _Ctx:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    connection_claimed: bool = False
    edge_template: Any = None


def _collect_fields(
    ctx: _Ctx, selection_set: SelectionSetNode, type_name: str, abstract_names: set[str]
) -> list[FieldNode]:
    """Flatten fragments that apply to ``type_name`` (or to one of its abstract types)."""
    out: list[FieldNode] = []
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition.name.value if sel.type_condition else type_name
            if cond == type_name or cond in abstract_names:
                out.extend(_collect_fields(ctx, sel.selection_set, type_name, abstract_names))
        elif isinstance(sel, FragmentSpreadNode):
            frag = ctx.fragments[sel.name.value]
            cond = frag.type_condition.name.value
            if cond == type_name or cond in abstract_names:
                out.extend(_collect_fields(ctx, frag.selection_set, type_name, abstract_names))
    return out


def _is_connection(fields: list[FieldNode]) -> bool:
    return any(f.name.value == "edges" for f in fields)


def _fabricate_object(
    ctx: _Ctx,
    named: GraphQLNamedType,
    selection_set: SelectionSetNode,
    in_node: bool,
) -> dict[str, Any]:
    abstract_names: set[str] = set()
    concrete: GraphQLObjectType
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        possible = ctx.schema.get_possible_types(named)
        concrete = possible[0]
        abstract_names.add(named.name)
    else:
        assert isinstance(named, GraphQLObjectType)
        concrete = named
    abstract_names.update(i.name for i in concrete.interfaces)
    unions = [
        t.name
        for t in ctx.schema.type_map.values()
        if isinstance(t, GraphQLUnionType) and concrete in t.types
    ]
    abstract_names.update(unions)
    fields = _collect_fields(ctx, selection_set, concrete.name, abstract_names)

    if _is_connection(fields) and not ctx.connection_claimed and not in_node:
        ctx.connection_claimed = True
        return _fabricate_connection(ctx, concrete, fields)

    out: dict[str, Any] = {}
    for f in fields:
        key = _response_key(f)
        if f.name.value == "__typename":
            out[key] = concrete.name
            continue
        fdef = concrete.fields[f.name.value]
        out[key] = _fabricate_value(ctx, fdef.type, f, in_node)
    return out


def _fabricate_connection(
    ctx: _Ctx, concrete: GraphQLObjectType, fields: list[FieldNode]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        key = _response_key(f)
        name = f.name.value
        if name == "__typename":
            out[key] = concrete.name
        elif name == "totalCount":
            out[key] = _TOTAL
        elif name == "edges":
            edge_type = _unwrap(concrete.fields["edges"].type)
            assert f.selection_set is not None
            ctx.edge_template = _fabricate_edge(ctx, edge_type, f.selection_set)
            out[key] = _EDGES
        elif name == "pageInfo":
            info_type = _unwrap(concrete.fields["pageInfo"].type)
            assert isinstance(info_type, GraphQLObjectType)
            assert f.selection_set is not None
            info: dict[str, Any] = {}
            for pf in _collect_fields(ctx, f.selection_set, info_type.name, set()):
                pkey = _response_key(pf)
                pinfo = {
                    "hasNextPage": _HAS_NEXT,
                    "hasPreviousPage": _HAS_PREV,
                    "endCursor": _END_CURSOR,
                    "startCursor": _START_CURSOR,
                    "__typename": info_type.name,
                }
                if pf.name.value in pinfo:
                    info[pkey] = pinfo[pf.name.value]
                else:
                    info[pkey] = _fabricate_value(
                        ctx, info_type.fields[pf.name.value].type, pf, False
                    )
            out[key] = info
        else:
            out[key] = _fabricate_value(ctx, concrete.fields[name].type, f, False)
    return out


def _fabricate_edge(
    ctx: _Ctx, edge_type: GraphQLNamedType, selection_set: SelectionSetNode
) -> dict[str, Any]:
    assert isinstance(edge_type, GraphQLObjectType)
    out: dict[str, Any] = {}
    for f in _collect_fields(ctx, selection_set, edge_type.name, set()):
        key = _response_key(f)
        name = f.name.value
        if name == "__typename":
            out[key] = edge_type.name
        elif name == "cursor":
            out[key] = _CURSOR
        else:
            out[key] = _fabricate_value(ctx, edge_type.fields[name].type, f, True)
    return out


def _response_key(f: FieldNode) -> str:
    """The key a selected field has in the response: its alias, else its name."""
    return f.alias.value if f.alias else f.name.value


def _unwrap(t: GraphQLOutputType) -> GraphQLNamedType:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    assert isinstance(t, GraphQLNamedType)
    return t


def _fabricate_value(ctx: _Ctx, t: GraphQLOutputType, f: FieldNode, in_node: bool) -> Any:
    if isinstance(t, GraphQLNonNull):
        return _fabricate_value(ctx, t.of_type, f, in_node)
    if isinstance(t, GraphQLList):
        item = _fabricate_value(ctx, t.of_type, f, in_node)
        return [item, item]
    if isinstance(t, GraphQLScalarType):
        return _scalar_value(t, f.name.value, in_node)
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    assert f.selection_set is not None, f"{f.name.value} needs a selection set"
    assert isinstance(t, GraphQLNamedType)
    return _fabricate_object(ctx, t, f.selection_set, in_node)


def _split(template_json: str, markers: tuple[str, ...]) -> list[str | int]:
    """Split a JSON text into literal pieces and marker indexes (markers are JSON strings)."""
    encoded = {json.dumps(m): i for i, m in enumerate(markers)}
    pieces: list[str | int] = []
    rest = template_json
    while True:
        best: tuple[int, str] | None = None
        for enc in encoded:
            pos = rest.find(enc)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, enc)
        if best is None:
            pieces.append(rest)
            return pieces
        pos, enc = best
        pieces.append(rest[:pos])
        pieces.append(encoded[enc])
        rest = rest[pos + len(enc) :]


def _fill(pieces: list[str | int], values: tuple[str, ...]) -> str:
    return "".join(values[p] if isinstance(p, int) else p for p in pieces)


# Markers replaced inside a marker JSON string ("~01\x00ID\x00") need a second, inner pass.
def _inner_id(text: str) -> str:
    return text.replace(json.dumps(_ID)[1:-1], "\x01ID\x01")


@dataclass
class QueryTemplate:
    """The compiled response of one query: page pieces and edge pieces."""

    page_pieces: list[str | int]
    edge_pieces: list[str | int]
    pages: dict[tuple[int, int, int], bytes] = field(default_factory=dict)


def compile_query(
    schema: GraphQLSchema, query: str, operation_name: str | None, edge_bytes: int
) -> QueryTemplate:
    document: DocumentNode = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if o.name and o.name.value == operation_name), operations[0]
    )
    ctx = _Ctx(schema=schema, fragments=fragments)
    query_type = schema.query_type
    assert query_type is not None
    data = _fabricate_object(ctx, query_type, operation.selection_set, in_node=False)
    if ctx.edge_template is None:
        raise ValueError("the query selects no connection (edges { cursor node })")

    page_json = json.dumps({"data": data}, separators=(",", ":"))
    page_pieces = _split(
        page_json, (_EDGES, _END_CURSOR, _START_CURSOR, _HAS_NEXT, _HAS_PREV, _TOTAL)
    )
    edge_json = json.dumps(ctx.edge_template, separators=(",", ":"))
    # Pad the description to the target edge size.
    base = len(edge_json.replace(json.dumps(_DESC), '""'))
    pad_len = max(0, edge_bytes - base)
    words = "Build an async, typed GraphQL client with pagination and retries. "
    padding = (words * (pad_len // len(words) + 1))[:pad_len]
    edge_json = edge_json.replace(json.dumps(_DESC), json.dumps(padding))
    # The id marker may sit inside a longer string ("~01<id>"): normalise to a standalone marker.
    edge_json = edge_json.replace(json.dumps(_ID), '"\x01ID\x01"')
    edge_json = _inner_id(edge_json)
    edge_json = edge_json.replace(json.dumps(_CURSOR), '"\x01CURSOR\x01"')
    edge_pieces: list[str | int] = []
    for chunk in edge_json.split("\x01"):
        if chunk == "ID":
            edge_pieces.append(0)
        elif chunk == "CURSOR":
            edge_pieces.append(1)
        else:
            edge_pieces.append(chunk)
    return QueryTemplate(page_pieces=page_pieces, edge_pieces=edge_pieces)


def render_page(tpl: QueryTemplate, after: int, first: int, total: int) -> bytes:
    key = (after, first, total)
    cached = tpl.pages.get(key)
    if cached is not None:
        return cached
    end = min(after + first, total)
    edges = ",".join(
        _fill(tpl.edge_pieces, (str(i), str(i + 1))) for i in range(after, max(after, end))
    )
    has_next = end < total
    values = (
        "[" + edges + "]",
        f'"{end}"' if end > after else "null",
        f'"{after}"' if end > after else "null",
        "true" if has_next else "false",
        "true" if after > 0 else "false",
        str(total),
    )
    body = _fill(tpl.page_pieces, values).encode()
    if _Server.cached_bytes + len(body) <= PAGE_CACHE_LIMIT:
        tpl.pages[key] = body
        _Server.cached_bytes += len(body)
    return body


def _page_args(variables: Any) -> tuple[int, int]:
    """Find ``after`` / ``first`` in the variables (top level first, then nested inputs)."""
    stack = [variables]
    while stack:
        v = stack.pop(0)
        if isinstance(v, dict):
            if "after" in v or "first" in v:
                after = v.get("after")
                first = v.get("first")
                return (int(after) if after not in (None, "") else 0, int(first or 50))
            stack.extend(v.values())
    return 0, 50


# --------------------------------------------------------------------------------------------
# The HTTP/1.1 server
# --------------------------------------------------------------------------------------------


class _Server:
    cached_bytes = 0

    def __init__(self, schema: GraphQLSchema, total: int, edge_bytes: int, token_delay: float):
        self.schema = schema
        self.total = total
        self.edge_bytes = edge_bytes
        self.token_delay = token_delay
        self.templates: dict[str, QueryTemplate] = {}
        self.graphql_calls = 0
        self.token_calls = 0
        self.by_token: dict[str, int] = {}
        self.request_id = 0

    def graphql(self, path: str, body: bytes, authorization: str | None) -> tuple[int, bytes]:
        self.graphql_calls += 1
        if authorization:
            token = authorization.removeprefix("Bearer ").removeprefix("bearer ")
            self.by_token[token] = self.by_token.get(token, 0) + 1
        payload = _loads(body)
        query: str = payload["query"]
        tpl = self.templates.get(query)
        if tpl is None:
            try:
                tpl = compile_query(
                    self.schema, query, payload.get("operationName"), self.edge_bytes
                )
            except Exception as exc:
                err = {"errors": [{"message": f"bench server: {type(exc).__name__}: {exc}"}]}
                return 200, _dumps(err)
            self.templates[query] = tpl
        after, first = _page_args(payload.get("variables") or {})
        total = self.total
        tail = path.rsplit("/", 1)[-1]
        if tail.isdigit():
            total = int(tail)
        return 200, render_page(tpl, after, first, total)

    def token(self) -> bytes:
        self.token_calls += 1
        return _dumps(
            {
                "access_token": f"bench-{self.token_calls}",
                "refresh_token": f"bench-refresh-{self.token_calls}",
                "token_type": "Bearer",
                "expires_in": 86400,
            }
        )

    def stats(self) -> bytes:
        return _dumps(
            {
                "graphql_calls": self.graphql_calls,
                "token_calls": self.token_calls,
                "by_token": self.by_token,
                "templates": len(self.templates),
                "cached_bytes": _Server.cached_bytes,
            }
        )

    def reset(self) -> None:
        self.graphql_calls = 0
        self.token_calls = 0
        self.by_token = {}


_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 500: b"Internal Server Error"}


class _Conn(asyncio.Protocol):
    def __init__(self, server: _Server) -> None:
        self.server = server
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.pending: tuple[str, str, dict[bytes, bytes], int] | None = None

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
        self.server.request_id += 1
        head = (
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"vnd.eo.request-id: bench-%d\r\n%s\r\n"
            % (
                status,
                _REASONS.get(status, b"OK"),
                len(body),
                self.server.request_id,
                b"connection: close\r\n" if close else b"",
            )
        )
        transport.write(head)
        transport.write(body)
        if close:
            transport.close()

    def handle(self, method: str, target: str, headers: dict[bytes, bytes], body: bytes) -> None:
        path = target.split("?", 1)[0]
        close = headers.get(b"connection", b"").lower() == b"close"
        srv = self.server
        try:
            if path.startswith("/graphql") and method == "POST":
                auth = headers.get(b"authorization")
                status, out = srv.graphql(path, body, auth.decode("latin-1") if auth else None)
                self.respond(status, out, close)
            elif path == "/token" and method == "POST":
                out = srv.token()
                if srv.token_delay > 0:
                    loop = asyncio.get_running_loop()
                    loop.call_later(srv.token_delay, self.respond, 200, out, close)
                else:
                    self.respond(200, out, close)
            elif path == "/stats":
                self.respond(200, srv.stats(), close)
            elif path == "/reset":
                srv.reset()
                self.respond(200, b"{}", close)
            else:
                self.respond(404, b'{"error":"not found"}', close)
        except Exception as exc:  # keep serving; report the failure to the client
            self.respond(500, _dumps({"error": f"{type(exc).__name__}: {exc}"}), close)


async def serve(
    host: str, port: int, schema: GraphQLSchema, total: int, edge_bytes: int, token_delay: float
) -> None:
    srv = _Server(schema, total, edge_bytes, token_delay)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Conn(srv), host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"READY {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Exit when the parent closes our stdin (or dies), so no server outlives its benchmark.
    threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()
    async with server:
        await stop.wait()


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stop.set)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    p.add_argument("--total-nodes", type=int, default=10_000)
    p.add_argument("--edge-bytes", type=int, default=DEFAULT_EDGE_BYTES)
    p.add_argument("--token-delay-ms", type=float, default=20.0)
    a = p.parse_args(argv)
    schema = build_schema(a.schema.read_text())
    asyncio.run(serve(a.host, a.port, schema, a.total_nodes, a.edge_bytes, a.token_delay_ms / 1000))


# --------------------------------------------------------------------------------------------
# Parent-side helper
# --------------------------------------------------------------------------------------------


class BenchServer:
    """Start the server in a child process; ``url``, ``token_url`` and ``stats()`` talk to it.

    >>> with BenchServer(total_nodes=10_000) as srv:
    ...     srv.graphql_url(200 * 50)  # a connection of 10,000 nodes
    """

    def __init__(
        self,
        *,
        total_nodes: int = 10_000,
        schema: Path = DEFAULT_SCHEMA,
        edge_bytes: int = DEFAULT_EDGE_BYTES,
        token_delay_ms: float = 20.0,
        startup_timeout: float = 30.0,
    ) -> None:
        self.args = [
            "--total-nodes",
            str(total_nodes),
            "--schema",
            str(schema),
            "--edge-bytes",
            str(edge_bytes),
            "--token-delay-ms",
            str(token_delay_ms),
        ]
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def graphql_url(self, total_nodes: int) -> str:
        """URL of a connection holding exactly ``total_nodes`` nodes."""
        return f"{self.base_url}/graphql/{total_nodes}"

    def start(self) -> BenchServer:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=env,
        )
        assert self.proc.stdout is not None
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(self.startup_timeout)
        if not line or not line[0].startswith(b"READY "):
            self.stop()
            raise RuntimeError(f"bench server did not start: {line!r}")
        self.port = int(line[0].split()[1])
        return self

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        self.proc = None
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


@contextlib.contextmanager
def bench_server(**kwargs: Any) -> Iterator[BenchServer]:
    """Context-manager shorthand for :class:`BenchServer`."""
    with BenchServer(**kwargs) as srv:
        yield srv


if __name__ == "__main__":
    main()

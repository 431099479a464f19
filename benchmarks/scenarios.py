"""The clients under comparison. Each one walks a whole connection and counts its nodes.

A scenario is opened once (clients built, connections warmed up), then ``walk(url)`` is timed:
one complete pagination over the connection served at ``url``. Every scenario touches every
node, and sends the same document and variables (gql re-prints the document, as it always does).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from benchmarks.operation import Operation, snake

PAGE_SIZE = 50
BENCH_TOKEN = "bench"
HEADERS = {"Authorization": f"Bearer {BENCH_TOKEN}"}


class Scenario:
    name = "?"
    note = ""

    def __init__(self, op: Operation) -> None:
        self.op = op

    async def open(self, urls: list[str]) -> None:
        """Build clients for every URL used by the shapes and warm them up."""

    async def walk(self, url: str) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        """Close whatever ``open`` built."""


def _limits() -> httpx.Limits:
    return httpx.Limits(max_connections=100, max_keepalive_connections=100)


class BareHttpx(Scenario):
    """Baseline: httpx.AsyncClient + json.loads, dicts all the way."""

    name = "httpx + json (baseline)"
    note = "untyped dicts"

    def __init__(self, op: Operation) -> None:
        super().__init__(op)
        self.http: httpx.AsyncClient | None = None

    async def open(self, urls: list[str]) -> None:
        self.http = httpx.AsyncClient(headers=HEADERS, limits=_limits())

    async def _post(self, url: str, payload: dict[str, Any]) -> Any:
        assert self.http is not None
        r = await self.http.post(url, json=payload)
        r.raise_for_status()
        return json.loads(r.content)

    async def walk(self, url: str) -> int:
        op = self.op
        after = "0"
        nodes = 0
        while True:
            payload = {
                "query": op.document,
                "operationName": op.name,
                "variables": op.variables(after, PAGE_SIZE),
            }
            body = await self._post(url, payload)
            conn = body["data"][op.root_key]
            for edge in conn["edges"]:
                if edge["node"] is not None:
                    nodes += 1
            info = conn["pageInfo"]
            if not info["hasNextPage"]:
                return nodes
            after = info["endCursor"]

    async def close(self) -> None:
        if self.http is not None:
            await self.http.aclose()


class BareHttpxOrjson(BareHttpx):
    """The baseline with orjson for both directions."""

    name = "httpx + orjson"

    async def _post(self, url: str, payload: dict[str, Any]) -> Any:
        import orjson

        assert self.http is not None
        r = await self.http.post(
            url, content=orjson.dumps(payload), headers={"Content-Type": "application/json"}
        )
        r.raise_for_status()
        return orjson.loads(r.content)


# --------------------------------------------------------------------------------------------
# Typed, generated clients: walk the result models by their snake_case attribute names
# --------------------------------------------------------------------------------------------


def _walk_result(conn: Any) -> tuple[int, bool, str | None]:
    nodes = 0
    for edge in conn.edges or ():
        if edge is not None and edge.node is not None:
            nodes += 1
    info = conn.page_info
    return nodes, bool(info.has_next_page), info.end_cursor


async def _walk_pages(method: Callable[..., Any], build: Callable[..., Any], root_attr: str) -> int:
    """Call a generated method page by page to the end; return how many nodes came back."""
    after = "0"
    nodes = 0
    while True:
        result = await method(**build(after, PAGE_SIZE))
        n, has_next, end = _walk_result(getattr(result, root_attr))
        nodes += n
        if not has_next:
            return nodes
        assert end is not None
        after = end


def _input_builder(method: Callable[..., Any], op: Operation, models: Any) -> Callable[..., Any]:
    """Build the keyword arguments of a generated method from (after, first)."""
    params = inspect.signature(method).parameters
    if op.filter_var is not None:
        arg = snake(op.filter_var)
        if arg not in params:
            raise LookupError(f"{method.__qualname__} has no argument {arg}")
        model = getattr(models, op.filter_type or "", None)

        def build_filter(after: str, first: int) -> dict[str, Any]:
            value: Any = {"pagination_eq": {"after": after, "first": first}}
            if model is not None:
                value = model.model_validate(value)
            return {arg: value}

        return build_filter
    if op.pagination_var is not None:
        arg = snake(op.pagination_var)
        model = getattr(models, "Pagination", None)

        def build_pagination(after: str, first: int) -> dict[str, Any]:
            value: Any = {"after": after, "first": first}
            if model is not None:
                value = model.model_validate(value)
            return {arg: value}

        return build_pagination
    return lambda after, first: {"after": after, "first": first}


class AriadneCodegenPeer(Scenario):
    """A plain ariadne-codegen client generated from the same operation (default base client)."""

    name = "ariadne-codegen client (plain)"
    note = "typed; default httpx base client"

    def __init__(self, op: Operation, package: ModuleType) -> None:
        super().__init__(op)
        self.package = package
        self.clients: dict[str, Any] = {}

    async def open(self, urls: list[str]) -> None:
        import importlib

        client_cls = self.package.Client
        inputs = importlib.import_module(self.package.__name__ + ".input_types")
        for url in urls:
            http = httpx.AsyncClient(headers=HEADERS, limits=_limits())
            self.clients[url] = client_cls(url=url, http_client=http)
        method = getattr(next(iter(self.clients.values())), self.op.method_name)
        self.build = _input_builder(method, self.op, inputs)

    async def walk(self, url: str) -> int:
        method = getattr(self.clients[url], self.op.method_name)
        return await _walk_pages(method, self.build, snake(self.op.root_key))

    async def close(self) -> None:
        for c in self.clients.values():
            await c.http_client.aclose()


class Gql(Scenario):
    """gql 4 with its httpx transport: without a schema, or validating against schema.graphql."""

    def __init__(self, op: Operation, schema: Path | None) -> None:
        super().__init__(op)
        self.schema_text = schema.read_text() if schema is not None else None
        self.name = "gql 4 + local schema" if schema else "gql 4 (no schema)"
        self.note = "untyped dicts; validates each request" if schema else "untyped dicts"
        self.sessions: dict[str, Any] = {}
        self.clients: list[Any] = []

    async def open(self, urls: list[str]) -> None:
        from gql import Client, gql
        from gql.transport.httpx import HTTPXAsyncTransport

        self.request = gql(self.op.document)
        for url in urls:
            transport = HTTPXAsyncTransport(url=url, headers=HEADERS, limits=_limits())
            client = Client(transport=transport, schema=self.schema_text, execute_timeout=60)
            self.sessions[url] = await client.connect_async()  # type: ignore[no-untyped-call]
            self.clients.append(client)

    async def walk(self, url: str) -> int:
        from gql import GraphQLRequest

        session = self.sessions[url]
        op = self.op
        after = "0"
        nodes = 0
        while True:
            req = GraphQLRequest(
                self.request,
                variable_values=op.variables(after, PAGE_SIZE),
                operation_name=op.name,
            )
            data = await session.execute(req)
            conn = data[op.root_key]
            for edge in conn["edges"]:
                if edge["node"] is not None:
                    nodes += 1
            info = conn["pageInfo"]
            if not info["hasNextPage"]:
                return nodes
            after = info["endCursor"]

    async def close(self) -> None:
        for client in self.clients:
            await client.close_async()


# --------------------------------------------------------------------------------------------
# Ours
# --------------------------------------------------------------------------------------------


def make_upwork_client(url: str, **overrides: Any) -> Any:
    """An UpworkClient pointed at the bench server, without the requests-per-second budget.

    The token bucket protects Upwork's API (10 requests/s); against a local server it would
    measure the budget, not the client. Everything else keeps its default (retries, timeouts,
    the concurrency cap of the rate limiter).
    """
    try:
        from upwork_gql import UpworkClient
    except ImportError:  # the public surface is not wired yet
        from upwork_gql._client import UpworkClient

    params = inspect.signature(UpworkClient).parameters
    wanted: dict[str, Any] = {"access_token": BENCH_TOKEN, "rate_limit": None}
    wanted["url" if "url" in params else "api_url"] = url
    wanted.update(overrides)
    missing = [k for k in wanted if k not in params]
    if missing:
        raise TypeError(f"UpworkClient() does not take {', '.join(missing)}")
    return UpworkClient(**wanted)


class OurClientLoop(Scenario):
    """UpworkClient, calling the generated method page by page (no paginator)."""

    name = "upwork-gql client (method loop)"
    note = "typed"

    def __init__(self, op: Operation) -> None:
        super().__init__(op)
        self.clients: dict[str, Any] = {}

    async def open(self, urls: list[str]) -> None:
        import importlib

        models = importlib.import_module("upwork_gql._generated.input_types")
        for url in urls:
            client = make_upwork_client(url)
            await client.__aenter__()
            self.clients[url] = client
        method = getattr(next(iter(self.clients.values())), self.op.method_name)
        self.build = _input_builder(method, self.op, models)

    async def walk(self, url: str) -> int:
        method = getattr(self.clients[url], self.op.method_name)
        return await _walk_pages(method, self.build, snake(self.op.root_key))

    async def close(self) -> None:
        for c in self.clients.values():
            await c.__aexit__(None, None, None)


class OurPaginator(OurClientLoop):
    """UpworkClient's paginator: ``async for node in client.paginate_<operation>(...)``."""

    name = "upwork-gql paginator"
    note = "typed nodes"

    def _paginator(self, url: str) -> Any:
        client = self.clients[url]
        factory = getattr(client, f"paginate_{self.op.method_name}", None)
        if factory is None:
            factory = getattr(client, self.op.method_name).paginate
        return factory(page_size=PAGE_SIZE)

    async def open(self, urls: list[str]) -> None:
        await super().open(urls)
        self._paginator(urls[0])  # fail early when there is no paginator

    async def walk(self, url: str) -> int:
        nodes = 0
        async for node in self._paginator(url):
            if node is not None:
                nodes += 1
        return nodes


# --------------------------------------------------------------------------------------------
# Registry: every client by a short key (the worker processes build them by key)
# --------------------------------------------------------------------------------------------

SCENARIO_KEYS = ("baseline", "orjson", "paginator", "loop", "peer", "gql", "gql-schema")


def scenario_title(key: str) -> str:
    """The table label of a scenario, without building it."""
    return {
        "baseline": BareHttpx.name,
        "orjson": BareHttpxOrjson.name,
        "paginator": OurPaginator.name,
        "loop": OurClientLoop.name,
        "peer": AriadneCodegenPeer.name,
        "gql": "gql 4 (no schema)",
        "gql-schema": "gql 4 + local schema",
    }[key]


def build_scenario(key: str, op: Operation, schema: Path) -> Scenario:
    if key == "baseline":
        return BareHttpx(op)
    if key == "orjson":
        return BareHttpxOrjson(op)
    if key == "paginator":
        return OurPaginator(op)
    if key == "loop":
        return OurClientLoop(op)
    if key == "peer":
        from benchmarks.peer import load_peer

        return AriadneCodegenPeer(op, load_peer())
    if key == "gql":
        return Gql(op, None)
    if key == "gql-schema":
        return Gql(op, schema)
    raise LookupError(f"unknown scenario {key!r}")

"""The clients under comparison. Each one walks a connection and counts its nodes.

A scenario is built from a :class:`Spec` (plain data that ``run.py`` takes from the operation
registry, so that a worker process imports only what its client needs: the baseline's process
never imports upwork-gql or pydantic). ``setup()`` does what an application does before its
first request (imports, client construction, a typed input module imported at the top of a
module); ``walk(start)`` is one complete pagination from ``after=str(start)`` to the end, and is
what the worker times.

Every client sends the same document (gql prints its parsed copy of it) and the same variables,
and reads the same response bytes.
"""

from __future__ import annotations

import importlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PAGE_SIZE = 50
BENCH_TOKEN = "bench"
HEADERS = {"Authorization": f"Bearer {BENCH_TOKEN}"}


@dataclass(frozen=True)
class Spec:
    """The benchmarked operation as plain data (see ``benchmarks.operation``)."""

    name: str
    document: str
    method: str  # the generated method (ours and the peer's)
    root_key: str  # the connection under ``data``
    root_attr: str  # the connection's attribute on the result model
    cursor_path: tuple[str, ...]  # variables -> {after, first}
    filter_argument: str  # the generated method's argument for cursor_path[0]
    filter_type: str  # its input type
    schema: str  # schema.graphql (gql with a schema)
    peer_root: str  # where the plain ariadne-codegen client was generated
    peer_package: str

    def filter_value(self, after: str, first: int) -> dict[str, Any]:
        value: dict[str, Any] = {"after": after, "first": first}
        for key in reversed(self.cursor_path[1:]):
            value = {key: value}
        return value

    def variables(self, after: str, first: int) -> dict[str, Any]:
        return {self.cursor_path[0]: self.filter_value(after, first)}

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, text: str) -> Spec:
        data = json.loads(text)
        data["cursor_path"] = tuple(data["cursor_path"])
        return cls(**data)


class Scenario:
    name = "?"
    note = ""

    def __init__(self, spec: Spec, url: str) -> None:
        self.spec = spec
        self.url = url
        self.first_page: float | None = None  # when a walk had its first page in hand

    def _mark(self) -> None:
        if self.first_page is None:
            self.first_page = time.perf_counter()

    async def setup(self) -> None:
        """Build the client (not timed)."""

    async def page(self, start: int) -> None:
        """Fetch the first page of the walk from ``start`` (the warm-up of ``steady``)."""
        raise NotImplementedError

    async def walk(self, start: int) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        """Close what ``setup`` built."""


def _limits() -> Any:
    import httpx

    return httpx.Limits(max_connections=100, max_keepalive_connections=100)


class BareHttpx(Scenario):
    """The baseline: ``httpx.AsyncClient.post(json=...)`` and ``json.loads``, dicts all the way."""

    name = "httpx + json.loads (baseline)"
    note = "untyped dicts"

    async def setup(self) -> None:
        import httpx

        self.http = httpx.AsyncClient(headers=HEADERS, limits=_limits())

    async def _post(self, payload: dict[str, Any]) -> Any:
        r = await self.http.post(self.url, json=payload)
        r.raise_for_status()
        return json.loads(r.content)

    def _payload(self, after: str) -> dict[str, Any]:
        spec = self.spec
        return {
            "query": spec.document,
            "operationName": spec.name,
            "variables": spec.variables(after, PAGE_SIZE),
        }

    async def page(self, start: int) -> None:
        await self._post(self._payload(str(start)))

    async def walk(self, start: int) -> int:
        spec = self.spec
        after = str(start)
        nodes = 0
        while True:
            body = await self._post(self._payload(after))
            if body.get("errors"):
                raise RuntimeError(body["errors"])
            conn = body["data"][spec.root_key]
            for edge in conn["edges"]:
                if edge["node"] is not None:
                    nodes += 1
            self._mark()
            info = conn["pageInfo"]
            if not info["hasNextPage"]:
                return nodes
            after = info["endCursor"]

    async def close(self) -> None:
        await self.http.aclose()


class BareHttpxOrjson(BareHttpx):
    """The baseline with orjson both ways."""

    name = "httpx + orjson"

    async def setup(self) -> None:
        import orjson

        await super().setup()
        self.dumps = orjson.dumps
        self.loads = orjson.loads

    async def _post(self, payload: dict[str, Any]) -> Any:
        r = await self.http.post(
            self.url, content=self.dumps(payload), headers={"Content-Type": "application/json"}
        )
        r.raise_for_status()
        return self.loads(r.content)


def _count(conn: Any) -> tuple[int, bool, str | None]:
    nodes = 0
    for edge in conn.edges or ():
        if edge is not None and edge.node is not None:
            nodes += 1
    info = conn.page_info
    return nodes, bool(info.has_next_page), info.end_cursor


class OurPaginator(Scenario):
    """``async for node in client.paginate_<operation>(page_size=50)``."""

    name = "upwork-gql paginator"
    note = "typed nodes"

    async def setup(self) -> None:
        from upwork_gql import UpworkClient

        self.client = UpworkClient(url=self.url, access_token=BENCH_TOKEN, rate_limit=None)
        self.paginate = getattr(self.client, f"paginate_{self.spec.method}")

    async def page(self, start: int) -> None:
        await self.paginate(page_size=PAGE_SIZE, after=str(start))

    async def walk(self, start: int) -> int:
        nodes = 0
        async for node in self.paginate(page_size=PAGE_SIZE, after=str(start)):
            if node is not None:
                nodes += 1
            if self.first_page is None:
                self._mark()
        return nodes

    async def close(self) -> None:
        await self.client.aclose()


class OurPaginatorNoPause(OurPaginator):
    """The paginator with ``pause_gc=False``: the collector left alone during validation."""

    name = "upwork-gql paginator, pause_gc=False"
    note = "typed nodes; the collector never paused"

    async def setup(self) -> None:
        from upwork_gql import UpworkClient

        self.client = UpworkClient(
            url=self.url, access_token=BENCH_TOKEN, rate_limit=None, pause_gc=False
        )
        self.paginate = getattr(self.client, f"paginate_{self.spec.method}")


class OurPaginatorWithoutOrjson(OurPaginator):
    """The paginator where orjson cannot be imported (a default install, without the extra)."""

    name = "upwork-gql paginator, without orjson"
    note = "typed nodes; pydantic decodes the bytes"

    async def setup(self) -> None:
        import sys

        sys.modules["orjson"] = None  # type: ignore[assignment]  # as if not installed
        await super().setup()


class _TypedLoop(Scenario):
    """A generated client's method called page by page with a typed filter."""

    client: Any
    inputs: Any

    async def page(self, start: int) -> None:
        spec = self.spec
        make_filter = getattr(self.inputs, spec.filter_type).model_validate
        method = getattr(self.client, spec.method)
        value = make_filter(spec.filter_value(str(start), PAGE_SIZE))
        await method(**{spec.filter_argument: value})

    async def walk(self, start: int) -> int:
        spec = self.spec
        method = getattr(self.client, spec.method)
        make_filter = getattr(self.inputs, spec.filter_type).model_validate
        after = str(start)
        nodes = 0
        while True:
            result = await method(
                **{spec.filter_argument: make_filter(spec.filter_value(after, PAGE_SIZE))}
            )
            count, has_next, end = _count(getattr(result, spec.root_attr))
            nodes += count
            self._mark()
            if not has_next:
                return nodes
            assert end is not None
            after = end


class OurMethodLoop(_TypedLoop):
    """``await client.<operation>(filter)`` page by page (no paginator)."""

    name = "upwork-gql method, page by page"
    note = "typed"

    async def setup(self) -> None:
        from upwork_gql import UpworkClient, types

        self.inputs = types
        self.client = UpworkClient(url=self.url, access_token=BENCH_TOKEN, rate_limit=None)

    async def close(self) -> None:
        await self.client.aclose()


class AriadneCodegenPeer(_TypedLoop):
    """The same documents through a plain ariadne-codegen client (default settings)."""

    name = "plain ariadne-codegen client"
    note = "typed; ariadne-codegen's own base client"

    async def setup(self) -> None:
        import sys

        import httpx

        root = Path(self.spec.peer_root)
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        package = importlib.import_module(self.spec.peer_package)
        self.inputs = importlib.import_module(f"{self.spec.peer_package}.input_types")
        self.http = httpx.AsyncClient(headers=HEADERS, limits=_limits())
        self.client = package.Client(url=self.url, http_client=self.http)

    async def close(self) -> None:
        await self.http.aclose()


class Gql(Scenario):
    """gql 4 with its httpx transport, without a schema or validating against schema.graphql."""

    def __init__(self, spec: Spec, url: str, with_schema: bool) -> None:
        super().__init__(spec, url)
        self.with_schema = with_schema
        self.name = "gql 4 + local schema" if with_schema else "gql 4 (no schema)"
        self.note = "untyped dicts; validates each request" if with_schema else "untyped dicts"

    async def setup(self) -> None:
        from gql import Client, gql
        from gql.transport.httpx import HTTPXAsyncTransport

        schema = Path(self.spec.schema).read_text() if self.with_schema else None  # noqa: ASYNC240
        self.document = gql(self.spec.document)
        transport = HTTPXAsyncTransport(url=self.url, headers=HEADERS, limits=_limits())
        self.client = Client(transport=transport, schema=schema, execute_timeout=60)
        self.session = await self.client.connect_async()  # type: ignore[no-untyped-call]

    def _request(self, after: str) -> Any:
        from gql import GraphQLRequest

        return GraphQLRequest(
            self.document,
            variable_values=self.spec.variables(after, PAGE_SIZE),
            operation_name=self.spec.name,
        )

    async def page(self, start: int) -> None:
        await self.session.execute(self._request(str(start)))

    async def walk(self, start: int) -> int:
        spec = self.spec
        after = str(start)
        nodes = 0
        while True:
            data = await self.session.execute(self._request(after))
            conn = data[spec.root_key]
            for edge in conn["edges"]:
                if edge["node"] is not None:
                    nodes += 1
            self._mark()
            info = conn["pageInfo"]
            if not info["hasNextPage"]:
                return nodes
            after = info["endCursor"]

    async def close(self) -> None:
        await self.client.close_async()  # type: ignore[no-untyped-call]


# Short keys, in table order (the first is the baseline every ratio refers to).
SCENARIOS: dict[str, str] = {
    "baseline": BareHttpx.name,
    "orjson": BareHttpxOrjson.name,
    "paginator": OurPaginator.name,
    "paginator-nogc": OurPaginatorNoPause.name,
    "paginator-stdlib": OurPaginatorWithoutOrjson.name,
    "method": OurMethodLoop.name,
    "peer": AriadneCodegenPeer.name,
    "gql": "gql 4 (no schema)",
    "gql-schema": "gql 4 + local schema",
}
OURS = ("paginator", "paginator-nogc", "paginator-stdlib", "method")


def build_scenario(key: str, spec: Spec, url: str) -> Scenario:
    if key == "baseline":
        return BareHttpx(spec, url)
    if key == "orjson":
        return BareHttpxOrjson(spec, url)
    if key == "paginator":
        return OurPaginator(spec, url)
    if key == "paginator-nogc":
        return OurPaginatorNoPause(spec, url)
    if key == "paginator-stdlib":
        return OurPaginatorWithoutOrjson(spec, url)
    if key == "method":
        return OurMethodLoop(spec, url)
    if key == "peer":
        return AriadneCodegenPeer(spec, url)
    if key in ("gql", "gql-schema"):
        return Gql(spec, url, with_schema=key == "gql-schema")
    raise LookupError(f"unknown scenario {key!r}")

"""Generated paginators on UpworkClient, against a respx-mocked API (every connection operation)."""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from _generated_types import registry_paginator_types, type_hints
from pydantic import BaseModel

from upwork_gql._client import UpworkClient
from upwork_gql._constants import TENANT_HEADER
from upwork_gql._exceptions import GraphQLError, InternalServerError, PaginationError
from upwork_gql._generated.client import GeneratedClient
from upwork_gql._generated.client_proposals import (
    ClientProposalsClientProposals,
    ClientProposalsClientProposalsEdgesNode,
)
from upwork_gql._generated.input_types import (
    MarketplaceJobFilter,
    MarketplaceJobPostingsSearchFilter,
    Pagination,
)
from upwork_gql.pagination import AsyncPaginator
from upwork_gql.schema import method_name

URL = "https://api.upwork.test/graphql"
PAGINATE = "paginate_"
PAGINATORS = sorted(n for n in dir(GeneratedClient) if n.startswith(PAGINATE))


# -- fabricate valid responses from the generated models ----------------------------------------


def _sample(annotation: Any) -> Any:
    """A small JSON value that validates against ``annotation`` (a generated model's field type)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _sample(args[0])
    if origin in (typing.Union, types.UnionType):
        non_null = [a for a in args if a is not type(None)]
        objects = [a for a in non_null if isinstance(a, type) and issubclass(a, BaseModel)]
        if objects:  # nested objects are filled in, so flattening has something to flatten
            return sample_model(objects[0])
        if len(non_null) < len(args):
            return None
        return _sample(non_null[0])
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return []
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return sample_model(annotation)
        if issubclass(annotation, enum.Enum):
            return next(iter(annotation)).value
        if issubclass(annotation, bool):
            return False
        if issubclass(annotation, int):
            return 1
        if issubclass(annotation, float):
            return 1.5
        if issubclass(annotation, str):
            return "x"
    return None


def sample_model(model: type[BaseModel]) -> dict[str, Any]:
    return {
        (info.alias or name): _sample(info.annotation) for name, info in model.model_fields.items()
    }


def paginator_types(method: str) -> tuple[type[BaseModel], type[BaseModel]]:
    """(connection model, node model) from the registry entry of a generated paginator."""
    return registry_paginator_types(method)


def edge_model(conn: type[BaseModel]) -> type[BaseModel]:
    annotation = conn.model_fields["edges"].annotation
    while typing.get_args(annotation):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    assert isinstance(annotation, type)
    return annotation


class FakeAPI:
    """Serves ``size`` nodes of every connection operation; cursors are offsets ("k": from k)."""

    def __init__(self, size: int, *, fail: Callable[[int, dict[str, Any]], Any] | None = None):
        self.size = size
        self.fail = fail
        self.requests: list[httpx.Request] = []
        self.bodies: list[dict[str, Any]] = []

    @staticmethod
    def pagination_of(variables: dict[str, Any]) -> dict[str, Any]:
        """The pagination input ``{after, first}``, at whatever depth it was sent."""
        pending = [variables]
        while pending:
            value = pending.pop(0)
            if "first" in value:
                return value
            pending.extend(v for v in value.values() if isinstance(v, dict))
        raise AssertionError(f"no pagination in {variables}")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(request)
        self.bodies.append(body)
        if self.fail is not None:
            failure = self.fail(len(self.requests) - 1, body)
            if failure is not None:
                return failure
        operation = body["operationName"]
        method = PAGINATE + method_name(operation)
        conn_model, node_model = paginator_types(method)
        page = self.pagination_of(body["variables"])
        start = int(page.get("after") or 0)
        stop = min(start + page["first"], self.size)
        edge = sample_model(edge_model(conn_model))
        edges = []
        for i in range(start, stop):
            node = sample_model(node_model)
            if "id" in node:
                node["id"] = str(i)
            edges.append({**edge, "cursor": str(i + 1), "node": node})
        connection = sample_model(conn_model)
        connection.update(
            totalCount=self.size,
            edges=edges,
            pageInfo={"hasNextPage": stop < self.size, "endCursor": str(stop)},
        )
        return httpx.Response(200, json={"data": {operation: connection}})


def _required_arguments(method: str) -> dict[str, Any]:
    """Values for the paginator's required GraphQL arguments (ids)."""
    hints = type_hints(getattr(GeneratedClient, method))
    import inspect

    signature = inspect.signature(getattr(GeneratedClient, method))
    out: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        if name == "self" or parameter.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            continue
        if parameter.default is inspect.Parameter.empty:
            out[name] = _required_value(hints[name], f"{method}: {name}")
    return out


def _required_value(annotation: Any, where: str) -> Any:
    """A value for a required argument: an id, or an input object with its required fields."""
    if annotation is str:
        return "1"
    assert isinstance(annotation, type), f"{where}: cannot fabricate {annotation}"
    assert issubclass(annotation, BaseModel), f"{where}: cannot fabricate {annotation}"
    fields = {}
    for name, info in annotation.model_fields.items():
        if info.is_required():
            inner = info.annotation
            value = _sample(inner)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                value = _required_value(inner, f"{where}.{name}")
            fields[info.alias or name] = value
    return annotation.model_validate(fields)


@pytest.fixture
def client() -> UpworkClient:
    return UpworkClient(
        url=URL,
        access_token="test-token",
        rate_limit=None,
        max_concurrency=None,
        retry_initial_delay=0.001,
        retry_max_delay=0.002,
    )


# -- the tests ------------------------------------------------------------------------------------


def test_the_mission_connections_have_paginators() -> None:
    # (test_pagination_plugin checks that *every* connection query in queries/ has one)
    assert {
        "paginate_client_proposals",
        "paginate_marketplace_job_postings",
        "paginate_marketplace_job_postings_search",
        "paginate_room_list",
    } <= set(PAGINATORS)


def test_paginators_are_precisely_typed() -> None:
    conn, node = paginator_types("paginate_client_proposals")
    assert conn is ClientProposalsClientProposals
    assert node is ClientProposalsClientProposalsEdgesNode
    hints = type_hints(UpworkClient.paginate_client_proposals)
    assert typing.get_origin(hints["return"]) is AsyncPaginator
    assert typing.get_args(hints["return"]) == (conn, node)
    assert "pagination" not in hints  # replaced by page_size= / after=
    assert {"page_size", "max_items", "after", "prefetch"} <= set(hints)


@pytest.mark.parametrize("method", PAGINATORS)
def test_the_registry_and_the_annotation_name_the_same_types(method: str) -> None:
    hints = type_hints(getattr(GeneratedClient, method))
    assert typing.get_origin(hints["return"]) is AsyncPaginator
    assert typing.get_args(hints["return"]) == registry_paginator_types(method)


@pytest.mark.parametrize("method", PAGINATORS)
async def test_multi_page_walk(client: UpworkClient, method: str) -> None:
    api = FakeAPI(size=7)
    with respx.mock(assert_all_called=True) as router:
        router.post(URL).mock(side_effect=api)
        paginator = getattr(client, method)(**_required_arguments(method), page_size=3)
        nodes = [node async for node in paginator]
    _, node_model = paginator_types(method)
    assert len(nodes) == 7
    assert all(isinstance(n, node_model) for n in nodes)
    if "id" in node_model.model_fields:
        assert [n.id for n in nodes] == [str(i) for i in range(7)]
    pages = [FakeAPI.pagination_of(b["variables"]) for b in api.bodies]
    assert [(p.get("after"), p["first"]) for p in pages] == [(None, 3), ("3", 3), ("6", 3)]
    assert paginator.total_count == 7
    assert paginator.cursor == "7"
    assert not paginator.has_next_page()


@pytest.mark.parametrize("method", PAGINATORS)
async def test_empty_first_page(client: UpworkClient, method: str) -> None:
    api = FakeAPI(size=0)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = getattr(client, method)(**_required_arguments(method))
        assert await paginator.to_list() == []
        page = await paginator
    assert len(api.requests) == 2
    assert page.edges == []
    assert page.page_info.has_next_page is False
    assert paginator.total_count == 0


async def test_await_first_page_then_next_pages(client: UpworkClient) -> None:
    api = FakeAPI(size=5)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = client.paginate_client_proposals(job_posting_id="1", page_size=2)
        page = await paginator
        assert isinstance(page, ClientProposalsClientProposals)
        assert [e.node.id for e in page.edges or [] if e.node] == ["0", "1"]
        count = 1
        while paginator.has_next_page():
            page = await paginator.next_page()
            count += 1
    assert count == 3
    assert page.page_info is not None
    assert page.page_info.has_next_page is False
    assert json.loads(api.requests[0].content)["variables"]["jobPostingId"] == "1"


@pytest.mark.parametrize(
    ("method", "filter_model"),
    [
        ("paginate_marketplace_job_postings", MarketplaceJobFilter),
        ("paginate_marketplace_job_postings_search", MarketplaceJobPostingsSearchFilter),
    ],
)
async def test_cursor_inside_the_job_filter_keeps_other_fields(
    client: UpworkClient, method: str, filter_model: type[BaseModel]
) -> None:
    api = FakeAPI(size=12)
    user_filter = filter_model.model_validate({"searchExpression_eq": "python"})
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = getattr(client, method)(market_place_job_filter=user_filter, page_size=5)
        nodes = await paginator.to_list()
    assert len(nodes) == 12
    filters = [b["variables"]["marketPlaceJobFilter"] for b in api.bodies]
    assert filters == [
        {"searchExpression_eq": "python", "pagination_eq": {"first": 5}},  # no cursor yet
        {"searchExpression_eq": "python", "pagination_eq": {"after": "5", "first": 5}},
        {"searchExpression_eq": "python", "pagination_eq": {"after": "10", "first": 5}},
    ]
    assert "pagination_eq" not in user_filter.model_fields_set  # caller's object untouched


async def test_a_dict_job_filter_keeps_its_fields_and_start(client: UpworkClient) -> None:
    """Input dicts are accepted like models: their fields are never dropped while paging."""
    api = FakeAPI(size=12)
    user_filter = {"searchExpression_eq": "python", "pagination_eq": {"after": "2", "first": 5}}
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = client.paginate_marketplace_job_postings(
            market_place_job_filter=user_filter  # type: ignore[arg-type]
        )
        nodes = await paginator.to_list()
    assert [n.id for n in nodes] == [str(i) for i in range(2, 12)]
    filters = [b["variables"]["marketPlaceJobFilter"] for b in api.bodies]
    assert filters == [
        {"searchExpression_eq": "python", "pagination_eq": {"after": "2", "first": 5}},
        {"searchExpression_eq": "python", "pagination_eq": {"after": "7", "first": 5}},
    ]
    assert user_filter["pagination_eq"] == {"after": "2", "first": 5}  # caller's dict untouched


async def test_pagination_given_in_the_job_filter_is_the_start(client: UpworkClient) -> None:
    api = FakeAPI(size=20)
    user_filter = MarketplaceJobFilter.model_validate(
        {"pagination_eq": Pagination(after="10", first=4)}
    )
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = client.paginate_marketplace_job_postings(market_place_job_filter=user_filter)
        nodes = await paginator.to_list()
    assert [n.id for n in nodes] == [str(i) for i in range(10, 20)]
    first = api.bodies[0]["variables"]["marketPlaceJobFilter"]["pagination_eq"]
    assert first == {"after": "10", "first": 4}


async def test_last_page_has_next_false_stops(client: UpworkClient) -> None:
    api = FakeAPI(size=4)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        nodes = await client.paginate_room_list(page_size=4).to_list()
    assert len(nodes) == 4
    assert len(api.requests) == 1


async def test_max_items_stops_and_resumes_from_the_saved_cursor(client: UpworkClient) -> None:
    api = FakeAPI(size=30)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = client.paginate_client_proposals(job_posting_id="1", page_size=10, max_items=15)
        first_part = await paginator.to_list()
        saved = paginator.cursor
        rest = await client.paginate_client_proposals(
            job_posting_id="1", page_size=10, after=saved
        ).to_list()
    assert saved == "15"
    assert [n.id for n in first_part + rest] == [str(i) for i in range(30)]
    pages = [FakeAPI.pagination_of(b["variables"]) for b in api.bodies]
    assert [p["first"] for p in pages[:2]] == [10, 5]


async def test_tenant_header_and_call_options_on_every_page(client: UpworkClient) -> None:
    api = FakeAPI(size=9)
    scoped = client.with_tenant("org-42")
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        paginator = scoped.paginate_room_list(page_size=3, extra_headers={"X-Trace": "walk-1"})
        assert len(await paginator.to_list()) == 9
    assert len(api.requests) == 3
    assert [r.headers.get(TENANT_HEADER) for r in api.requests] == ["org-42"] * 3
    assert [r.headers.get("X-Trace") for r in api.requests] == ["walk-1"] * 3
    assert all(r.headers["Authorization"] == "Bearer test-token" for r in api.requests)


async def test_retries_inside_a_walk(client: UpworkClient) -> None:
    def flaky(index: int, body: dict[str, Any]) -> httpx.Response | None:
        return httpx.Response(503, json={"error": "busy"}) if index in (1, 2) else None

    api = FakeAPI(size=9, fail=flaky)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        nodes = await client.paginate_room_list(page_size=3).to_list()
    assert len(nodes) == 9
    assert len(api.requests) == 5  # page 2 answered on its third attempt
    afters = [FakeAPI.pagination_of(b["variables"]).get("after") for b in api.bodies]
    assert afters == [None, "3", "3", "3", "6"]


async def test_a_page_failing_after_retries_carries_the_cursor(client: UpworkClient) -> None:
    def broken_page_two(index: int, body: dict[str, Any]) -> httpx.Response | None:
        page = FakeAPI.pagination_of(body["variables"])
        return httpx.Response(503) if page.get("after") == "3" else None

    api = FakeAPI(size=9, fail=broken_page_two)
    got: list[Any] = []

    async def walk() -> None:
        async for node in client.with_options(max_retries=1).paginate_client_proposals(
            job_posting_id="1", page_size=3
        ):
            got.append(node)

    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        with pytest.raises(PaginationError) as info:
            await walk()
    err = info.value
    assert err.cursor == "3"
    assert err.operation == "clientProposals"
    assert isinstance(err.__cause__, InternalServerError)
    assert len(api.requests) == 3  # page 1, page 2 and its one retry
    assert len(got) == 3

    api = FakeAPI(size=9)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        rest = await client.paginate_client_proposals(
            job_posting_id="1", page_size=3, after=err.cursor
        ).to_list()
    assert [n.id for n in got + rest] == [str(i) for i in range(9)]


async def test_graphql_errors_mid_walk_carry_the_cursor(client: UpworkClient) -> None:
    def error_on_page_two(index: int, body: dict[str, Any]) -> httpx.Response | None:
        if index == 1:
            return httpx.Response(
                200, json={"data": None, "errors": [{"message": "Internal failure"}]}
            )
        return None

    api = FakeAPI(size=9, fail=error_on_page_two)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        with pytest.raises(PaginationError) as info:
            await client.paginate_room_list(page_size=3).to_list()
    assert info.value.cursor == "3"
    assert isinstance(info.value.__cause__, GraphQLError)


@pytest.mark.parametrize(
    ("method", "page_size", "allowed"),
    [
        ("paginate_marketplace_job_postings", 100, True),
        ("paginate_marketplace_job_postings", 101, False),
        ("paginate_marketplace_job_postings_search", 100, True),
        ("paginate_marketplace_job_postings_search", 101, False),
        ("paginate_client_proposals", 50, True),
        ("paginate_client_proposals", 51, False),
        ("paginate_room_list", 0, False),
    ],
)
async def test_page_size_bounds_are_checked_before_sending(
    client: UpworkClient, method: str, page_size: int, allowed: bool
) -> None:
    api = FakeAPI(size=3)
    with respx.mock(assert_all_called=False) as router:
        router.post(URL).mock(side_effect=api)
        arguments = _required_arguments(method)
        if allowed:
            nodes = await getattr(client, method)(**arguments, page_size=page_size).to_list()
            assert len(nodes) == 3
        else:
            with pytest.raises(PaginationError, match="page_size"):
                getattr(client, method)(**arguments, page_size=page_size)
            assert api.requests == []


async def test_non_advancing_cursor_from_the_server(client: UpworkClient) -> None:
    def stuck(index: int, body: dict[str, Any]) -> httpx.Response | None:
        conn, node = paginator_types("paginate_room_list")
        data = sample_model(conn)
        data.update(
            totalCount=100,
            edges=[{"cursor": "1", "node": sample_model(node)}],
            pageInfo={"hasNextPage": True, "endCursor": "1"},
        )
        return httpx.Response(200, json={"data": {"roomList": data}})

    api = FakeAPI(size=0, fail=stuck)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        with pytest.raises(PaginationError, match="does not advance") as info:
            await client.paginate_room_list().to_list()
    assert info.value.cursor == "1"
    assert len(api.requests) == 2


async def test_has_next_page_without_end_cursor_from_the_server(client: UpworkClient) -> None:
    def no_cursor(index: int, body: dict[str, Any]) -> httpx.Response | None:
        conn, node = paginator_types("paginate_room_list")
        data = sample_model(conn)
        data.update(
            totalCount=100,
            edges=[{"cursor": "1", "node": sample_model(node)}],
            pageInfo={"hasNextPage": True, "endCursor": None},
        )
        return httpx.Response(200, json={"data": {"roomList": data}})

    api = FakeAPI(size=0, fail=no_cursor)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        with pytest.raises(PaginationError, match="endCursor is missing"):
            await client.paginate_room_list().to_list()
    assert len(api.requests) == 1


async def test_prefetch_walk_over_http(client: UpworkClient) -> None:
    api = FakeAPI(size=10)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        async with client.paginate_room_list(page_size=4, prefetch=True) as paginator:
            nodes = await paginator.to_list()
    assert [n.id for n in nodes] == [str(i) for i in range(10)]
    assert len(api.requests) == 3


async def test_to_pandas_flattens_generated_models(client: UpworkClient) -> None:
    api = FakeAPI(size=3)
    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        frame = await client.paginate_room_list().to_pandas()
    assert list(frame["id"]) == ["0", "1", "2"]
    assert any(column.startswith("organization.") for column in frame.columns)


def test_generated_paginator_under_trio() -> None:
    import anyio

    api = FakeAPI(size=7)

    async def main() -> int:
        client = UpworkClient(url=URL, access_token="t", rate_limit=None, max_concurrency=None)
        async with client, client.paginate_room_list(page_size=3, prefetch=True) as rooms:
            return len(await rooms.to_list())

    with respx.mock() as router:
        router.post(URL).mock(side_effect=api)
        assert anyio.run(main, backend="trio") == 7
    assert len(api.requests) == 3

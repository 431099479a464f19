"""AsyncPaginator on its own, driven by fake fetch functions (no HTTP)."""

from __future__ import annotations

import gc
import sys
import weakref
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from pydantic import BaseModel

from upwork_gql._exceptions import InternalServerError, PaginationError
from upwork_gql.pagination import AsyncPaginator


class Page:
    """A connection object shaped like the generated models (python attribute names)."""

    def __init__(self, edges: list[Any] | None, has_next: bool | None, end: str | None, total: int):
        self.edges = edges
        self.page_info = PageInfo(has_next, end)
        self.total_count = total


@dataclass
class PageInfo:
    has_next_page: bool | None
    end_cursor: str | None


@dataclass
class Edge:
    cursor: str | None
    node: Any


@dataclass
class FakeConnection:
    """Offset cursors like Upwork's job search: ``after="k"`` starts at element k."""

    size: int
    ignore_first: int | None = None  # serve pages of this size whatever `first` says
    calls: list[tuple[str | None, int]] = field(default_factory=list)
    fail_at: set[int] = field(default_factory=set)  # call numbers (0-based) that raise

    def node(self, index: int) -> dict[str, Any]:
        return {"id": str(index)}

    async def fetch(self, after: str | None, first: int) -> Page:
        call = len(self.calls)
        self.calls.append((after, first))
        if call in self.fail_at:
            raise InternalServerError("HTTP 503", status_code=503, operation="fake")
        start = int(after) if after is not None else 0
        count = self.ignore_first if self.ignore_first is not None else first
        stop = min(start + count, self.size)
        edges = [Edge(str(i + 1), self.node(i)) for i in range(start, stop)]
        return Page(edges, stop < self.size, str(stop), self.size)


def ids(nodes: list[Any]) -> list[int]:
    return [int(n["id"]) for n in nodes]


def make(conn: FakeConnection, **kwargs: Any) -> AsyncPaginator[Page, dict[str, Any]]:
    return AsyncPaginator(conn.fetch, operation="fake", **kwargs)


async def test_walks_every_page_in_order() -> None:
    conn = FakeConnection(size=23)
    paginator = make(conn, page_size=10)
    nodes = [node async for node in paginator]
    assert ids(nodes) == list(range(23))
    assert conn.calls == [(None, 10), ("10", 10), ("20", 10)]
    assert paginator.total_count == 23
    assert paginator.cursor == "23"
    assert not paginator.has_next_page()


async def test_a_paginator_can_be_walked_again_from_its_start() -> None:
    conn = FakeConnection(size=5)
    paginator = make(conn, page_size=2, after="1")
    assert ids(await paginator.to_list()) == [1, 2, 3, 4]
    assert ids(await paginator.to_list()) == [1, 2, 3, 4]


async def test_await_gives_first_page_then_next_page_steps() -> None:
    conn = FakeConnection(size=5)
    paginator = make(conn, page_size=2)
    assert paginator.has_next_page()  # nothing fetched yet
    first = await paginator
    assert isinstance(first, Page)
    assert [e.node["id"] for e in first.edges or []] == ["0", "1"]
    seen = [first]
    while paginator.has_next_page():
        seen.append(await paginator.next_page())
    assert [len(p.edges or []) for p in seen] == [2, 2, 1]
    assert paginator.cursor == "5"
    with pytest.raises(PaginationError, match="no next page") as info:
        await paginator.next_page()
    assert info.value.operation == "fake"
    # awaiting again restarts at the start cursor
    again = await paginator
    assert [e.node["id"] for e in again.edges or []] == ["0", "1"]
    assert conn.calls[-1] == (None, 2)


async def test_pages_yields_pages_and_tracks_the_cursor() -> None:
    conn = FakeConnection(size=7)
    paginator = make(conn, page_size=3)
    cursors = []
    async for page in paginator.pages():
        assert isinstance(page, Page)
        cursors.append(paginator.cursor)
    assert cursors == ["3", "6", "7"]


async def test_empty_first_page() -> None:
    conn = FakeConnection(size=0)
    paginator = make(conn)
    assert await paginator.to_list() == []
    assert len(conn.calls) == 1
    assert paginator.total_count == 0
    assert not paginator.has_next_page()


async def test_null_connection_on_first_page_is_empty_but_later_is_an_error() -> None:
    async def null_first(after: str | None, first: int) -> None:
        return None

    assert await AsyncPaginator(null_first, operation="op").to_list() == []

    calls = 0

    async def null_second(after: str | None, first: int) -> Page | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            return Page([Edge("1", {"id": "0"})], True, "1", 5)
        return None

    with pytest.raises(PaginationError, match="null") as info:
        await AsyncPaginator(null_second, operation="op").to_list()
    assert info.value.cursor == "1"


async def test_last_page_has_next_false_stops_even_with_an_end_cursor() -> None:
    calls: list[str | None] = []

    async def fetch(after: str | None, first: int) -> Page:
        calls.append(after)
        return Page([Edge("a", {"id": "0"})], False, "a", 1)

    nodes: list[Any] = await AsyncPaginator(fetch, operation="op").to_list()
    assert ids(nodes) == [0]
    assert calls == [None]


async def test_raw_mappings_with_graphql_names_are_accepted() -> None:
    pages = {
        None: {
            "totalCount": 3,
            "edges": [{"cursor": "c1", "node": {"id": "0"}}, {"cursor": "c2", "node": {"id": "1"}}],
            "pageInfo": {"hasNextPage": True, "endCursor": "c2"},
        },
        "c2": {
            "totalCount": 3,
            "edges": [{"cursor": "c3", "node": {"id": "2"}}],
            "pageInfo": {"hasNextPage": False, "endCursor": "c3"},
        },
    }

    async def fetch(after: str | None, first: int) -> dict[str, Any]:
        return pages[after]

    paginator: AsyncPaginator[dict[str, Any], dict[str, Any]] = AsyncPaginator(
        fetch, operation="op"
    )
    assert ids(await paginator.to_list()) == [0, 1, 2]
    assert paginator.total_count == 3


async def test_max_items_stops_mid_page_and_resumes_exactly() -> None:
    conn = FakeConnection(size=30, ignore_first=10)  # a server that ignores `first`
    paginator = make(conn, page_size=10, max_items=15)
    first_part = await paginator.to_list()
    assert ids(first_part) == list(range(15))
    assert len(conn.calls) == 2  # stopped in the middle of the second page
    assert paginator.cursor == "15"  # the last node handed out
    rest = await make(conn, page_size=10, after=paginator.cursor).to_list()
    assert ids(rest) == list(range(15, 30))


async def test_max_items_asks_only_for_what_is_missing() -> None:
    conn = FakeConnection(size=100)
    nodes = await make(conn, page_size=10, max_items=25).to_list()
    assert len(nodes) == 25
    assert conn.calls == [(None, 10), ("10", 10), ("20", 5)]


async def test_max_items_zero_sends_nothing() -> None:
    conn = FakeConnection(size=10)
    assert await make(conn, max_items=0).to_list() == []
    assert conn.calls == []


async def test_pages_stop_after_the_page_reaching_max_items() -> None:
    conn = FakeConnection(size=100)
    pages = [page async for page in make(conn, page_size=10, max_items=20).pages()]
    assert len(pages) == 2


async def test_breaking_out_leaves_a_resumable_cursor() -> None:
    conn = FakeConnection(size=20)
    paginator = make(conn, page_size=5)
    got = []
    async for node in paginator:
        got.append(node)
        if len(got) == 7:
            break
    assert paginator.cursor == "7"
    rest = await make(conn, page_size=5, after=paginator.cursor).to_list()
    assert ids(got + rest) == list(range(20))


async def test_edges_without_cursor_resume_at_page_start() -> None:
    async def fetch(after: str | None, first: int) -> Page:
        start = int(after or 0)
        edges = [Edge(None, {"id": str(i)}) for i in range(start, start + 4)]
        return Page(edges, start + 4 < 12, str(start + 4), 12)

    paginator: AsyncPaginator[Page, dict[str, Any]] = AsyncPaginator(
        fetch, operation="op", page_size=4, max_items=6
    )
    assert ids(await paginator.to_list()) == list(range(6))
    # mid-page without edge cursors: resume at the start of that page (repeat, never skip)
    assert paginator.cursor == "4"
    paginator = AsyncPaginator(fetch, operation="op", page_size=4, max_items=8)
    await paginator.to_list()
    assert paginator.cursor == "8"  # a page consumed to its end uses endCursor


async def test_null_edges_and_nodes_are_skipped() -> None:
    async def fetch(after: str | None, first: int) -> Page:
        return Page(
            [Edge("1", {"id": "0"}), None, Edge("3", None), Edge("4", {"id": "3"})], False, "4", 4
        )

    nodes: list[Any] = await AsyncPaginator(fetch, operation="op").to_list()
    assert ids(nodes) == [0, 3]


async def test_guard_cursor_that_does_not_advance() -> None:
    calls = 0

    async def fetch(after: str | None, first: int) -> Page:
        nonlocal calls
        calls += 1
        return Page([Edge("x", {"id": "0"})], True, "same", 99)

    with pytest.raises(PaginationError, match="does not advance") as info:
        await AsyncPaginator(fetch, operation="loopy").to_list()
    assert info.value.operation == "loopy"
    assert info.value.cursor == "same"
    assert calls == 2


async def test_guard_has_next_without_end_cursor() -> None:
    for end in (None, ""):

        async def fetch(after: str | None, first: int, end: str | None = end) -> Page:
            return Page([Edge("1", {"id": "0"})], True, end, 99)

        paginator: AsyncPaginator[Page, Any] = AsyncPaginator(fetch, operation="op", after="5")
        with pytest.raises(PaginationError, match="endCursor is missing") as info:
            await paginator.to_list()
        assert info.value.cursor == "5"


async def test_guard_missing_page_info() -> None:
    async def fetch(after: str | None, first: int) -> dict[str, Any]:
        return {"edges": []}

    with pytest.raises(PaginationError, match="pageInfo"):
        await AsyncPaginator(fetch, operation="op").to_list()


@pytest.mark.parametrize("page_size", [0, -1, 51, 1000, True, 2.5])
def test_guard_page_size_out_of_bounds_is_refused_before_sending(page_size: Any) -> None:
    conn = FakeConnection(size=10)
    with pytest.raises(PaginationError, match="page_size") as info:
        make(conn, page_size=page_size, after="3")
    assert info.value.cursor == "3"
    assert conn.calls == []


def test_page_size_bounds_come_from_the_root_field() -> None:
    conn = FakeConnection(size=10)
    assert AsyncPaginator(conn.fetch, operation="op", field="marketplaceJobPostings", page_size=100)
    with pytest.raises(PaginationError, match=r"1\.\.100"):
        AsyncPaginator(conn.fetch, operation="op", field="marketplaceJobPostings", page_size=101)
    with pytest.raises(PaginationError, match=r"1\.\.50"):
        AsyncPaginator(conn.fetch, operation="clientProposals", page_size=51)
    assert make(conn).page_size == 50


def test_guard_negative_max_items() -> None:
    with pytest.raises(PaginationError, match="max_items"):
        make(FakeConnection(size=1), max_items=-1)


async def test_failing_page_carries_the_cursor_and_the_cause() -> None:
    conn = FakeConnection(size=30, fail_at={2})
    paginator = make(conn, page_size=10)
    got: list[Any] = []

    async def collect() -> None:
        async for node in paginator:
            got.append(node)

    with pytest.raises(PaginationError) as info:
        await collect()
    err = info.value
    assert err.cursor == "20"
    assert err.operation == "fake"
    assert isinstance(err.__cause__, InternalServerError)
    assert "InternalServerError" in str(err)
    assert paginator.cursor == "20"
    rest = await make(conn, page_size=10, after=err.cursor).to_list()
    assert ids(got + rest) == list(range(30))


async def test_pagination_errors_from_fetch_are_not_wrapped() -> None:
    async def fetch(after: str | None, first: int) -> Page:
        raise PaginationError("inner", operation="op", cursor="9")

    with pytest.raises(PaginationError, match="inner"):
        await AsyncPaginator(fetch, operation="op").to_list()


async def test_prefetch_needs_async_with() -> None:
    conn = FakeConnection(size=3)
    with pytest.raises(PaginationError, match="async with"):
        await make(conn, prefetch=True).to_list()
    assert conn.calls == []


async def test_prefetch_fetches_the_next_page_while_the_caller_works() -> None:
    conn = FakeConnection(size=9)
    paginator = make(conn, page_size=3, prefetch=True)
    calls_seen_at_node: list[int] = []
    async with paginator:
        async for _node in paginator:
            await anyio.lowlevel.checkpoint()  # the caller's slow work yields to the event loop
            await anyio.lowlevel.checkpoint()
            calls_seen_at_node.append(len(conn.calls))
    # while the first page's nodes are processed, the second page was already requested
    assert calls_seen_at_node[0] == 2
    # never more than one page ahead
    assert all(c <= (i // 3) + 2 for i, c in enumerate(calls_seen_at_node))
    assert len(conn.calls) == 3
    assert calls_seen_at_node[-1] == 3


async def test_prefetch_respects_max_items_and_reports_errors_with_cursor() -> None:
    conn = FakeConnection(size=100)
    async with make(conn, page_size=10, max_items=15, prefetch=True) as paginator:
        assert len(await paginator.to_list()) == 15
    assert conn.calls == [(None, 10), ("10", 5)]

    conn = FakeConnection(size=100, fail_at={1})
    with pytest.raises(PaginationError) as info:
        async with make(conn, page_size=10, prefetch=True) as paginator:
            await paginator.to_list()
    assert info.value.cursor == "10"


async def test_prefetch_abandoned_walk_is_cancelled_on_exit() -> None:
    release = anyio.Event()
    cancelled = anyio.Event()

    async def fetch(after: str | None, first: int) -> Page:
        if after is None:
            return Page([Edge("1", {"id": "0"})], True, "1", 2)
        try:
            await release.wait()
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise
        return Page([Edge("2", {"id": "1"})], False, "2", 2)

    with anyio.fail_after(5):
        paginator: AsyncPaginator[Page, Any] = AsyncPaginator(fetch, operation="op", prefetch=True)
        async with paginator:
            async for _node in paginator:
                break
    assert cancelled.is_set()


def test_prefetch_under_trio() -> None:
    conn = FakeConnection(size=10)

    async def main() -> list[Any]:
        async with make(conn, page_size=4, prefetch=True) as paginator:
            return await paginator.to_list()

    nodes = anyio.run(main, backend="trio")
    assert ids(nodes) == list(range(10))


async def test_walks_hold_no_earlier_pages() -> None:
    refs: list[weakref.ref[Page]] = []

    async def fetch(after: str | None, first: int) -> Page:
        start = int(after or 0)
        page = Page([Edge(str(start + 1), object())], start + 1 < 5, str(start + 1), 5)
        refs.append(weakref.ref(page))
        return page

    paginator: AsyncPaginator[Page, object] = AsyncPaginator(fetch, operation="op")
    count = 0
    async for _node in paginator:
        count += 1
        gc.collect()
        assert sum(ref() is not None for ref in refs) == 1  # only the page being consumed
    assert count == 5


class Money(BaseModel):
    amount: float
    currency: str


class Job(BaseModel):
    id: str
    title: str
    budget: Money | None
    skills: list[str]


async def test_to_pandas_flattens_nested_fields() -> None:
    async def fetch(after: str | None, first: int) -> Page:
        jobs = [
            Job(id="1", title="a", budget=Money(amount=10.0, currency="USD"), skills=["x"]),
            Job(id="2", title="b", budget=None, skills=[]),
        ]
        return Page([Edge(str(i), job) for i, job in enumerate(jobs)], False, "2", 2)

    frame = await AsyncPaginator(fetch, operation="op").to_pandas()
    assert list(frame["id"]) == ["1", "2"]
    assert "budget.amount" in frame.columns
    assert "budget.currency" in frame.columns
    assert frame.loc[0, "budget.amount"] == 10.0
    assert frame.loc[0, "skills"] == ["x"]


async def test_to_pandas_holds_plain_enum_values_at_every_depth() -> None:
    """Enum members (generated ``OpenEnum`` ones included, known or not) become their values:
    a DataFrame column holds ``"ONE_ON_ONE"``, never ``RoomType.ONE_ON_ONE``."""
    from upwork_gql._generated.enums import RoomType

    class Owner(BaseModel):
        kind: RoomType

    class Room(BaseModel):
        id: str
        room_type: RoomType | None
        owner: Owner
        kinds: list[RoomType]

    unknown = RoomType("BRAND_NEW_KIND")
    assert not unknown.is_known
    rooms = [
        Room(id="1", room_type=RoomType.ONE_ON_ONE, owner=Owner(kind=unknown), kinds=[unknown]),
        Room(id="2", room_type=None, owner=Owner(kind=RoomType.GROUP), kinds=[RoomType.GROUP]),
    ]

    async def fetch(after: str | None, first: int) -> Page:
        return Page([Edge(str(i), room) for i, room in enumerate(rooms)], False, "2", 2)

    frame = await AsyncPaginator(fetch, operation="op").to_pandas()
    assert list(frame["room_type"].iloc[:1]) == ["ONE_ON_ONE"]
    assert frame["room_type"].isna().iloc[1]
    assert list(frame["owner.kind"]) == ["BRAND_NEW_KIND", "GROUP"]
    assert list(frame["kinds"]) == [["BRAND_NEW_KIND"], ["GROUP"]]
    cells = [frame.loc[0, "room_type"], *frame["owner.kind"], *frame["kinds"].sum()]
    assert all(type(cell) is str for cell in cells), [type(cell) for cell in cells]


async def test_to_pandas_without_pandas_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    conn = FakeConnection(size=1)
    with pytest.raises(ImportError, match=r"upwork-gql\[pandas\]"):
        await make(conn).to_pandas()


def test_the_cursor_goes_where_the_registry_says_and_keeps_the_other_fields() -> None:
    """The runtime places ``{after, first}`` at ``connection.cursor_path`` in the prepared
    variables, copying only the objects on that path."""
    from upwork_gql._variables import cursor_container, set_cursor

    user = {"marketPlaceJobFilter": {"searchExpression_eq": "python"}, "searchType": "USER_JOBS"}
    path = ("marketPlaceJobFilter", "pagination_eq")
    paged = set_cursor(user, path, "40", 20)
    assert paged == {
        "marketPlaceJobFilter": {
            "searchExpression_eq": "python",
            "pagination_eq": {"after": "40", "first": 20},
        },
        "searchType": "USER_JOBS",
    }
    assert user == {  # the caller's objects are not modified
        "marketPlaceJobFilter": {"searchExpression_eq": "python"},
        "searchType": "USER_JOBS",
    }
    assert cursor_container(paged, path) == {"after": "40", "first": 20}
    assert cursor_container(user, path) == {}
    assert cursor_container({}, path) == {}

    # the first page sends no cursor; the fields the caller set inside the pagination input stay
    again = set_cursor(paged, path, None, 5)
    assert again["marketPlaceJobFilter"]["pagination_eq"] == {"first": 5}
    assert paged["marketPlaceJobFilter"]["pagination_eq"] == {"after": "40", "first": 20}

    # deeper paths (filter.storyFilter.pagination) are created as needed
    deep = set_cursor({}, ("filter", "storyFilter", "pagination"), "c9", 3)
    assert deep == {"filter": {"storyFilter": {"pagination": {"after": "c9", "first": 3}}}}
    top = set_cursor({"filter": None}, ("pagination",), "x", 1)
    assert top == {"filter": None, "pagination": {"after": "x", "first": 1}}


def test_every_registered_connection_has_a_cursor_path_its_variables_declare() -> None:
    from upwork_gql._generated.operations import OPERATIONS

    connections = {op.name: op.connection for op in OPERATIONS.values() if op.connection}
    assert connections
    for name, connection in connections.items():
        op = OPERATIONS[name]
        assert op.variable(connection.cursor_path[0]) is not None, name
        assert connection.max_page_size >= 1, name
        assert op.paginate_method == f"paginate_{op.method}"


def test_page_size_bounds_agree_with_the_sandbox() -> None:
    """The client refuses exactly what the embedded sandbox (standing in for Upwork) refuses."""
    from upwork_gql._constants import DEFAULT_MAX_PAGE_SIZE, MAX_PAGE_SIZES
    from upwork_gql._generated.operations import OPERATIONS
    from upwork_gql.pagination import max_page_size_for
    from upwork_gql.sandbox.config import SandboxConfig

    config = SandboxConfig()
    assert config.page_size_limit("anyOtherConnection") == DEFAULT_MAX_PAGE_SIZE
    roots = {"clientProposals", "roomList", *MAX_PAGE_SIZES, *config.page_size_limits}
    for root in roots - {"*"}:
        assert max_page_size_for(root) == config.page_size_limit(root), root
    # ... and so does the registry the generated paginators read
    for op in OPERATIONS.values():
        if op.connection is not None:
            root = op.connection.root_field
            assert op.connection.max_page_size == config.page_size_limit(root), root

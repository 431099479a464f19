"""Runtime hot path: the concurrency cap's fast path, the collector paused only around validation
and only when the application runs it (``pause_gc=False``: never touched), the parsed endpoint
URL, and the paginator's node loop over generated edges."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from pydantic import BaseModel, field_validator
from test_runtime_errors import CONTRACT_DATA, Recorder, make_client

from upwork_gql._exceptions import ResponseValidationError
from upwork_gql._ratelimit import RateLimiter
from upwork_gql.pagination import AsyncPaginator

# --- concurrency cap ----------------------------------------------------------------------------


async def test_free_slots_are_taken_without_waiting() -> None:
    limiter = RateLimiter(None, max_concurrency=2)
    with anyio.fail_after(1):
        await limiter.acquire_slot()
        await limiter.acquire_slot()
    assert limiter.in_flight == 2
    limiter.release_slot()
    limiter.release_slot()
    assert limiter.in_flight == 0


async def test_waiters_get_slots_first_come_first_served() -> None:
    limiter = RateLimiter(None, max_concurrency=1)
    order: list[str] = []

    async def worker(name: str) -> None:
        async with limiter.slot():
            order.append(name)
            await anyio.lowlevel.checkpoint()

    with anyio.fail_after(5):
        await limiter.acquire_slot()  # the cap is reached: everyone below has to wait
        async with anyio.create_task_group() as tg:
            for name in ("a", "b", "c"):
                tg.start_soon(worker, name)
                await anyio.wait_all_tasks_blocked()
            assert order == []
            assert limiter.in_flight == 1
            limiter.release_slot()
    assert order == ["a", "b", "c"]
    assert limiter.in_flight == 0


async def test_cancelled_waiters_leak_no_slot() -> None:
    limiter = RateLimiter(None, max_concurrency=1)
    served: list[int] = []
    with anyio.fail_after(5):
        await limiter.acquire_slot()
        async with anyio.create_task_group() as tg:
            scopes = [anyio.CancelScope() for _ in range(3)]

            async def waiter(index: int) -> None:
                with scopes[index]:
                    async with limiter.slot():
                        served.append(index)

            for index in range(3):
                tg.start_soon(waiter, index)
                await anyio.wait_all_tasks_blocked()
            scopes[1].cancel()  # still queued: leaves the queue
            scopes[0].cancel()  # cancelled...
            limiter.release_slot()  # ...as the slot is handed to it: it must pass the slot on
        assert served == [2]
        assert limiter.in_flight == 0
        await limiter.acquire_slot()  # the slot is free again
    assert limiter.in_flight == 1


async def test_no_cap_means_no_bookkeeping() -> None:
    limiter = RateLimiter(None, max_concurrency=None)
    for _ in range(3):
        await limiter.acquire_slot()
    limiter.release_slot()
    assert limiter.in_flight == 0


# --- the garbage collector is the application's (see also test_gc_state.py) -----------------------


@pytest.fixture
def collector_untouchable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any call of the collector's switches fails the test."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the library touched the garbage collector")

    was = gc.isenabled()
    try:
        for name in ("disable", "enable", "collect", "freeze", "unfreeze", "set_threshold"):
            monkeypatch.setattr(gc, name, boom)
        yield
    finally:
        monkeypatch.undo()
        if was:
            gc.enable()
        else:
            gc.disable()


class _Probe(BaseModel):
    value: int

    @field_validator("value")
    @classmethod
    def _record(cls, value: int) -> int:
        _seen.append(gc.isenabled())
        return value


_seen: list[bool] = []


@pytest.mark.usefixtures("collector_untouchable")
async def test_with_pause_gc_false_calls_never_touch_the_collector() -> None:
    """``pause_gc=False``: validation runs with the collector as the application left it."""
    ok = httpx.Response(200, json={"data": CONTRACT_DATA})
    bad = httpx.Response(200, json={"data": {"contract": {"id": 5}}})
    rec = Recorder(ok, bad, ok)
    async with make_client(rec, pause_gc=False) as client:
        assert (await client.contract(id="1")).contract is not None
        with pytest.raises(ResponseValidationError):
            await client.contract(id="1")
        assert await client.execute("{ contract { id } }") == CONTRACT_DATA
    assert len(rec.requests) == 3


@pytest.mark.parametrize(
    ("enabled", "pause_gc", "during"),
    [
        (True, True, False),  # paused for the validation only
        (True, False, True),  # opted out: left running
        (False, True, False),  # the application's choice, kept
        (False, False, False),
    ],
)
async def test_validation_pauses_a_running_collector_only(
    monkeypatch: pytest.MonkeyPatch, enabled: bool, pause_gc: bool, during: bool
) -> None:
    from _runtime_fakes.operations import CONTRACT

    # A result model whose validator records the collector's state at validation time.
    monkeypatch.setitem(CONTRACT._cache, "result", _Probe)
    monkeypatch.delitem(CONTRACT._cache, "envelope", raising=False)
    rec = Recorder(httpx.Response(200, json={"data": {"value": 3}}))
    was = gc.isenabled()
    _seen.clear()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        async with make_client(rec, pause_gc=pause_gc) as client:
            parsed = await client.contract(id="1")
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
        CONTRACT._cache.pop("envelope", None)
    assert isinstance(parsed, _Probe)
    assert parsed.value == 3
    assert _seen == [during]


# --- parsed endpoint URL ------------------------------------------------------------------------


async def test_a_changed_url_is_used_by_the_next_request() -> None:
    ok = httpx.Response(200, json={"data": CONTRACT_DATA})
    rec = Recorder(ok)
    async with make_client(rec) as client:
        await client.contract(id="1")
        client.url = "http://127.0.0.1:9/other"
        await client.contract(id="1")
        copy = client.with_options(max_retries=0)
        await copy.contract(id="1")
    assert [str(r.url) for r in rec.requests] == [
        "http://127.0.0.1:9/graphql",
        "http://127.0.0.1:9/other",
        "http://127.0.0.1:9/other",
    ]


async def test_an_assigned_url_is_checked_like_the_constructor_argument() -> None:
    from upwork_gql import ConfigurationError

    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        for bad in ("not-a-url", "ftp://127.0.0.1/graphql", "http://", ""):
            with pytest.raises(ConfigurationError, match="absolute http"):
                client.url = bad
        assert client.url == "http://127.0.0.1:9/graphql"
        await client.contract(id="1")
        copy = client.with_tenant("org")
        copy.url = "http://127.0.0.1:9/copy"
        await copy.contract(id="1")
        await client.contract(id="1")
    assert [str(r.url) for r in rec.requests] == [
        "http://127.0.0.1:9/graphql",
        "http://127.0.0.1:9/copy",
        "http://127.0.0.1:9/graphql",
    ]
    assert "url='http://127.0.0.1:9/copy'" in repr(copy)


# --- responses are freed by reference counting -------------------------------------------------


async def test_a_dropped_response_is_freed_without_the_cyclic_collector() -> None:
    rec = Recorder(lambda request: httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        raw = await client.with_raw_response(client.contract, id="1")
        response = raw.http_response
        assert response.is_closed
        assert response.json() == {"data": CONTRACT_DATA}
        assert [chunk async for chunk in response.aiter_bytes()] == [response.content]
        ref = weakref.ref(response)
        was = gc.isenabled()
        gc.disable()
        try:
            del raw, response
            assert ref() is None
        finally:
            if was:
                gc.enable()


# --- paginator node loop ------------------------------------------------------------------------


class _Node(BaseModel):
    id: str


class _Edge(BaseModel):
    cursor: str | None = None
    node: _Node | None = None


class _PageInfo(BaseModel):
    has_next_page: bool
    end_cursor: str | None


class _Connection(BaseModel):
    edges: list[_Edge | None]
    page_info: _PageInfo


async def test_model_edges_yield_nodes_and_track_cursors() -> None:
    pages = {
        None: _Connection(
            edges=[_Edge(cursor="c1", node=_Node(id="1")), None, _Edge(cursor="c3")],
            page_info=_PageInfo(has_next_page=True, end_cursor="p1"),
        ),
        "p1": _Connection(
            edges=[_Edge(node=_Node(id="4")), _Edge(node=_Node(id="5"))],
            page_info=_PageInfo(has_next_page=False, end_cursor="p2"),
        ),
    }

    async def fetch(after: str | None, first: int) -> _Connection:
        return pages[after]

    paginator: AsyncPaginator[_Connection, _Node] = AsyncPaginator(
        fetch, operation="op", page_size=3
    )
    ids = []
    cursors = []
    async for node in paginator:
        ids.append(node.id)
        cursors.append(paginator.cursor)
    assert ids == ["1", "4", "5"]
    # an edge without a cursor keeps the last known one (here the first page's endCursor); the
    # page's last edge falls back to the page's endCursor
    assert cursors == ["c1", "p1", "p2"]
    assert paginator.cursor == "p2"

    # max_items counts edges: the second edge of the first page is null
    limited: AsyncPaginator[_Connection, _Node] = AsyncPaginator(
        fetch, operation="op", page_size=3, max_items=2
    )
    assert [node.id async for node in limited] == ["1"]
    assert limited.cursor == "c1"

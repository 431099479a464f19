"""The cyclic collector stays the application's: a disabled collector stays disabled through a page
of results and a whole paginated walk (never enabled by the client), a running one is running
again after every call (validation failures included), nothing else about it changes, and
``pause_gc=False`` leaves it untouched. Against ``httpx.MockTransport``, no network."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from test_pagination_client import sample_model

from upwork_gql._client import UpworkClient
from upwork_gql._exceptions import PaginationError, ResponseValidationError
from upwork_gql._generated.fragments import MarketplaceJobPostingSearchResultFields
from upwork_gql._generated.input_types import MarketplaceJobFilter, Pagination

URL = "https://api.upwork.test/graphql"
NODE = sample_model(MarketplaceJobPostingSearchResultFields)


def _page(after: int, first: int, total: int) -> dict[str, Any]:
    stop = min(after + first, total)
    edges = [{"cursor": str(i + 1), "node": {**NODE, "id": str(i)}} for i in range(after, stop)]
    return {
        "data": {
            "marketplaceJobPostings": {
                "totalCount": total,
                "edges": edges,
                "pageInfo": {"hasNextPage": stop < total, "endCursor": str(stop)},
            }
        }
    }


Handler = Callable[[httpx.Request], httpx.Response]


def _server(total: int, seen: list[bool] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(gc.isenabled())
        page = json.loads(request.content)["variables"]["marketPlaceJobFilter"]["pagination_eq"]
        return httpx.Response(200, json=_page(int(page.get("after") or 0), page["first"], total))

    return handle


def _client(handler: Handler, **kwargs: Any) -> UpworkClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return UpworkClient(
        url=URL, access_token="t", http_client=http, rate_limit=None, max_retries=0, **kwargs
    )


class _Switches:
    """Counts the calls of the collector's switches (and still performs them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for name in ("disable", "enable", "collect", "freeze", "unfreeze", "set_threshold"):
            monkeypatch.setattr(gc, name, self._spy(name, getattr(gc, name)))

    def _spy(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return real(*args, **kwargs)

        return spy


@pytest.fixture
def switches(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Switches]:
    was, thresholds = gc.isenabled(), gc.get_threshold()
    spy = _Switches(monkeypatch)
    try:
        yield spy
    finally:
        monkeypatch.undo()
        gc.set_threshold(*thresholds)
        if was:
            gc.enable()
        else:
            gc.disable()


def _filter(after: str = "0", first: int = 50) -> MarketplaceJobFilter:
    return MarketplaceJobFilter(pagination_eq=Pagination(after=after, first=first))


async def test_a_disabled_collector_survives_a_page_of_results(switches: _Switches) -> None:
    gc.disable()
    switches.calls.clear()
    seen: list[bool] = []
    async with _client(_server(120, seen)) as client:
        result = await client.marketplace_job_postings(market_place_job_filter=_filter())
        assert gc.isenabled() is False
    connection = result.marketplace_job_postings
    assert connection is not None
    assert connection.edges is not None
    assert len(connection.edges) == 50
    assert seen == [False]
    assert gc.isenabled() is False
    assert "enable" not in switches.calls
    assert switches.calls == []  # a disabled collector is not even paused again


async def test_a_disabled_collector_survives_a_whole_paginated_walk(switches: _Switches) -> None:
    gc.disable()
    switches.calls.clear()
    states = []
    async with _client(_server(230)) as client:
        paginator = client.paginate_marketplace_job_postings(page_size=50)
        ids = []
        async for node in paginator:
            states.append(gc.isenabled())
            ids.append(node.id)
        pages = [page async for page in paginator.pages()]
    assert ids == [str(i) for i in range(230)]
    assert len(pages) == 5
    assert not any(states)
    assert gc.isenabled() is False
    assert switches.calls == []


async def test_a_disabled_collector_survives_a_failing_walk(switches: _Switches) -> None:
    gc.disable()
    bad = _page(0, 50, 100)
    bad["data"]["marketplaceJobPostings"]["edges"][3]["node"]["title"] = None  # not nullable
    handler = _server(100)

    def failing(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["variables"]["marketPlaceJobFilter"]["pagination_eq"].get(
            "after"
        ):
            return httpx.Response(200, json=bad)
        return handler(request)

    async with _client(failing) as client:
        with pytest.raises(PaginationError) as caught:
            async for _node in client.paginate_marketplace_job_postings(page_size=50):
                pass
    assert isinstance(caught.value.__cause__, ResponseValidationError)
    assert gc.isenabled() is False
    assert "enable" not in switches.calls


async def test_a_running_collector_is_paused_only_around_validation(switches: _Switches) -> None:
    gc.enable()
    thresholds = gc.get_threshold()
    switches.calls.clear()
    seen: list[bool] = []
    states = []
    async with _client(_server(150, seen)) as client:
        await client.marketplace_job_postings(market_place_job_filter=_filter())
        assert gc.isenabled() is True
        async for _node in client.paginate_marketplace_job_postings(page_size=50):
            states.append(gc.isenabled())
        bad = httpx.Response(200, json={"data": {"marketplaceJobPostings": {"edges": 5}}})
        async with _client(lambda request: bad) as failing:
            with pytest.raises(ResponseValidationError):
                await failing.marketplace_job_postings()
    assert all(states)
    assert all(seen)  # running while requests are sent and while the caller's code runs
    assert gc.isenabled() is True
    assert gc.get_threshold() == thresholds
    # One pause per validated response (1 call, 3 pages, 1 failure), each undone at once.
    assert switches.calls == ["disable", "enable"] * 5


async def test_pause_gc_false_never_touches_the_collector(switches: _Switches) -> None:
    for enabled in (True, False):
        if enabled:
            gc.enable()
        else:
            gc.disable()
        switches.calls.clear()
        async with _client(_server(100), pause_gc=False) as client:
            await client.marketplace_job_postings(market_place_job_filter=_filter())
            async for _node in client.paginate_marketplace_job_postings(page_size=50):
                assert gc.isenabled() is enabled
        assert gc.isenabled() is enabled
        assert switches.calls == []


async def test_a_walk_leaves_collections_to_the_application(
    switches: _Switches, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the pause, each page's objects enter the collector's count while the previous
    page's leave it: a long walk triggers (almost) no collection of its own. Without it, pages
    of 100 job postings trigger collections as they are validated. Measured as in a process
    that does not trace (the test session installs OpenTelemetry: spans allocate between pages)."""
    from upwork_gql import _telemetry

    monkeypatch.setattr(_telemetry, "otel", lambda: None)

    async def collections(**kwargs: Any) -> int:
        count = [0]

        def callback(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                count[0] += 1

        async with _client(_server(3000), **kwargs) as client:
            await client.paginate_marketplace_job_postings(page_size=100)  # warm-up page
            gc.collect()
            gc.callbacks.append(callback)
            try:
                async for _node in client.paginate_marketplace_job_postings(page_size=100):
                    pass
            finally:
                gc.callbacks.remove(callback)
        return count[0]

    gc.enable()
    paused = await collections()
    left_alone = await collections(pause_gc=False)
    assert left_alone >= 30  # 30 pages: at least one collection each
    assert paused <= 5

"""Observability of paginator walks and token refreshes, and the plain hooks.

Spans and metrics come from the in-memory providers ``conftest.py`` installs (see
``test_telemetry.py``, which covers the call spans, the metrics and the scan).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from _otel_capture import Capture
from _runtime_fakes import FakeGeneratedClient
from opentelemetry.trace import SpanKind, StatusCode
from test_auth_manager import Clock, FakeUpwork, make_manager
from test_runtime_errors import CONTRACT_DATA, URL, Recorder, make_client
from test_telemetry import attrs

from upwork_gql import (
    Hooks,
    ReauthenticationRequired,
    RefreshEvent,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)
from upwork_gql._redact import REDACTOR
from upwork_gql.auth import MemoryTokenStore, Token, TokenManager
from upwork_gql.pagination import AsyncPaginator

OK = httpx.Response(200, json={"data": CONTRACT_DATA}, headers={"vnd.eo.request-id": "req-ok-1"})
ACCESS_TOKEN = "access-TOKEN-SECRET-5d1e"


# --- paginator walks -----------------------------------------------------------------------------


def _pages_api(request: httpx.Request) -> httpx.Response:
    after = json.loads(request.content)["variables"].get("after")
    index = int(after or 0)
    nodes = [{"cursor": str(index + i + 1), "node": {"id": f"n{index + i}"}} for i in range(2)]
    return httpx.Response(
        200,
        json={
            "data": {
                "rooms": {
                    "edges": nodes,
                    "pageInfo": {"hasNextPage": index < 4, "endCursor": str(index + 2)},
                }
            }
        },
    )


def _room_paginator(client: FakeGeneratedClient, **kwargs: Any) -> AsyncPaginator[Any, Any]:
    async def fetch(after: str | None, first: int) -> Any:
        data = await client.execute(
            "query rooms($after: String, $first: Int) { rooms { edges { node { id } } } }",
            variables={"after": after, "first": first},
        )
        return data["rooms"]

    return AsyncPaginator(fetch, operation="rooms", page_size=2, **kwargs)


@pytest.mark.parametrize("prefetch", [False, True])
async def test_a_walk_is_one_span_over_its_pages(capture: Capture, prefetch: bool) -> None:
    async with make_client(Recorder(_pages_api)) as client:
        paginator = _room_paginator(client, prefetch=prefetch)
        async with paginator:
            nodes = [node async for node in paginator]
    assert [n["id"] for n in nodes] == ["n0", "n1", "n2", "n3", "n4", "n5"]
    [walk] = capture.finished("paginate rooms")
    assert walk.status.status_code is StatusCode.OK
    assert attrs(walk) == {
        "graphql.operation.name": "rooms",
        "upwork.pagination.page_size": 2,
        "upwork.pagination.pages": 3,
        "upwork.pagination.items": 6,
    }
    calls = capture.finished("query rooms")
    assert len(calls) == 3
    assert all(c.parent is not None and c.parent.span_id == walk.context.span_id for c in calls)


async def test_a_failed_walk_is_an_error_span_and_manual_steps_have_none(
    capture: Capture,
) -> None:
    bad = httpx.Response(200, json={"data": {"rooms": {"edges": []}}})
    async with make_client(Recorder(_pages_api)) as client:
        paginator = _room_paginator(client)
        await paginator  # the first page: one call, no walk
        await paginator.next_page()
        assert capture.finished("paginate rooms") == []
        assert len(capture.finished("query rooms")) == 2
    async with make_client(Recorder(bad)) as client:
        paginator = _room_paginator(client)
        with pytest.raises(Exception, match="pageInfo"):
            await paginator.to_list()
    [walk] = capture.finished("paginate rooms")
    assert walk.status.status_code is StatusCode.ERROR
    assert attrs(walk)["error.type"] == "PaginationError"


async def test_an_abandoned_walk_ends_its_span_without_error(capture: Capture) -> None:
    async with make_client(Recorder(_pages_api)) as client:
        walk_items = _room_paginator(client).__aiter__()
        assert (await walk_items.__anext__())["id"] == "n0"
        await walk_items.aclose()  # type: ignore[attr-defined]
    [walk] = capture.finished("paginate rooms")
    assert walk.status.status_code is StatusCode.OK
    assert attrs(walk)["upwork.pagination.pages"] == 1


# --- token refreshes -----------------------------------------------------------------------------


async def _expired_manager(fake: FakeUpwork, http: httpx.AsyncClient, **kwargs: Any) -> Any:
    clock = Clock()
    data = fake.issue()
    data["expires_in"] = 1
    store = MemoryTokenStore(Token.from_dict(data, now=clock.now - 10))
    return make_manager(fake, http, store=store, clock=clock, **kwargs)


@pytest.fixture
async def fake_http() -> AsyncIterator[tuple[FakeUpwork, httpx.AsyncClient]]:
    fake = FakeUpwork()
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
        yield fake, http


async def test_a_refresh_is_a_span_inside_the_call_and_reaches_the_hooks(
    capture: Capture, fake_http: tuple[FakeUpwork, httpx.AsyncClient]
) -> None:
    fake, http = fake_http
    manager = await _expired_manager(fake, http)
    events: list[RefreshEvent] = []
    client = FakeGeneratedClient(
        "https://api.test/graphql",
        http_client=http,
        auth=manager,
        hooks=Hooks(on_refresh=events.append),
    )
    assert await client.execute("query ok { ok }") == {"ok": True}
    [call] = capture.finished("query ok")
    [refresh] = capture.finished("upwork.oauth2.refresh")
    assert refresh.parent is not None
    assert refresh.parent.span_id == call.context.span_id
    assert refresh.kind is SpanKind.INTERNAL
    assert attrs(refresh) == {
        "server.address": "auth.test",
        "upwork.oauth2.grant_type": "refresh_token",
    }
    assert refresh.status.status_code is StatusCode.OK
    assert [(e.grant_type, e.error_type) for e in events] == [("refresh_token", None)]
    assert [(a, p.value) for a, p in capture.points("upwork.oauth2.refreshes")] == [
        ({"upwork.oauth2.grant_type": "refresh_token", "upwork.outcome": "success"}, 1)
    ]


async def test_a_failed_refresh_is_an_error_span_and_an_event(
    capture: Capture, fake_http: tuple[FakeUpwork, httpx.AsyncClient]
) -> None:
    fake, http = fake_http
    own: list[RefreshEvent] = []
    manager = await _expired_manager(fake, http, hooks=Hooks(on_refresh=own.append))
    fake.live_refresh.clear()  # the refresh token was revoked: invalid_grant
    with pytest.raises(ReauthenticationRequired):
        await manager.get_token()
    [refresh] = capture.finished("upwork.oauth2.refresh")
    assert refresh.status.status_code is StatusCode.ERROR
    assert attrs(refresh)["error.type"] == "ReauthenticationRequired"
    assert [(e.grant_type, e.error_type) for e in own] == [
        ("refresh_token", "ReauthenticationRequired")
    ]
    assert own[0].elapsed >= 0


async def test_a_shared_manager_reports_once_to_the_same_hooks(
    fake_http: tuple[FakeUpwork, httpx.AsyncClient],
) -> None:
    fake, http = fake_http
    events: list[RefreshEvent] = []
    hooks = Hooks(on_refresh=events.append)
    manager = await _expired_manager(fake, http, hooks=hooks)
    client = FakeGeneratedClient(
        "https://api.test/graphql", http_client=http, auth=manager, hooks=hooks
    )
    await client.execute("query ok { ok }")
    assert len(events) == 1


# --- hooks ---------------------------------------------------------------------------------------


async def test_hooks_see_every_attempt_retry_and_response(sleeps: list[float]) -> None:
    seen: list[Any] = []

    async def record(event: Any) -> None:
        seen.append(event)

    def refuse_then_answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    rec = Recorder(refuse_then_answer, httpx.Response(503, headers={"Retry-After": "2"}), OK)
    hooks = Hooks(on_request=record, on_response=[record], on_retry=(record,))
    async with make_client(rec, max_retries=2, hooks=hooks) as client:
        await client.contract(id="1")
    kinds = [(type(e).__name__, e.attempt) for e in seen]
    assert kinds == [
        ("RequestEvent", 1),
        ("ResponseEvent", 1),
        ("RetryEvent", 1),
        ("RequestEvent", 2),
        ("ResponseEvent", 2),
        ("RetryEvent", 2),
        ("RequestEvent", 3),
        ("ResponseEvent", 3),
    ]
    assert seen[0] == RequestEvent("contract", "query", 1, "127.0.0.1")
    first, second, last = seen[1], seen[4], seen[7]
    assert isinstance(first, ResponseEvent)
    assert (first.status_code, first.error_type, first.response) == (None, "ConnectError", None)
    assert (second.status_code, second.error_type) == (503, None)
    assert (last.status_code, last.request_id) == (200, "req-ok-1")
    assert last.response is not None
    assert last.response.json() == {"data": CONTRACT_DATA}
    assert all(e.elapsed >= 0 for e in (first, second, last))
    assert seen[2] == RetryEvent("contract", "query", 1, "ConnectError", sleeps[0])
    assert seen[5] == RetryEvent("contract", "query", 2, "HTTP 503", 2.0)
    assert "response" not in repr(last)


async def test_a_failing_hook_is_logged_redacted_and_never_breaks_the_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    REDACTOR.add(ACCESS_TOKEN)
    calls: list[str] = []

    def broken(event: ResponseEvent) -> None:
        raise RuntimeError(f"cannot handle {ACCESS_TOKEN}")

    async def broken_async(event: RequestEvent) -> None:
        raise ValueError("async hook failed")

    async def fine(event: ResponseEvent) -> None:
        calls.append("fine")

    hooks = Hooks(on_request=broken_async, on_response=[broken, fine])
    caplog.set_level(logging.WARNING, logger="upwork_gql.telemetry")
    async with make_client(Recorder(OK), hooks=hooks) as client:
        result = await client.contract(id="1")
    assert result.contract is not None
    assert calls == ["fine"]  # the next hook still ran
    messages = [r.getMessage() for r in caplog.records if r.name == "upwork_gql.telemetry"]
    assert len(messages) == 2
    assert "on_request hook" in messages[0]
    assert "ValueError" in messages[0]
    assert "on_response hook" in messages[1]
    assert "RuntimeError" in messages[1]
    assert "broken" in messages[1]
    assert ACCESS_TOKEN not in caplog.text
    assert "***" in messages[1]


async def test_a_cancelled_hook_cancels_the_call() -> None:
    async def cancel_me(event: RequestEvent) -> None:
        raise anyio.get_cancelled_exc_class()()

    async with make_client(Recorder(OK), hooks=Hooks(on_request=cancel_me)) as client:
        with pytest.raises(anyio.get_cancelled_exc_class()):
            await client.contract(id="1")


async def test_copies_share_the_hooks_and_empty_hooks_are_none() -> None:
    seen: list[RequestEvent] = []
    async with make_client(Recorder(OK), hooks=Hooks(on_request=seen.append)) as client:
        await client.with_tenant("org-1").contract(id="1")
        await client.with_options(max_retries=0).contract(id="1")
        assert make_client(Recorder(OK), hooks=Hooks()).hooks is None
    assert len(seen) == 2


def test_hooks_refuse_what_cannot_be_called() -> None:
    with pytest.raises(TypeError, match="callable"):
        Hooks(on_response=["not a function"])  # type: ignore[list-item]
    assert not Hooks()
    assert Hooks(on_retry=print).on_retry == (print,)


async def test_upwork_client_hands_its_hooks_to_the_token_manager_it_builds(
    tmp_path: Any,
) -> None:
    from upwork_gql import UpworkClient

    hooks = Hooks(on_refresh=print)
    client = UpworkClient(
        client_id="cid",
        client_secret="s",
        token_store=MemoryTokenStore(),
        hooks=hooks,
        url=URL,
    )
    async with client:
        assert client.hooks is hooks
        assert isinstance(client.auth, TokenManager)
        assert client.auth.hooks is hooks


def test_spans_hooks_and_refreshes_under_trio(capture: Capture) -> None:
    """Context propagation (the refresh span inside the call span, the walk's pages under
    it) does not depend on asyncio."""
    fake = FakeUpwork()
    events: list[str] = []

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake.handler)) as http:
            manager = await _expired_manager(fake, http)
            hooks = Hooks(
                on_response=lambda event: events.append(type(event).__name__),
                on_refresh=lambda event: events.append(type(event).__name__),
            )
            client = FakeGeneratedClient(
                "https://api.test/graphql", http_client=http, auth=manager, hooks=hooks
            )
            assert await client.execute("query ok { ok }") == {"ok": True}

    anyio.run(main, backend="trio")
    [call] = capture.finished("query ok")
    [refresh] = capture.finished("upwork.oauth2.refresh")
    assert refresh.parent is not None
    assert refresh.parent.span_id == call.context.span_id
    assert call.status.status_code is StatusCode.OK
    assert events == ["RefreshEvent", "ResponseEvent"]

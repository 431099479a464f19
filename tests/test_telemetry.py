"""Observability: OpenTelemetry spans and metrics (in-memory exporters), and plain hooks.

The global providers are the in-memory ones ``conftest.py`` installs once per process
(``otel_capture``); each test sees only the spans finished during it, and every test of the
suite is scanned afterwards for undocumented names and secrets (``_telemetry_scan``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import anyio
import httpx
import pytest
from _otel_capture import Capture, absent
from _redis_server import REDIS_SERVER, RedisServer
from _runtime_fakes import FakeGeneratedClient, PayInput
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from test_auth_manager import CLIENT_SECRET, TOKEN_URL, Clock, FakeUpwork, make_manager
from test_runtime_errors import CONTRACT_DATA, SCOPE_RESPONSE, URL, Recorder, make_client

from upwork_gql import (
    MissingScopeError,
    RateLimiter,
)
from upwork_gql._redact import REDACTOR
from upwork_gql.auth import MemoryTokenStore, Token

OK = httpx.Response(200, json={"data": CONTRACT_DATA}, headers={"vnd.eo.request-id": "req-ok-1"})
#: Distinctive values that must never reach a span, an event or a metric.
VARIABLE_VALUE = "VARIABLE-VALUE-7f3a"
INLINED_VALUE = "INLINED-VALUE-91c2"
ACCESS_TOKEN = "access-TOKEN-SECRET-5d1e"


def attrs(span: Any) -> dict[str, Any]:
    return dict(span.attributes or {})


def counter_value(capture: Capture, metric: str, **match: str) -> int:
    return sum(
        point.value
        for attributes, point in capture.points(metric)
        if all(attributes.get(key) == value for key, value in match.items())
    )


# --- the issue's "done when" ----------------------------------------------------------------------


async def test_a_503_then_success_is_one_span_with_one_retry_event(
    capture: Capture, sleeps: list[float]
) -> None:
    rec = Recorder(httpx.Response(503), OK)
    async with make_client(rec, max_retries=2) as client:
        result = await client.contract(id="1")
    assert result.contract is not None
    [span] = capture.finished()
    assert span.name == "query contract"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.OK
    assert attrs(span) | {"upwork.rate_limit.wait": 0} == {
        "graphql.operation.name": "contract",
        "graphql.operation.type": "query",
        "server.address": "127.0.0.1",
        "server.port": 9,
        "http.response.status_code": 200,
        "upwork.request_id": "req-ok-1",
        "upwork.retry_count": 1,
        "upwork.rate_limit.wait": 0,
    }
    [event] = span.events
    assert event.name == "upwork.retry"
    assert dict(event.attributes or {}) == {
        "upwork.retry.attempt": 1,
        "upwork.retry.reason": "HTTP 503",
        "upwork.retry.wait": sleeps[0],
    }


async def test_a_scope_error_inside_a_200_is_an_error_span(capture: Capture) -> None:
    rec = Recorder(httpx.Response(200, json=SCOPE_RESPONSE, headers={"vnd.eo.request-id": "s-1"}))
    async with make_client(rec) as client:
        with pytest.raises(MissingScopeError):
            await client.contract(id="1")
    [span] = capture.finished("query contract")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "MissingScopeError"
    assert attrs(span)["error.type"] == "MissingScopeError"
    assert attrs(span)["http.response.status_code"] == 200
    assert attrs(span)["upwork.request_id"] == "s-1"
    assert attrs(span)["upwork.retry_count"] == 0
    assert (
        counter_value(
            capture,
            "upwork.client.operations",
            **{"graphql.operation.name": "contract", "error.type": "MissingScopeError"},
        )
        >= 1
    )


async def test_no_variable_value_document_token_or_secret_is_reported(
    capture: Capture, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    """Distinctive values everywhere a call carries them; none of them in any span, event,
    attribute, status or metric (the suite-wide scan checks the secrets after every test)."""
    fake = FakeUpwork()
    stale = fake.issue()
    stale["expires_in"] = 1
    clock = Clock()
    store = MemoryTokenStore(Token.from_dict(stale, now=clock.now - 10))

    async def api(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return await fake.token(request)
        # A server echoing what it was sent, in the error message and the headers.
        body = request.content.decode()
        return httpx.Response(
            503 if "retry-me" in body else 200,
            json={"errors": [{"message": f"bad {body} {request.headers['authorization']}"}]},
            headers={"vnd.eo.request-id": "req-echo"},
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as http:
        manager = make_manager(fake, http, store=store, clock=clock)
        client = FakeGeneratedClient(URL, http_client=http, auth=manager, max_retries=1)
        with pytest.raises(Exception):  # noqa: B017, PT011 (the type is not the point)
            await client.contract(id=VARIABLE_VALUE)
        with pytest.raises(Exception):  # noqa: B017, PT011
            await client.execute(f'query inlined {{ contract(id: "{INLINED_VALUE}") {{ id }} }}')
        with pytest.raises(Exception):  # noqa: B017, PT011
            await client.execute(
                "query q($id: ID!) { contract(id: $id) { id } }",
                variables={"id": f"{VARIABLE_VALUE}-retry-me"},
            )
        with pytest.raises(Exception):  # noqa: B017, PT011
            await client.pay(PayInput(amount=1, contract_id=VARIABLE_VALUE, note=VARIABLE_VALUE))
    secrets = [
        VARIABLE_VALUE,
        INLINED_VALUE,
        CLIENT_SECRET,
        "contract(id:",  # any piece of a document
        stale["access_token"],
        stale["refresh_token"],
        *(t.removeprefix("Bearer ") for t in fake.valid_access),
        *fake.live_refresh,
    ]
    names = {span.name for span in capture.finished()}
    assert names == {
        "query contract",
        "query inlined",
        "query q",
        "mutation pay",
        "upwork.oauth2.refresh",
    }
    assert absent(capture.dump(), secrets) == []
    assert capture.leaks(REDACTOR) == []


def test_without_the_extra_no_opentelemetry_module_is_imported() -> None:
    """opentelemetry hidden (as if not installed): import, build, call (with hooks, a refresh,
    a paginator walk) and nothing named opentelemetry is ever imported."""
    code = textwrap.dedent(
        """
        import sys

        class Blocker:
            def find_spec(self, name, path=None, target=None):
                if name == "opentelemetry" or name.startswith("opentelemetry."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, Blocker())

        import anyio, httpx
        from upwork_gql import Hooks, UpworkClient

        seen = []

        async def hook(event):
            seen.append(type(event).__name__)

        def api(request):
            body = request.content.decode()
            return httpx.Response(200, json={"data": {"ok": True}})

        async def main():
            http = httpx.AsyncClient(transport=httpx.MockTransport(api))
            hooks = Hooks(on_request=hook, on_response=hook)
            async with UpworkClient(
                url="http://127.0.0.1:9/graphql", access_token="t", http_client=http, hooks=hooks
            ) as client:
                assert await client.execute("query ok { ok }") == {"ok": True}
            await http.aclose()

        anyio.run(main)
        assert seen == ["RequestEvent", "ResponseEvent"], seen
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_installed_but_unused_opentelemetry_is_not_imported_then_used_once_set_up() -> None:
    """With the extra installed, a process that never imports OpenTelemetry does not pay for it;
    once the application imports it and sets a provider (after the client's first call), the
    next call is traced."""
    code = textwrap.dedent(
        """
        import sys
        import anyio, httpx
        from upwork_gql import UpworkClient

        def api(request):
            return httpx.Response(200, json={"data": {"ok": True}})

        async def call(client):
            await client.execute("query ok { ok }")

        async def main():
            http = httpx.AsyncClient(transport=httpx.MockTransport(api))
            client = UpworkClient(
                url="http://127.0.0.1:9/graphql", access_token="t", http_client=http
            )
            await call(client)
            print(any(m.startswith("opentelemetry") for m in sys.modules))

            from opentelemetry import trace
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
                InMemorySpanExporter,
            )

            exporter = InMemorySpanExporter()
            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            trace.set_tracer_provider(provider)
            await call(client)
            print([span.name for span in exporter.get_finished_spans()])
            await http.aclose()

        anyio.run(main)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False", "['query ok']"]


# --- call spans ----------------------------------------------------------------------------------


async def test_span_names_follow_type_and_name(capture: Capture) -> None:
    rec = Recorder(
        httpx.Response(200, json={"data": {"pay": True}}),
        httpx.Response(200, json={"data": {"a": 1}}),
    )
    async with make_client(rec) as client:
        await client.pay(PayInput(amount=1, contract_id="c"))
        await client.execute("{ a }")
        await client.execute("mutation m2 { a }")
        await client.execute("query a { a } query b { a }", operation_name="b")
        await client.execute("# mutation x\nquery named { a }")
    names = [span.name for span in capture.finished()]
    assert names == ["mutation pay", "query", "mutation m2", "query b", "query named"]
    anonymous = capture.finished("query")[0]
    assert "graphql.operation.name" not in attrs(anonymous)


async def test_call_span_is_current_while_the_request_is_sent(capture: Capture) -> None:
    """So spans made below it (httpx instrumentation, the token refresh) are its children."""
    tracer = trace.get_tracer("test-transport")

    def handler(request: httpx.Request) -> httpx.Response:
        with tracer.start_as_current_span("transport"):
            return httpx.Response(200, json={"data": CONTRACT_DATA})

    async with make_client(Recorder(handler)) as client:
        await client.contract(id="1")
    [call] = capture.finished("query contract")
    [inner] = [s for s in capture.spans.get_finished_spans() if s.name == "transport"]
    assert inner.parent is not None
    assert inner.parent.span_id == call.context.span_id
    assert trace.get_current_span() is trace.INVALID_SPAN  # the context was restored


async def test_transport_errors_end_in_an_error_span(capture: Capture, sleeps: list[float]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    async with make_client(Recorder(refuse), max_retries=2) as client:
        with pytest.raises(Exception, match="connection error"):
            await client.contract(id="1")
    [span] = capture.finished()
    assert span.status.status_code is StatusCode.ERROR
    assert attrs(span)["error.type"] == "APIConnectionError"
    assert attrs(span)["upwork.retry_count"] == 2
    assert "http.response.status_code" not in attrs(span)
    assert [dict(e.attributes or {})["upwork.retry.reason"] for e in span.events] == [
        "ConnectError",
        "ConnectError",
    ]


async def test_a_cancelled_call_is_neither_ok_nor_error(capture: Capture) -> None:
    started = anyio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await anyio.sleep(60)
        return OK  # pragma: no cover

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    client = FakeGeneratedClient(URL, http_client=http, rate_limit=None)
    async with client, anyio.create_task_group() as tg:
        tg.start_soon(client.contract, "1")
        await started.wait()
        tg.cancel_scope.cancel()
    await http.aclose()
    [span] = capture.finished()
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in attrs(span)
    assert (
        counter_value(capture, "upwork.client.operations", **{"upwork.outcome": "cancelled"}) == 1
    )


# --- metrics -------------------------------------------------------------------------------------


async def test_operation_retry_and_wait_metrics(capture: Capture, sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(429), OK, httpx.Response(500))
    async with make_client(rec, max_retries=1, rate_limiter=RateLimiter(None)) as client:
        await client.contract(id="1")
        with pytest.raises(Exception, match="HTTP 500"):
            await client.contract(id="1", max_retries=0)
    name = {"graphql.operation.name": "contract", "graphql.operation.type": "query"}
    ok = {**name, "upwork.outcome": "success"}
    error = {**name, "upwork.outcome": "error", "error.type": "InternalServerError"}
    assert [(a, p.value) for a, p in capture.points("upwork.client.operations")] == [
        (ok, 1),
        (error, 1),
    ]
    assert [(a, p.count) for a, p in capture.points("upwork.client.operation.duration")] == [
        (ok, 1),
        (error, 1),
    ]
    assert [(a, p.value) for a, p in capture.points("upwork.client.retries")] == [
        ({**name, "upwork.retry.reason": "HTTP 429"}, 1)
    ]
    assert [(a, p.count) for a, p in capture.points("upwork.rate_limit.wait")] == [
        (name, 3)  # one per attempt
    ]


def test_the_daily_budget_gauge_reports_registered_limiters(capture: Capture) -> None:
    from upwork_gql._telemetry import register_budget

    class Budget:
        client_id = "gauge-client-1"
        last_remaining_daily_budget: int | None = 39_990

    class Unknown:
        client_id = "gauge-client-2"
        last_remaining_daily_budget: int | None = None

    budget, unknown = Budget(), Unknown()
    register_budget(budget)
    register_budget(unknown)
    points = {
        attributes.get("upwork.client_id"): point.value
        for attributes, point in capture.points("upwork.rate_limit.daily_budget.remaining")
    }
    assert points.get("gauge-client-1") == 39_990
    assert "gauge-client-2" not in points
    del budget  # limiters are held weakly: a dropped one is no longer reported
    capture.reset()
    points = {
        attributes.get("upwork.client_id"): point.value
        for attributes, point in capture.points("upwork.rate_limit.daily_budget.remaining")
    }
    assert "gauge-client-1" not in points


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
async def test_a_redis_limiter_reports_its_remaining_budget(capture: Capture) -> None:
    from upwork_gql.limits import redis_rate_limiter_from_url

    server = RedisServer()
    server.start()
    try:
        limiter = redis_rate_limiter_from_url(server.url, "budget-client", rate=None, daily_quota=5)
        assert limiter.last_remaining_daily_budget is None
        async with make_client(Recorder(OK), rate_limiter=limiter) as client:
            await client.contract(id="1")
            await client.contract(id="1")
        assert limiter.last_remaining_daily_budget == 3
        points = {
            attributes.get("upwork.client_id"): point.value
            for attributes, point in capture.points("upwork.rate_limit.daily_budget.remaining")
        }
        assert points["budget-client"] == 3
        await limiter.aclose()
    finally:
        server.close()


def test_the_scan_finds_undocumented_attributes_and_secrets(capture: Capture) -> None:
    """The suite-wide scan can fail: a span of the library's scope with a document, a secret
    and an unknown event is reported."""
    REDACTOR.add(ACCESS_TOKEN)
    tracer = trace.get_tracer("upwork_gql")
    with tracer.start_as_current_span("query contract") as span:
        span.set_attribute("graphql.document", "query { contract(id: 1) }")
        span.set_attribute("upwork.request_id", f"rid {ACCESS_TOKEN}")
        span.set_attribute("graphql.operation.name", "con tract")
        span.add_event("upwork.variables", {"id": "1"})
    leaks = capture.leaks(REDACTOR)
    capture.spans.clear()  # not the library's: keep them from the after-test scan
    assert len(leaks) == 5, leaks
    assert any("graphql.document" in leak for leak in leaks)
    assert any("upwork.request_id holds a secret" in leak for leak in leaks)
    assert any("graphql.operation.name='con tract'" in leak for leak in leaks)
    assert any("unexpected event 'upwork.variables'" in leak for leak in leaks)
    assert any("undocumented attribute id=" in leak for leak in leaks)

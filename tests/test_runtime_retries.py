"""Runtime: retries safe for GraphQL (queries vs mutations), backoff, Retry-After, timeouts."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import anyio
import httpx
import pytest
from _runtime_fakes import FakeGeneratedClient, PayInput
from test_runtime_errors import CONTRACT_DATA, URL, Recorder, make_client

from upwork_gql._constants import DEFAULT_TIMEOUT
from upwork_gql._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    InternalServerError,
    RateLimitError,
)
from upwork_gql._retry_after import parse_retry_after

OK = httpx.Response(200, json={"data": CONTRACT_DATA})
PAY_OK = httpx.Response(200, json={"data": {"pay": True}})


def raise_(exc: Exception) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


# --- Retry-After parsing ----------------------------------------------------------------------


def test_retry_after_seconds() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"Retry-After": " 1.5 "})) == 1.5


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=now) == pytest.approx(30)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": past}), now=now) == 0.0


def test_retry_after_missing_or_invalid() -> None:
    assert parse_retry_after(httpx.Headers({})) is None
    assert parse_retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert parse_retry_after(httpx.Headers({"Retry-After": "inf"})) is None
    assert parse_retry_after(httpx.Headers({"Retry-After": "-5"})) == 0.0


def test_retry_after_ms_wins() -> None:
    headers = httpx.Headers({"retry-after-ms": "250", "Retry-After": "9"})
    assert parse_retry_after(headers) == 0.25


async def test_retry_after_is_honoured(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "2"}), OK)
    async with make_client(rec, max_retries=2) as client:
        raw = await client.with_raw_response(client.contract, id="1")
    assert sleeps == [2.0]
    assert raw.retries_taken == 1
    assert len(rec.requests) == 2


async def test_retry_after_date_is_honoured(sleeps: list[float]) -> None:
    date = email.utils.formatdate(time.time() + 5, usegmt=True)
    rec = Recorder(httpx.Response(503, headers={"Retry-After": date}), OK)
    async with make_client(rec, max_retries=1) as client:
        await client.contract(id="1")
    assert len(sleeps) == 1
    assert 3.0 <= sleeps[0] <= 5.0


async def test_huge_retry_after_is_not_waited_for(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "86400"}), OK)
    async with make_client(rec, max_retries=2, max_retry_after=60) as client:
        with pytest.raises(RateLimitError) as info:
            await client.contract(id="1")
    assert info.value.retry_after == 86400.0
    assert sleeps == []
    assert len(rec.requests) == 1


async def test_missing_retry_after_uses_exponential_backoff_with_jitter(
    sleeps: list[float],
) -> None:
    rec = Recorder(httpx.Response(429))
    async with make_client(
        rec, max_retries=4, retry_initial_delay=0.5, retry_max_delay=3.0
    ) as client:
        with pytest.raises(RateLimitError):
            await client.contract(id="1")
    assert len(rec.requests) == 5
    assert len(sleeps) == 4
    for delay, nominal in zip(sleeps, [0.5, 1.0, 2.0, 3.0], strict=True):
        assert 0.75 * nominal <= delay <= nominal


# --- retry counts: queries -----------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_query_retried_on_retryable_status(status: int, sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(status), OK)
    async with make_client(rec, max_retries=2) as client:
        result = await client.contract(id="1")
    assert result.contract is not None
    assert len(rec.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 418])
async def test_query_not_retried_on_client_errors(status: int, sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(status), OK)
    async with make_client(rec, max_retries=2) as client:
        with pytest.raises(Exception, match=f"HTTP {status}"):
            await client.contract(id="1")
    assert len(rec.requests) == 1
    assert sleeps == []


async def test_query_default_retries_then_raises(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503))
    http = httpx.AsyncClient(transport=httpx.MockTransport(rec))
    async with FakeGeneratedClient(URL, http_client=http, rate_limit=None) as client:
        with pytest.raises(InternalServerError):
            await client.contract(id="1")
    await http.aclose()
    assert len(rec.requests) == 3  # default: 2 retries
    assert len(sleeps) == 2


async def test_per_call_max_retries(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503))
    async with make_client(rec, max_retries=5) as client:
        with pytest.raises(InternalServerError):
            await client.contract(id="1", max_retries=1)
        assert len(rec.requests) == 2
        rec.requests.clear()
        with pytest.raises(InternalServerError):
            await client.with_options(max_retries=0).contract(id="1")
        assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.RemoteProtocolError("eof"), APIConnectionError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.PoolTimeout("busy"), APITimeoutError),
    ],
)
async def test_query_retried_on_transport_errors(
    exc: Exception, expected: type[Exception], sleeps: list[float]
) -> None:
    rec = Recorder(raise_(exc))
    async with make_client(rec, max_retries=2) as client:
        with pytest.raises(expected) as info:
            await client.contract(id="1")
    assert len(rec.requests) == 3
    assert info.value.__cause__ is exc
    assert "contract" in str(info.value)


async def test_query_recovers_after_connection_error(sleeps: list[float]) -> None:
    rec = Recorder(raise_(httpx.ConnectError("refused")), OK)
    async with make_client(rec, max_retries=2) as client:
        raw = await client.with_raw_response.contract(id="1")
    assert raw.retries_taken == 1
    assert raw.parsed.contract.id == "42"


# --- retry counts: mutations --------------------------------------------------------------------


async def test_mutation_hit_by_503_is_sent_exactly_once(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503), PAY_OK)
    async with make_client(rec, max_retries=3) as client:
        with pytest.raises(InternalServerError):
            await client.pay(input=PayInput(amount=10, contractId="c"))
    assert len(rec.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("slow"), httpx.ReadError("reset"), httpx.RemoteProtocolError("x")]
)
async def test_mutation_not_retried_when_request_may_have_been_sent(
    exc: Exception, sleeps: list[float]
) -> None:
    rec = Recorder(raise_(exc), PAY_OK)
    async with make_client(rec, max_retries=3) as client:
        with pytest.raises(APIConnectionError):
            await client.pay(input=PayInput(amount=10, contractId="c"))
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")]
)
async def test_mutation_retried_when_request_never_left(
    exc: Exception, sleeps: list[float]
) -> None:
    rec = Recorder(raise_(exc), PAY_OK)
    async with make_client(rec, max_retries=3) as client:
        result = await client.pay(input=PayInput(amount=10, contractId="c"))
    assert result.pay is True
    assert len(rec.requests) == 2


async def test_mutation_retried_when_caller_opts_in(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503), httpx.Response(429), PAY_OK)
    async with make_client(rec, max_retries=3) as client:
        raw = await client.with_raw_response(
            client.pay, input=PayInput(amount=10, contractId="c"), retry_mutation=True
        )
    assert raw.parsed.pay is True
    assert raw.retries_taken == 2
    assert len(rec.requests) == 3


async def test_mutation_detected_from_document_not_name(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503), PAY_OK)
    async with make_client(rec, max_retries=3) as client:
        with pytest.raises(InternalServerError):
            await client.execute("mutation { archive(id: 1) }")
        rec.requests.clear()
        rec.responses = [httpx.Response(503), httpx.Response(200, json={"data": {"x": 1}})]
        result = await client.execute("{ x }")
    assert result == {"x": 1}
    assert len(rec.requests) == 2


@pytest.mark.parametrize(
    ("document", "operation_name"),
    [
        ("garbage", None),  # no operation keyword
        ("query a { x } mutation b { y }", None),  # several operations, none chosen
        ("query a { x } mutation b { y }", "b"),  # the chosen one is a mutation
        ("query a { x }", "c"),  # a name the document does not define
        ("# query a { x }\nmutation { y }", None),  # comments are not read as operations
    ],
)
async def test_document_that_may_be_a_mutation_is_never_retried(
    sleeps: list[float], document: str, operation_name: str | None
) -> None:
    """Ad-hoc documents are not parsed at run time: a document whose kind cannot be told from
    its operation keywords counts as a mutation."""
    rec = Recorder(httpx.Response(503))
    async with make_client(rec, max_retries=3) as client:
        with pytest.raises(InternalServerError):
            await client.execute(document, operation_name)
    assert len(rec.requests) == 1


async def test_the_chosen_query_of_a_document_is_retried(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503), httpx.Response(200, json={"data": {"x": 1}}))
    async with make_client(rec, max_retries=3) as client:
        result = await client.execute("query a { x } mutation b { y }", "a")
    assert result == {"x": 1}
    assert len(rec.requests) == 2


# --- timeouts -----------------------------------------------------------------------------------


async def test_default_timeout_is_finite_and_sent_per_request() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return OK

    async with FakeGeneratedClient(URL, rate_limit=None) as client:
        client._shared.http_client._transport = httpx.MockTransport(handler)
        await client.contract(id="1")
        await client.contract(id="1", timeout=2.5)
        await client.contract(id="1", timeout=httpx.Timeout(1.0, connect=0.5))
        await client.with_options(timeout=7).contract(id="1")
    assert seen[0] == DEFAULT_TIMEOUT.as_dict()
    assert all(v is not None for v in seen[0].values())
    assert seen[1] == httpx.Timeout(2.5).as_dict()
    assert seen[2] == httpx.Timeout(1.0, connect=0.5).as_dict()
    assert seen[3] == httpx.Timeout(7).as_dict()


async def test_user_client_timeout_respected_unless_infinite() -> None:
    http = httpx.AsyncClient(timeout=12.0)
    assert FakeGeneratedClient(URL, http_client=http).timeout == httpx.Timeout(12.0)
    unbounded = httpx.AsyncClient(timeout=None)
    assert FakeGeneratedClient(URL, http_client=unbounded).timeout == DEFAULT_TIMEOUT
    await http.aclose()
    await unbounded.aclose()


async def test_infinite_timeouts_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        FakeGeneratedClient(URL, timeout=httpx.Timeout(None))
    rec = Recorder(OK)
    async with make_client(rec) as client:
        with pytest.raises(ConfigurationError):
            await client.contract(id="1", timeout=httpx.Timeout(5.0, read=None))
        with pytest.raises(ConfigurationError):
            client.with_options(timeout=httpx.Timeout(None))
    assert rec.requests == []


async def test_real_timeout_over_loopback_raises_api_timeout_error() -> None:
    """A server that accepts but never answers: the read timeout fires, retries are bounded."""
    accepted: list[Any] = []

    async def hold(stream: Any) -> None:
        accepted.append(stream)
        await anyio.sleep(30)

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hold)
        async with FakeGeneratedClient(
            f"http://127.0.0.1:{port}/graphql",
            timeout=httpx.Timeout(0.2, connect=1.0),
            max_retries=1,
            retry_initial_delay=0.01,
            rate_limit=None,
        ) as client:
            start = time.monotonic()
            with anyio.fail_after(10), pytest.raises(APITimeoutError) as info:
                await client.contract(id="1")
            elapsed = time.monotonic() - start
        tg.cancel_scope.cancel()
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert len(accepted) == 2  # first attempt + one retry
    assert 0.4 <= elapsed < 5

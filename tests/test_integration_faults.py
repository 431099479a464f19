"""Faults injected by the sandbox, met by the public client over real loopback HTTP.

Queries are retried (408/429/5xx, dropped connections, timeouts) and succeed; a mutation is never
sent twice unless the caller opts in or the request provably never left; every failure is the
documented exception class with the request id when a response came back.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import pytest
from _live_sandbox import REQUEST_ID, ClientFactory, CounterDelta

from upwork_gql import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    InvalidResponseError,
    RateLimitError,
    RequestTimeoutError,
)
from upwork_gql.sandbox import RunningSandbox
from upwork_gql.types import Contract

PAY = """
mutation pay($input: CustomPaymentInput) {
  sendCustomPayment(input: $input) { invoiceId }
}
"""


def payment(contract_id: str) -> dict[str, Any]:
    return {
        "input": {
            "contractId": contract_id,
            "amount": 25.0,
            "comment": "Thanks for the extra work",
            "notes": "bonus",
        }
    }


def contract_id(sandbox: RunningSandbox) -> str:
    return sandbox.state.data.default_org.contract_ids()[0]


# ---------------------------------------------------------------------------------------------
# Queries: retried, then they succeed


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "retry_after": 0.25},
        {"status": 429},
        {"status": 408},
        {"status": 500},
        {"status": 502, "html": True},
        {"status": 503},
        {"drop": True},
        {"drop": True, "after": True},
    ],
    ids=[
        "429-retry-after",
        "429-no-retry-after",
        "408",
        "500",
        "502-html",
        "503",
        "dropped",
        "dropped-after-execution",
    ],
)
async def test_query_is_retried_and_succeeds(
    live_sandbox: RunningSandbox,
    sandbox_client: ClientFactory,
    sandbox_counts: CounterDelta,
    fault: dict[str, Any],
) -> None:
    cid = contract_id(live_sandbox)
    async with sandbox_client() as client:
        live_sandbox.push_faults({"next": [fault]})
        started = time.monotonic()
        raw = await client.with_raw_response(client.contract, id=cid)
        elapsed = time.monotonic() - started
    assert isinstance(raw.parsed, Contract)
    assert raw.parsed.contract is not None
    assert raw.parsed.contract.id == cid
    assert raw.retries_taken == 1
    assert raw.request_id is not None
    assert REQUEST_ID.fullmatch(raw.request_id)
    assert sandbox_counts["graphql_requests"] == 2
    assert sandbox_counts["faults_applied"] == 1
    if "retry_after" in fault:
        assert elapsed >= fault["retry_after"]  # the server's Retry-After was honoured


async def test_slow_response_times_out_then_the_retry_succeeds(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    cid = contract_id(live_sandbox)
    async with sandbox_client() as client:
        live_sandbox.push_faults({"next": [{"delay": 1.5}]})
        started = time.monotonic()
        raw = await client.with_raw_response(client.contract, id=cid, timeout=0.3)
        elapsed = time.monotonic() - started
    assert raw.parsed.contract is not None
    assert raw.parsed.contract.id == cid
    assert raw.retries_taken == 1
    assert sandbox_counts["graphql_requests"] == 2
    assert elapsed < 1.5  # did not wait for the slow answer


async def test_a_walk_across_pages_survives_faults_between_pages(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    faults: list[dict[str, Any]] = [
        {"status": 503},
        {"status": 429, "retry_after": 0},
        {"drop": True},
    ]
    rooms: list[str] = []
    async with sandbox_client() as client:
        live_sandbox.push_faults({"next": [faults.pop(0)]})
        async for page in client.paginate_room_list(page_size=20).pages():
            rooms.extend(edge.node.id for edge in page.edges)
            if faults:  # the request for the next page meets a fault
                live_sandbox.push_faults({"next": [faults.pop(0)]})
    assert len(rooms) == len(set(rooms)) == 64
    assert sandbox_counts["operation.roomList"] == 4  # 4 pages, each executed once
    assert sandbox_counts["graphql_requests"] == 4 + 3


# ---------------------------------------------------------------------------------------------
# Queries: retries exhausted, or not allowed -> the right error class, with the request id


@pytest.mark.parametrize(
    ("fault", "error_class", "status"),
    [
        ({"status": 500}, InternalServerError, 500),
        ({"status": 502, "html": True}, InternalServerError, 502),
        ({"status": 503}, InternalServerError, 503),
        ({"status": 408}, RequestTimeoutError, 408),
        ({"status": 429, "retry_after": 0.01}, RateLimitError, 429),
    ],
    ids=["500", "502-html", "503", "408", "429"],
)
async def test_query_fails_after_the_retries_with_the_status_class(
    live_sandbox: RunningSandbox,
    sandbox_client: ClientFactory,
    sandbox_counts: CounterDelta,
    fault: dict[str, Any],
    error_class: type[Exception],
    status: int,
) -> None:
    async with sandbox_client(max_retries=2) as client:
        live_sandbox.push_faults({"next": [{**fault, "times": 3}]})
        with pytest.raises(error_class) as caught:
            await client.contract(id=contract_id(live_sandbox))
    error = caught.value
    assert type(error) is error_class
    assert error.status_code == status  # type: ignore[attr-defined]
    assert error.operation == "contract"  # type: ignore[attr-defined]
    request_id = error.request_id  # type: ignore[attr-defined]
    assert request_id is not None
    assert REQUEST_ID.fullmatch(request_id)
    assert request_id in str(error)
    assert sandbox_counts["graphql_requests"] == 3  # the first attempt and two retries
    assert live_sandbox.state.faults.pending()["graphql"] == 0


async def test_html_502_becomes_a_readable_error(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    async with sandbox_client(max_retries=0) as client:
        live_sandbox.push_faults({"next": [{"status": 502, "html": True}]})
        with pytest.raises(InternalServerError) as caught:
            await client.contract(id=contract_id(live_sandbox))
    error = caught.value
    assert error.status_code == 502
    assert "502 Bad Gateway" in error.body_excerpt
    assert "\n" not in error.body_excerpt
    assert len(error.body_excerpt) <= 200
    assert str(error).startswith("HTTP 502")


async def test_rate_limit_error_carries_retry_after(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    # A Retry-After above the client's cap (2 s here) is not waited for: raised at once.
    async with sandbox_client() as client:
        live_sandbox.push_faults({"next": [{"status": 429, "retry_after": 120}]})
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            await client.contract(id=contract_id(live_sandbox))
        assert time.monotonic() - started < 2
    assert caught.value.retry_after == 120
    assert caught.value.request_id is not None
    assert sandbox_counts["graphql_requests"] == 1


async def test_rate_limit_without_retry_after_after_retries(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client(max_retries=1) as client:
        live_sandbox.push_faults({"next": [{"status": 429, "times": 2}]})
        with pytest.raises(RateLimitError) as caught:
            await client.contract(id=contract_id(live_sandbox))
    assert caught.value.retry_after is None
    assert caught.value.status_code == 429
    assert sandbox_counts["graphql_requests"] == 2


async def test_slow_response_times_out(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client(max_retries=0) as client:
        live_sandbox.push_faults({"next": [{"delay": 1.5}]})
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            await client.contract(id=contract_id(live_sandbox), timeout=0.3)
        assert time.monotonic() - started < 1.5
    assert caught.value.operation == "contract"
    assert caught.value.request_id is None  # no response came back
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)
    assert sandbox_counts["graphql_requests"] == 1


async def test_dropped_connection_is_a_connection_error(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client(max_retries=0) as client:
        live_sandbox.push_faults({"next": [{"drop": True}]})
        with pytest.raises(APIConnectionError) as caught:
            await client.contract(id=contract_id(live_sandbox))
        # The pool recovers: the next call on the same client works.
        again = await client.contract(id=contract_id(live_sandbox))
    assert type(caught.value) is APIConnectionError
    assert caught.value.request_id is None
    assert again.contract is not None
    assert sandbox_counts["graphql_requests"] == 2


async def test_truncated_json_is_an_invalid_response_error(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    async with sandbox_client(max_retries=0) as client:
        live_sandbox.push_faults({"next": [{"truncate": True}]})
        with pytest.raises(InvalidResponseError) as caught:
            await client.contract(id=contract_id(live_sandbox))
    error = caught.value
    assert not isinstance(error, json.JSONDecodeError)
    assert error.status_code == 200
    assert error.operation == "contract"
    assert error.request_id is not None
    assert REQUEST_ID.fullmatch(error.request_id)
    assert error.body_excerpt.startswith('{"data"')
    assert "not JSON" in str(error)


async def test_server_rate_limit_is_absorbed_by_retries(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    # Several 429s in a row with Retry-After: 0, as from a busy server: still one good result.
    async with sandbox_client(max_retries=3) as client:
        live_sandbox.push_faults({"next": [{"status": 429, "retry_after": 0, "times": 3}]})
        raw = await client.with_raw_response(client.room_list)
    assert raw.retries_taken == 3
    assert raw.parsed.room_list.total_count == 64


# ---------------------------------------------------------------------------------------------
# Mutations: never sent twice


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        ({"status": 503}, InternalServerError),
        ({"status": 502, "html": True}, InternalServerError),
        ({"status": 500}, InternalServerError),
        ({"status": 429, "retry_after": 0}, RateLimitError),
    ],
    ids=["503", "502-html", "500", "429"],
)
async def test_mutation_hit_by_an_error_status_is_sent_exactly_once(
    live_sandbox: RunningSandbox,
    sandbox_client: ClientFactory,
    sandbox_counts: CounterDelta,
    fault: dict[str, Any],
    error_class: type[Exception],
) -> None:
    async with sandbox_client(max_retries=5) as client:
        live_sandbox.push_faults({"next": [{**fault, "times": 6}]})
        with pytest.raises(error_class) as caught:
            await client.execute(
                PAY, operation_name="pay", variables=payment(contract_id(live_sandbox))
            )
    assert sandbox_counts["graphql_requests"] == 1
    assert sandbox_counts["mutations"] == 0
    assert caught.value.operation == "pay"  # type: ignore[attr-defined]
    assert caught.value.request_id is not None  # type: ignore[attr-defined]


async def test_mutation_whose_response_is_lost_is_not_repeated(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    # The payment went through, then the connection dropped: retrying would pay twice.
    async with sandbox_client(max_retries=5) as client:
        live_sandbox.push_faults({"next": [{"drop": True, "after": True}]})
        with pytest.raises(APIConnectionError):
            await client.execute(PAY, variables=payment(contract_id(live_sandbox)))
    assert sandbox_counts["graphql_requests"] == 1
    assert sandbox_counts["mutation.sendCustomPayment"] == 1


async def test_mutation_that_times_out_is_not_repeated(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client(max_retries=5) as client:
        live_sandbox.push_faults({"next": [{"delay": 1.0}]})
        with pytest.raises(APITimeoutError):
            await client.execute(PAY, variables=payment(contract_id(live_sandbox)), timeout=0.3)
    assert sandbox_counts["graphql_requests"] == 1


async def test_mutation_retried_when_the_caller_opts_in(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client() as client:
        live_sandbox.push_faults({"next": [{"status": 503}]})
        result = await client.with_raw_response(
            client.execute, PAY, variables=payment(contract_id(live_sandbox)), retry_mutation=True
        )
    assert result.parsed["sendCustomPayment"]["invoiceId"]
    assert result.info.retries_taken == 1
    assert sandbox_counts["graphql_requests"] == 2
    assert sandbox_counts["mutation.sendCustomPayment"] == 1


async def test_mutation_succeeds_once_without_faults(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client() as client:
        result = await client.with_raw_response(
            client.execute, PAY, variables=payment(contract_id(live_sandbox))
        )
    assert result.parsed["sendCustomPayment"]["invoiceId"]
    assert result.info.request_id is not None
    assert sandbox_counts["mutations"] == 1
    assert sandbox_counts["operation.pay"] == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_mutation_retried_when_it_never_left(sandbox_client: ClientFactory) -> None:
    # Connection refused: the request provably never reached a server, so even a mutation is
    # retried. The attempts are counted by the user's own http client (its hooks still run).
    attempts: list[str] = []

    async def count(request: httpx.Request) -> None:
        attempts.append(request.method)

    async with httpx.AsyncClient(event_hooks={"request": [count]}) as http:
        client = sandbox_client(
            url=f"http://127.0.0.1:{_closed_port()}/graphql", http_client=http, max_retries=2
        )
        with pytest.raises(APIConnectionError) as caught:
            await client.execute(PAY, variables=payment("1"))
        await client.aclose()
    assert attempts == ["POST", "POST", "POST"]
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.request_id is None

"""Sandbox faults, in process (httpx ASGI transport) and over real loopback HTTP (uvicorn)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from upwork_gql.sandbox import (
    FaultPlanError,
    RunningSandbox,
    SandboxConfig,
    SandboxState,
    create_app,
    get_state,
    serve_async,
    serve_in_thread,
)

QUERY = {"query": "{ user { id } }"}
TOKEN = "/api/v3/oauth2/token"


@pytest.fixture
async def inproc() -> AsyncIterator[tuple[httpx.AsyncClient, SandboxState, dict[str, str]]]:
    app = create_app(SandboxConfig())
    state = get_state(app)
    headers = {"Authorization": f"Bearer {state.issue_tokens().access_token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        yield http, state, headers


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    with serve_in_thread(SandboxConfig()) as running:
        yield running


@pytest.fixture
def live(server: RunningSandbox) -> Iterator[tuple[httpx.Client, RunningSandbox, dict[str, str]]]:
    server.state.faults.clear()
    headers = {"Authorization": f"Bearer {server.state.issue_tokens().access_token}"}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http, server, headers


def token_form(state: SandboxState) -> dict[str, str]:
    client = state.config.default_client
    return {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }


async def test_429_with_and_without_retry_after(inproc: Any) -> None:
    http, state, headers = inproc
    state.faults.push({"next": [{"status": 429, "retry_after": 1}, {"status": 429}]})
    first = await http.post("/graphql", json=QUERY, headers=headers)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "1"
    second = await http.post("/graphql", json=QUERY, headers=headers)
    assert second.status_code == 429
    assert "retry-after" not in second.headers
    third = await http.post("/graphql", json=QUERY, headers=headers)
    assert third.status_code == 200
    assert state.counters["graphql_requests"] == 3
    assert state.counters["graphql_executed"] == 1
    assert state.counters["faults_applied"] == 2


async def test_5xx_and_html_502(inproc: Any) -> None:
    http, state, headers = inproc
    state.faults.push(
        {"next": [{"status": 500}, {"status": 502, "html": True}, {"status": 503, "times": 2}]}
    )
    r500 = await http.post("/graphql", json=QUERY, headers=headers)
    assert r500.status_code == 500
    assert r500.json() == {"message": "Internal Server Error"}
    r502 = await http.post("/graphql", json=QUERY, headers=headers)
    assert r502.status_code == 502
    assert r502.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in r502.text
    statuses = [
        (await http.post("/graphql", json=QUERY, headers=headers)).status_code for _ in range(3)
    ]
    assert statuses == [503, 503, 200]


async def test_retry_after_http_date_and_custom_body(inproc: Any) -> None:
    http, state, headers = inproc
    date = "Wed, 21 Oct 2026 07:28:00 GMT"
    plan = {"status": 429, "retry_after": date, "json": {"x": 1}, "headers": {"X-Extra": "1"}}
    state.faults.push({"next": [plan]})
    response = await http.post("/graphql", json=QUERY, headers=headers)
    assert response.headers["retry-after"] == date
    assert response.headers["x-extra"] == "1"
    assert response.json() == {"x": 1}


async def test_authorize_endpoint_fault(inproc: Any) -> None:
    http, state, _ = inproc
    state.faults.push({"authorize": [{"status": 503, "html": True}]})
    params = {"response_type": "code", "client_id": "sandbox-client", "redirect_uri": "http://x/cb"}
    failed = await http.get("/ab/account-security/oauth2/authorize", params=params)
    assert failed.status_code == 503
    assert "503 Service Unavailable" in failed.text
    ok = await http.get("/ab/account-security/oauth2/authorize", params=params)
    assert ok.status_code == 302


async def test_slow_response(inproc: Any) -> None:
    http, state, headers = inproc
    state.faults.push({"next": [{"delay": 0.3}]})
    start = time.monotonic()
    response = await http.post("/graphql", json=QUERY, headers=headers)
    assert time.monotonic() - start >= 0.29
    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"]


async def test_dropped_connection_in_process(inproc: Any) -> None:
    http, state, headers = inproc
    state.faults.push({"next": [{"drop": True}]})
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/graphql", json=QUERY, headers=headers)
    assert state.counters["graphql_executed"] == 0
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 200


async def test_truncated_json(inproc: Any) -> None:
    http, state, headers = inproc
    state.faults.push({"next": [{"truncate": True}]})
    response = await http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert int(response.headers["content-length"]) == len(response.content)


async def test_token_endpoint_faults(inproc: Any) -> None:
    http, state, _ = inproc
    state.faults.push(
        {"token_endpoint": [{"status": 503}, {"status": 400, "json": {"error": "invalid_grant"}}]}
    )
    first = await http.post(TOKEN, data=token_form(state))
    assert first.status_code == 503
    second = await http.post(TOKEN, data=token_form(state))
    assert second.json() == {"error": "invalid_grant"}
    third = await http.post(TOKEN, data=token_form(state))
    assert third.status_code == 200
    assert state.counters["token_requests"] == 3
    assert state.counters["token.client_credentials"] == 1


async def test_control_endpoint(inproc: Any) -> None:
    http, state, headers = inproc
    bad = await http.post("/_sandbox/faults", json={"next": [{"stauts": 500}]})
    assert bad.status_code == 400
    bad_target = await http.post("/_sandbox/faults", json={"elsewhere": [{"status": 500}]})
    assert bad_target.status_code == 400
    ok = await http.post(
        "/_sandbox/faults", json={"next": [{"status": 503}], "token": [{"drop": True}]}
    )
    assert ok.json()["pending"] == {"graphql": 1, "token": 1, "authorize": 0}
    assert (await http.post("/graphql", json=QUERY, headers=headers)).status_code == 503
    cleared = await http.delete("/_sandbox/faults")
    assert cleared.json()["pending"]["token"] == 0
    snapshot = (await http.get("/_sandbox/state")).json()
    assert snapshot["counters"]["graphql_requests"] == 1
    await http.post("/_sandbox/reset")
    assert state.counters["graphql_requests"] == 0


async def test_every_response_has_a_request_id(inproc: Any) -> None:
    http, state, headers = inproc
    state.faults.push({"next": [{"status": 502, "html": True}]})
    faulted = await http.post("/graphql", json=QUERY, headers=headers)
    ok = await http.post("/graphql", json=QUERY, headers=headers)
    unauthorized = await http.post("/graphql", json=QUERY)
    ids = {r.headers["vnd.eo.request-id"] for r in (faulted, ok, unauthorized)}
    assert len(ids) == 3


async def test_rate_limit_answers_429_without_retry_after() -> None:
    now = [1_800_000_000.0]
    app = create_app(SandboxConfig(rate_limit=2, clock=lambda: now[0]))
    state = get_state(app)
    headers = {"Authorization": f"Bearer {state.issue_tokens().access_token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:

        async def burst(n: int) -> list[httpx.Response]:
            return [await http.post("/graphql", json=QUERY, headers=headers) for _ in range(n)]

        first = await burst(4)
        assert [r.status_code for r in first] == [200, 200, 429, 429]
        assert "retry-after" not in first[2].headers
        now[0] += 0.5  # one request's worth of budget comes back
        assert [r.status_code for r in await burst(2)] == [200, 429]
    assert state.counters["rate_limited"] == 3


def test_invalid_plans_are_rejected_whole() -> None:
    state = SandboxState(SandboxConfig())
    with pytest.raises(FaultPlanError):
        state.faults.push({"next": [{"status": 503}, {"status": 99}]})
    with pytest.raises(FaultPlanError):
        state.faults.push({"next": [{"retry_after": 1}]})
    assert state.faults.pending() == {"graphql": 0, "token": 0, "authorize": 0}


def test_faults_from_config() -> None:
    state = SandboxState(SandboxConfig(faults={"next": [{"status": 503, "times": 3}]}))
    assert state.faults.pending()["graphql"] == 3


# Over real loopback HTTP.


def test_server_urls_and_flow(live: Any) -> None:
    http, server, _ = live
    assert server.url.startswith("http://127.0.0.1:")
    assert server.graphql_url == server.url + "/graphql"
    assert server.token_url.endswith("/api/v3/oauth2/token")
    assert server.authorize_url.endswith("/ab/account-security/oauth2/authorize")
    env = server.env()
    assert env["UPWORK_API_URL"] == server.graphql_url
    authorize = http.get(server.authorization_url(state="abc"))
    assert authorize.status_code == 302
    code = httpx.URL(authorize.headers["location"]).params["code"]
    tokens = http.post(
        TOKEN,
        data={
            "grant_type": "authorization_code",
            "client_id": server.client_id,
            "client_secret": server.client_secret,
            "code": code,
            "redirect_uri": env["UPWORK_REDIRECT_URI"],
        },
    ).json()
    before = server.state.graphql_calls
    result = http.post(
        "/graphql", json=QUERY, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert result.status_code == 200
    assert server.state.graphql_calls == before + 1


# Over a real socket a dropped connection surfaces as either of these, depending on timing.
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError)


def test_server_faults_over_http(live: Any) -> None:
    http, server, headers = live
    server.push_faults(
        {
            "next": [
                {"status": 429},
                {"status": 502, "html": True},
                {"drop": True},
                {"truncate": True},
                {"delay": 0.2},
            ]
        }
    )
    assert http.post("/graphql", json=QUERY, headers=headers).status_code == 429
    bad_gateway = http.post("/graphql", json=QUERY, headers=headers)
    assert bad_gateway.status_code == 502
    assert "Bad Gateway" in bad_gateway.text
    with pytest.raises(_DROPPED):
        http.post("/graphql", json=QUERY, headers=headers)
    truncated = http.post("/graphql", json=QUERY, headers=headers)
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.content)
    start = time.monotonic()
    slow = http.post("/graphql", json=QUERY, headers=headers)
    assert time.monotonic() - start >= 0.19
    assert slow.json()["data"]["user"]["id"]
    assert http.post("/graphql", json=QUERY, headers=headers).status_code == 200


def test_server_drop_after_execution(live: Any) -> None:
    http, server, headers = live
    executed = server.state.counters["graphql_executed"]
    server.push_faults({"next": [{"drop": True, "after": True}]})
    with pytest.raises(_DROPPED):
        http.post("/graphql", json=QUERY, headers=headers)
    assert server.state.counters["graphql_executed"] == executed + 1


def test_server_control_endpoint_over_http(live: Any) -> None:
    http, server, _ = live
    response = http.post(server.faults_url, json={"token_endpoint": [{"status": 500}]})
    assert response.json()["pending"]["token"] == 1
    assert http.post(TOKEN, data=token_form(server.state)).status_code == 500
    assert http.post(TOKEN, data=token_form(server.state)).status_code == 200


def test_server_stops_and_frees_the_port() -> None:
    with serve_in_thread(SandboxConfig()) as running:
        port = int(running.url.rsplit(":", 1)[1])
        assert httpx.get(running.url + "/").status_code == 200
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass


async def test_serve_async() -> None:
    async with serve_async(SandboxConfig(access_token_ttl=5)) as running:
        token = running.state.issue_tokens()
        assert token.expires_in == 5
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                running.graphql_url,
                json=QUERY,
                headers={"Authorization": f"Bearer {token.access_token}"},
            )
        assert response.status_code == 200


def test_serve_async_under_trio() -> None:
    import anyio

    async def main() -> int:
        async with serve_async(SandboxConfig()) as running:
            token = running.state.issue_tokens().access_token
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(
                    running.graphql_url, json=QUERY, headers={"Authorization": f"Bearer {token}"}
                )
            return response.status_code

    assert anyio.run(main, backend="trio") == 200

"""Runtime: the ``upwork_gql`` logger names operation, status, attempt, elapsed and request id,
and no token, secret or variable value ever reaches logs, ``str`` or ``repr``."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from _runtime_fakes import FakeGeneratedClient, PayInput
from test_runtime_errors import CONTRACT_DATA, URL, Recorder, make_client

from upwork_gql._exceptions import GraphQLError, InternalServerError, MissingScopeError
from upwork_gql.auth import MemoryTokenStore, Token, TokenManager

OLD_ACCESS = "access-OLD-4f9a1c2e77"
OLD_REFRESH = "refresh-OLD-b3d2e1f0aa"
NEW_ACCESS = "access-NEW-9e8d7c6b55"
NEW_REFRESH = "refresh-NEW-1a2b3c4d99"
CLIENT_SECRET = "client-secret-5e6f7a8b"
VARIABLE_VALUE = "contract-id-SENSITIVE-31337"
SECRETS = [OLD_ACCESS, OLD_REFRESH, NEW_ACCESS, NEW_REFRESH, CLIENT_SECRET, VARIABLE_VALUE]


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_sleep(delay: float) -> None:
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(anyio, "sleep", fake_sleep)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"leaked {secret[:8]}..."


async def test_failing_flow_leaks_nothing(caplog: pytest.LogCaptureFixture, no_sleep: None) -> None:
    """401 -> refresh -> 429 -> GraphQL error echoing the variable; then a scope error; then a
    mutation hit by 503. Everything at DEBUG, every logger."""
    caplog.set_level(logging.DEBUG)
    token_calls: list[dict[str, str]] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        token_calls.append(form)
        return httpx.Response(
            200,
            json={
                "access_token": NEW_ACCESS,
                "refresh_token": NEW_REFRESH,
                "token_type": "Bearer",
                "expires_in": 86400,
            },
        )

    api_calls: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("Authorization", "")
        api_calls.append("new" if NEW_ACCESS in auth else "old" if OLD_ACCESS in auth else "none")
        rid = {"vnd.eo.request-id": f"rid-{len(api_calls)}"}
        if OLD_ACCESS in auth:
            return httpx.Response(401, json={"message": "invalid token"}, headers=rid)
        if len(api_calls) == 2:
            return httpx.Response(429, text="Too Many Requests", headers=rid)
        variables = json.loads(request.content)["variables"]
        if "input" in variables:
            return httpx.Response(503, text=f"upstream failed for {variables}", headers=rid)
        if variables.get("id") == VARIABLE_VALUE:
            message = f"Contract {variables['id']} is not accessible"
            return httpx.Response(200, json={"data": None, "errors": [{"message": message}]})
        return httpx.Response(
            200,
            json={
                "errors": [
                    {
                        "message": "The client or authentication token doesn't have enough "
                        "oauth2 permissions/scopes to access: [Contract.id]."
                    }
                ]
            },
            headers=rid,
        )

    token = Token.from_dict(
        {"access_token": OLD_ACCESS, "refresh_token": OLD_REFRESH, "expires_in": 86400}
    )
    token_http = httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint))
    manager = TokenManager(
        "client-id",
        CLIENT_SECRET,
        token_url="http://127.0.0.1:9/token",
        store=MemoryTokenStore(token),
        http_client=token_http,
    )
    api_http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    texts: list[str] = []
    async with FakeGeneratedClient(
        URL, http_client=api_http, auth=manager, rate_limit=None, max_retries=2
    ) as client:
        with pytest.raises(GraphQLError) as info:
            await client.contract(id=VARIABLE_VALUE)
        err = info.value
        texts += [str(err), repr(err), repr(client), repr(manager)]
        assert err.request_id is None or err.request_id.startswith("rid-")
        assert "***" in str(err)  # the echoed variable value was redacted

        with pytest.raises(MissingScopeError) as scope_info:
            await client.contract(id="1")
        texts += [str(scope_info.value), repr(scope_info.value)]

        with pytest.raises(InternalServerError) as pay_info:
            await client.pay(input=PayInput(amount=1, note=VARIABLE_VALUE, contractId="c-1"))
        texts += [str(pay_info.value), repr(pay_info.value), pay_info.value.body_excerpt]

    await api_http.aclose()
    await token_http.aclose()

    # The flow really happened: 401 with the old token, one refresh, 429 retried, error raised.
    assert api_calls[:4] == ["old", "new", "new", "new"]
    assert len(token_calls) == 1
    assert token_calls[0]["grant_type"] == "refresh_token"

    logs = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    )
    ours = [r for r in caplog.records if r.name == "upwork_gql"]
    assert any("status=429" in r.getMessage() for r in ours)
    assert any("retrying" in r.getMessage() for r in ours)
    assert any("request_id=rid-" in r.getMessage() for r in ours)
    assert any("attempt=2" in r.getMessage() for r in ours)
    assert_clean(logs)
    for text in texts:
        assert_clean(text)


async def test_debug_record_fields(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="upwork_gql")
    ok = httpx.Response(200, json={"data": CONTRACT_DATA}, headers={"vnd.eo.request-id": "abc"})
    async with make_client(Recorder(ok)) as client:
        await client.contract(id=VARIABLE_VALUE)
    (record,) = [r for r in caplog.records if r.name == "upwork_gql"]
    message = record.getMessage()
    assert message.startswith("contract attempt=1 ")
    fields = dict(part.split("=", 1) for part in message.split()[1:])
    assert fields.keys() == {"attempt", "status", "request_id", "elapsed"}
    assert fields["status"] == "200"
    assert fields["request_id"] == "abc"
    assert re.fullmatch(r"\d+\.\d{3}s", fields["elapsed"])
    assert VARIABLE_VALUE not in message


def _forbid_logging(monkeypatch: pytest.MonkeyPatch, *levels: str) -> None:
    from upwork_gql import _base_client

    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("logged while disabled")

    for level in levels:
        monkeypatch.setattr(_base_client.log, level, boom)


@pytest.fixture
def warnings_only() -> Iterator[None]:
    logger = logging.getLogger("upwork_gql")
    old_level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(old_level)


@pytest.mark.usefixtures("warnings_only")
async def test_logging_disabled_formats_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above DEBUG the per-attempt record is not even built (guarded by isEnabledFor)."""
    _forbid_logging(monkeypatch, "debug", "info")
    ok = httpx.Response(200, json={"data": CONTRACT_DATA})
    rec = Recorder(ok)
    async with make_client(rec) as client:
        result = await client.contract(id="1")
    assert result.contract is not None
    assert len(rec.requests) == 1


@pytest.mark.xfail(
    strict=True,
    reason="runtime: the retry record (log.info in BaseGraphQLClient._request) is not guarded by "
    "isEnabledFor(INFO): its arguments are built and the method called at WARNING",
)
@pytest.mark.usefixtures("warnings_only")
async def test_logging_disabled_formats_nothing_on_retries(
    monkeypatch: pytest.MonkeyPatch, no_sleep: None
) -> None:
    """Above DEBUG/INFO the logger methods are not even called, retries included."""
    _forbid_logging(monkeypatch, "debug", "info")
    ok = httpx.Response(200, json={"data": CONTRACT_DATA})
    rec = Recorder(httpx.Response(503), ok)
    async with make_client(rec, max_retries=1) as client:
        result = await client.contract(id="1")
    assert result.contract is not None
    assert len(rec.requests) == 2


def test_exception_reprs_do_not_carry_payloads() -> None:
    err = GraphQLError(
        "GraphQL error: boom",
        errors=[{"message": "boom"}],
        data={"secret": VARIABLE_VALUE},
        operation="contract",
    )
    assert_clean(str(err) + repr(err))

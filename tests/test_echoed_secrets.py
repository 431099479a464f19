"""Servers that echo secrets back: not one reaches an exception or a log record.

The API and the token endpoint here (``httpx.MockTransport``) put every secret the client holds
into their error answers: the access token they were sent, the refresh token and the client
secret, raw, URL-encoded, form-encoded (the token request's own body) and Basic-encoded, in
401, 403, 429, 500 and 502 bodies, in GraphQL ``errors`` (and partial ``data``), in headers
(``WWW-Authenticate``), and in the token endpoint's error answers. For token auth, a
``TokenManager`` refreshing from a store, and the client-credentials grant, each exception is
searched whole: ``str``, ``repr``, ``args``, every attribute (``vars(exc)``: ``errors``,
``data``, ``headers``, ``body_excerpt``, ...), its ``__cause__`` / ``__context__`` chain and
``traceback.format_exception``; and so is every log record at DEBUG, from every logger.

A secret counts as leaked when any of its forms appears, or any run of 12 of its random
characters (so a half-redacted token is a leak too).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets as random
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import anyio
import anyio.lowlevel
import httpx
import pytest
from pydantic import BaseModel

from upwork_gql import (
    APIStatusError,
    AuthenticationError,
    GraphQLError,
    GraphQLValidationError,
    InternalServerError,
    InvalidResponseError,
    MissingScopeError,
    OAuthError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ReauthenticationRequired,
    ResponseValidationError,
    TokenEndpointError,
    UpworkClient,
    UpworkError,
)
from upwork_gql.auth import MemoryTokenStore, Token, TokenManager

API_URL = "http://api.test/graphql"
TOKEN_URL = "http://auth.test/oauth2/token"
CLIENT_ID = "echo-client-id"
NOW = 1_700_000_000.0


def new_secret(prefix: str) -> str:
    """A fresh secret. ``+``, ``/`` and ``=`` make its URL-, form- and Base64-encoded forms
    differ from the raw one."""
    return f"{prefix}{random.token_hex(12)}+{random.token_hex(8)}/=="


class Secrets:
    """Every secret of one test: the client secret and every token issued or stored.

    With ``client_secret_known=False`` (token auth: the client is given an access token only)
    the servers still echo a client secret, but the client cannot know it is one, so it is not
    part of the check.
    """

    def __init__(self, *, client_secret_known: bool = True) -> None:
        self.client_secret = new_secret("cs-")
        self.client_secret_known = client_secret_known
        self.tokens: list[str] = []

    def token(self, prefix: str) -> str:
        value = new_secret(prefix)
        self.tokens.append(value)
        return value

    def all(self) -> list[str]:
        return [self.client_secret, *self.tokens]

    def basic(self) -> list[str]:
        forms = []
        for user, password in (
            (CLIENT_ID, self.client_secret),
            (quote_plus(CLIENT_ID, safe=""), quote_plus(self.client_secret, safe="")),
        ):
            raw = f"{user}:{password}".encode()
            for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
                forms.append(encoded.decode().rstrip("="))
        return forms

    def echo(self, access_token: str | None = None, form_body: str = "") -> str:
        """What an echoing server says: every secret in every form it might use."""
        parts = [f"Invalid token provided: {access_token}" if access_token else "no token"]
        for secret in self.all():
            parts.append(
                f"raw {secret} url {quote(secret, safe='')} lower "
                f"{quote(secret, safe='').lower()} form {quote_plus(secret, safe='')}"
            )
        parts.append(f"Basic {' '.join(self.basic())}")
        if form_body:
            parts.append(f"you sent: {form_body}")
        return "; ".join(parts)

    def known(self) -> list[str]:
        return self.all() if self.client_secret_known else list(self.tokens)

    def leaks(self, text: str) -> list[str]:
        found = []
        for secret in self.known():
            encoded = {
                secret,
                quote(secret, safe=""),
                quote(secret, safe="").lower(),
                quote(secret),
                quote_plus(secret, safe=""),
                json.dumps(secret)[1:-1],
            }
            cores = [part for part in re.split(r"[^0-9a-f]", secret) if len(part) >= 12]
            windows = {core[i : i + 12] for core in cores for i in range(len(core) - 11)}
            if any(form in text for form in encoded | windows):
                found.append(secret[:6] + "…")
        if self.client_secret_known:
            found.extend(f"basic {form[:6]}…" for form in self.basic() if form in text)
        return found


def exposed(exc: BaseException) -> str:
    """Everything an exception shows: str, repr, args, attributes, cause/context chain and the
    formatted traceback (an ``httpx.Response`` found on the way counts with its text and its
    request's headers)."""
    parts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()

    def walk(value: Any, depth: int = 0) -> None:
        if value is None or isinstance(value, bool | int | float) or depth > 8:
            return
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, bytes):
            parts.append(value.decode("utf-8", "replace"))
        elif isinstance(value, BaseException):
            parts.extend((str(value), repr(value)))
            walk(value.args, depth + 1)
            walk(vars(value), depth + 1)
            walk(value.__cause__, depth + 1)
            walk(value.__context__, depth + 1)
        elif isinstance(value, httpx.Response):
            request = value.request
            parts.extend((value.text, repr(value.headers), repr(request.headers), str(request.url)))
            parts.append(request.content.decode("utf-8", "replace"))
        elif isinstance(value, BaseModel):
            parts.extend((repr(value), value.model_dump_json()))
        elif isinstance(value, Mapping | httpx.Headers):
            for key, item in value.items():
                walk(key, depth + 1)
                walk(item, depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                walk(item, depth + 1)
        else:
            parts.append(repr(value))
            if hasattr(value, "__dict__"):
                walk(vars(value), depth + 1)

    walk(exc)
    return "\n".join(parts)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    lines = [caplog.text]
    formatter = logging.Formatter()
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(formatter.formatException(record.exc_info))
        if record.exc_text:
            lines.append(record.exc_text)
        if record.stack_info:
            lines.append(record.stack_info)
    return "\n".join(lines)


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_sleep(delay: float) -> None:
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(anyio, "sleep", fake_sleep)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # every logger, DEBUG and up; restored by caplog
    return caplog


# -- the echoing API -------------------------------------------------------------------------------

Handler = Callable[[httpx.Request, str], httpx.Response]


def bearer(request: httpx.Request) -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ")


def _user(name: Any) -> dict[str, Any]:
    fields = {"id": "u1", "nid": "n1", "rid": "r1", "email": None, "photoUrl": None}
    return {"user": {**fields, "name": name, "ciphertext": None}}


def api_answers(s: Secrets) -> dict[str, tuple[Handler, type[UpworkError]]]:
    """name -> (the API's answer to a request, given the echo text; the exception expected)."""

    def challenge(echo: str) -> dict[str, str]:
        return {
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{echo}"',
            "X-Echo": echo,
            "vnd.eo.request-id": "rid-1",
        }

    return {
        "401": (
            lambda r, e: httpx.Response(401, json={"message": e}, headers=challenge(e)),
            AuthenticationError,
        ),
        "403": (
            lambda r, e: httpx.Response(
                403, json={"errors": [{"message": e}]}, headers=challenge(e)
            ),
            PermissionDeniedError,
        ),
        "429": (
            lambda r, e: httpx.Response(
                429, json={"message": e}, headers={"Retry-After": "0", "X-Echo": e}
            ),
            RateLimitError,
        ),
        "500": (
            lambda r, e: httpx.Response(500, json={"error": e, "error_description": e}),
            InternalServerError,
        ),
        "502 html": (
            lambda r, e: httpx.Response(
                502, text=f"<html><body><h1>Bad gateway</h1><p>{e}</p></body></html>"
            ),
            InternalServerError,
        ),
        "graphql errors": (
            lambda r, e: httpx.Response(
                200,
                json={
                    "data": None,
                    "errors": [
                        {"message": f"Access denied for token {bearer(r)}: {e}"},
                        {"message": e, "extensions": {"echo": [e, {e: bearer(r)}]}},
                    ],
                },
            ),
            GraphQLError,
        ),
        "partial data": (
            lambda r, e: httpx.Response(200, json={"data": _user(e), "errors": [{"message": e}]}),
            GraphQLError,
        ),
        "partial data that does not validate": (
            lambda r, e: httpx.Response(
                200, json={"data": {"user": {"id": e}}, "errors": [{"message": e}]}
            ),
            GraphQLError,
        ),
        "missing scope": (
            lambda r, e: httpx.Response(
                200,
                json={
                    "data": None,
                    "errors": [
                        {
                            "message": f"Token {bearer(r)} doesn't have enough oauth2 "
                            f"permissions/scopes to access: [User.email, {bearer(r)}]"
                        }
                    ],
                },
            ),
            MissingScopeError,
        ),
        "graphql validation": (
            lambda r, e: httpx.Response(
                200,
                json={
                    "errors": [
                        {
                            "message": e,
                            "locations": [{"line": 1, "column": 1}],
                            "extensions": {"classification": "ValidationError"},
                        }
                    ]
                },
            ),
            GraphQLValidationError,
        ),
        "not json": (
            lambda r, e: httpx.Response(200, text=f"oops {e}"),
            InvalidResponseError,
        ),
        "invalid result": (
            lambda r, e: httpx.Response(200, json={"data": _user({"echo": e, "token": bearer(r)})}),
            ResponseValidationError,
        ),
    }


def echoing_api(s: Secrets, name: str) -> Handler:
    handler, _ = api_answers(s)[name]
    return handler


def transport(
    s: Secrets, api: Handler, token_endpoint: Callable[[httpx.Request], httpx.Response]
) -> httpx.MockTransport:
    def route(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return token_endpoint(request)
        return api(request, s.echo(bearer(request)))

    return httpx.MockTransport(route)


def issuing(s: Secrets) -> Callable[[httpx.Request], httpx.Response]:
    """A token endpoint that issues a fresh pair every time."""

    def endpoint(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "access_token": s.token("oauth2v2_"),
                "refresh_token": s.token("rt-"),
                "token_type": "Bearer",
                "expires_in": 86400,
            },
        )

    return endpoint


async def call_every_way(client: UpworkClient) -> list[BaseException]:
    """A generated method, a paginator page and an ad-hoc document; the errors they raise (an
    ad-hoc document's data is not validated, so a result that does not match raises nothing)."""
    caught: list[BaseException] = []
    for call in (
        lambda: client.user(),
        lambda: client.paginate_room_list(page_size=5).to_list(),
        lambda: client.execute("query user { user { id } }", operation_name="user"),
    ):
        try:
            await call()
        except UpworkError as exc:
            caught.append(exc)
    assert len(caught) >= 2, caught
    return caught


def assert_nothing_leaked(
    s: Secrets, errors: list[BaseException], caplog: pytest.LogCaptureFixture
) -> None:
    assert s.known(), "nothing to look for"
    for exc in errors:
        leaked = s.leaks(exposed(exc))
        assert not leaked, f"{type(exc).__name__} shows {leaked}:\n{exposed(exc)[:3000]}"
    leaked = s.leaks(logged(caplog))
    assert not leaked, f"logs show {leaked}:\n{logged(caplog)[:3000]}"


# -- token auth ------------------------------------------------------------------------------------

ANSWERS = list(api_answers(Secrets()))


@pytest.mark.parametrize("answer", ANSWERS)
async def test_token_auth_against_an_echoing_api(
    answer: str, debug_logs: pytest.LogCaptureFixture, no_sleep: None
) -> None:
    s = Secrets(client_secret_known=False)
    access = s.token("oauth2v2_")
    api = echoing_api(s, answer)
    http = httpx.AsyncClient(transport=transport(s, api, issuing(s)))
    expected = api_answers(s)[answer][1]
    async with UpworkClient(
        url=API_URL, access_token=access, http_client=http, rate_limit=None, max_retries=1
    ) as client:
        errors = await call_every_way(client)
    await http.aclose()
    direct = errors[0]
    assert type(direct) is expected
    if isinstance(errors[1], PaginationError):
        assert isinstance(errors[1].__cause__, UpworkError)
    # the echo did arrive, and was redacted where it stands (not dropped wholesale)
    if answer == "invalid result":
        # pydantic's own error quotes the values it refused: not kept as cause or context
        assert direct.__cause__ is None
        assert direct.__context__ is None
        assert direct.paths == ["user.name: Input should be a valid string"]  # type: ignore[attr-defined]
    else:
        assert "***" in exposed(direct)
    if isinstance(direct, APIStatusError):
        assert "***" in direct.body_excerpt
        if answer in ("401", "403"):
            assert "Invalid token provided: ***" in str(direct)
            assert direct.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
            assert "***" in direct.headers["www-authenticate"]
    if isinstance(direct, GraphQLError):
        assert direct.errors
        assert all("***" in json.dumps(error) for error in direct.errors)
    if answer == "partial data":
        assert direct.data.user.id == "u1"  # type: ignore[attr-defined]
        assert "***" in direct.data.user.name  # type: ignore[attr-defined]
    if isinstance(direct, MissingScopeError):
        assert "User.email" in direct.fields
    assert_nothing_leaked(s, errors, debug_logs)


# -- a TokenManager refreshing from a store -----------------------------------------------------


def expired_store(s: Secrets) -> MemoryTokenStore:
    token = Token.from_dict(
        {
            "access_token": s.token("oauth2v2_"),
            "refresh_token": s.token("rt-"),
            "expires_in": 60,
            "token_type": "Bearer",
        },
        now=NOW - 3600,
    )
    return MemoryTokenStore(token)


def manager_for(s: Secrets, http: httpx.AsyncClient, **kwargs: Any) -> TokenManager:
    return TokenManager(
        CLIENT_ID,
        s.client_secret,
        token_url=TOKEN_URL,
        http_client=http,
        clock=lambda: NOW,
        max_retries=1,
        **kwargs,
    )


@pytest.mark.parametrize("answer", ["401", "403", "429", "500", "graphql errors", "not json"])
async def test_refreshing_manager_against_an_echoing_api(
    answer: str, debug_logs: pytest.LogCaptureFixture, no_sleep: None
) -> None:
    """The stored token is expired: the manager refreshes it (a new pair), the API echoes; on a
    401 the manager refreshes once more and retries. Old and new tokens alike stay hidden."""
    s = Secrets()
    http = httpx.AsyncClient(transport=transport(s, echoing_api(s, answer), issuing(s)))
    manager = manager_for(s, http, store=expired_store(s))
    async with UpworkClient(url=API_URL, auth=manager, http_client=http, rate_limit=None) as client:
        errors = await call_every_way(client)
    await http.aclose()
    assert manager.refreshes >= 1
    assert len(s.tokens) >= 4  # the stored pair and at least one refreshed pair
    assert type(errors[0]) is api_answers(s)[answer][1]
    assert_nothing_leaked(s, errors, debug_logs)


def failing_token_endpoint(s: Secrets, how: str) -> Callable[[httpx.Request], httpx.Response]:
    """A token endpoint that refuses, echoing the request it got (form body, secrets)."""

    def endpoint(request: httpx.Request) -> httpx.Response:
        body = request.content.decode()
        form = dict(parse_qsl(body))
        echo = s.echo(form.get("refresh_token"), form_body=body)
        if how == "invalid_grant":
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": echo})
        if how == "invalid_client":
            return httpx.Response(
                401,
                json={"error": f"invalid_client {form.get('client_secret')}", "message": echo},
                headers={"WWW-Authenticate": f"Basic realm={echo}"},
            )
        if how == "form encoded":
            payload = f"error=invalid_request&error_description={quote_plus(echo)}"
            return httpx.Response(400, text=payload)
        if how == "500":
            return httpx.Response(500, json={"error": echo})
        if how == "not json":
            return httpx.Response(200, text=f"<html>{echo}</html>")
        if how == "no access token":
            return httpx.Response(200, json={"token_type": "Bearer", "echo": echo})
        raise AssertionError(how)

    return endpoint


TOKEN_FAILURES = ["invalid_grant", "invalid_client", "form encoded", "500", "not json"]


@pytest.mark.parametrize("how", [*TOKEN_FAILURES, "no access token"])
async def test_a_refresh_refused_by_an_echoing_token_endpoint(
    how: str, debug_logs: pytest.LogCaptureFixture, no_sleep: None
) -> None:
    s = Secrets()
    api = echoing_api(s, "401")
    http = httpx.AsyncClient(transport=transport(s, api, failing_token_endpoint(s, how)))
    manager = manager_for(s, http, store=expired_store(s))
    async with UpworkClient(url=API_URL, auth=manager, http_client=http, rate_limit=None) as client:
        errors = await call_every_way(client)
        with pytest.raises(OAuthError) as direct:
            await manager.refresh()
        errors.append(direct.value)
    await http.aclose()
    assert manager.token_requests >= 1
    assert all(isinstance(e, OAuthError | PaginationError) for e in errors)
    if how == "invalid_grant":
        assert isinstance(direct.value, ReauthenticationRequired)
        assert "***" in str(direct.value)
    elif how in ("invalid_client", "form encoded"):
        assert isinstance(direct.value, TokenEndpointError)
        assert "***" in str(direct.value)
    assert_nothing_leaked(s, errors, debug_logs)


# -- client credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", TOKEN_FAILURES)
async def test_client_credentials_refused_by_an_echoing_token_endpoint(
    how: str, debug_logs: pytest.LogCaptureFixture, no_sleep: None
) -> None:
    """The client credentials grant sends the client secret in the form body: the endpoint
    echoes that body back, form-encoded."""
    s = Secrets()
    api = echoing_api(s, "403")
    http = httpx.AsyncClient(transport=transport(s, api, failing_token_endpoint(s, how)))
    manager = manager_for(s, http, client_credentials=True)
    async with UpworkClient(url=API_URL, auth=manager, http_client=http, rate_limit=None) as client:
        errors = await call_every_way(client)
        with pytest.raises(OAuthError) as direct:
            await manager.fetch_token_client_credentials()
        errors.append(direct.value)
    await http.aclose()
    assert all(isinstance(e, OAuthError | PaginationError) for e in errors)
    assert_nothing_leaked(s, errors, debug_logs)


@pytest.mark.parametrize("answer", ["401", "403", "500", "graphql errors", "missing scope"])
async def test_client_credentials_against_an_echoing_api(
    answer: str, debug_logs: pytest.LogCaptureFixture, no_sleep: None
) -> None:
    s = Secrets()
    http = httpx.AsyncClient(transport=transport(s, echoing_api(s, answer), issuing(s)))
    manager = manager_for(s, http, client_credentials=True)
    async with UpworkClient(url=API_URL, auth=manager, http_client=http, rate_limit=None) as client:
        errors = await call_every_way(client)
    await http.aclose()
    assert s.tokens
    assert type(errors[0]) is api_answers(s)[answer][1]
    assert_nothing_leaked(s, errors, debug_logs)

"""Runtime: HTTP status -> exception class, GraphQL error shapes, bad bodies, variables."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from _runtime_fakes import (
    Contract,
    FakeGeneratedClient,
    Pagination,
    PayInput,
    RoomFilter,
    SortOrder,
)

from upwork_gql._exceptions import (
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    GraphQLError,
    GraphQLValidationError,
    InternalServerError,
    InvalidResponseError,
    InvalidVariablesError,
    MissingScopeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseValidationError,
)

URL = "http://127.0.0.1:9/graphql"
CONTRACT_DATA = {
    "contract": {"id": "42", "title": "Logo", "createdAt": "2024-01-01", "amount": 1.5, "count": 3}
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that serves canned responses and records requests."""

    def __init__(self, *responses: httpx.Response | Handler) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses[min(len(self.requests), len(self.responses)) - 1]
        return item(request) if callable(item) else item

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def make_client(recorder: Recorder, **kwargs: Any) -> FakeGeneratedClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("rate_limit", None)
    return FakeGeneratedClient(URL, http_client=http, **kwargs)


def rid(value: str = "req-123") -> dict[str, str]:
    return {"vnd.eo.request-id": value}


# --- HTTP status -> class -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (408, RequestTimeoutError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
    ],
)
async def test_status_maps_to_class(status: int, cls: type[APIStatusError]) -> None:
    rec = Recorder(httpx.Response(status, json={"message": "nope"}, headers=rid()))
    async with make_client(rec) as client:
        with pytest.raises(cls) as info:
            await client.contract(id="1")
    err = info.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.request_id == "req-123"
    assert err.operation == "contract"
    assert err.headers["vnd.eo.request-id"] == "req-123"
    assert f"HTTP {status}" in str(err)
    assert "nope" in str(err)
    assert "req-123" in str(err)
    assert len(rec.requests) == 1
    # The response is kept (a copy): status, headers, body, and a request without credentials.
    assert err.response is not None
    assert err.response.status_code == status
    assert err.response.headers["vnd.eo.request-id"] == "req-123"
    assert err.response.json() == {"message": "nope"}
    assert err.response.request.method == "POST"
    assert "authorization" not in err.response.request.headers


async def test_rate_limit_error_carries_retry_after() -> None:
    rec = Recorder(httpx.Response(429, text="Too Many Requests", headers={"Retry-After": "7"}))
    async with make_client(rec) as client:
        with pytest.raises(RateLimitError) as info:
            await client.contract(id="1")
    assert info.value.retry_after == 7.0
    assert info.value.body_excerpt == "Too Many Requests"


async def test_status_error_with_graphql_errors_body_uses_first_message() -> None:
    body = {"errors": [{"message": "Variable 'x' is bad"}]}
    rec = Recorder(httpx.Response(400, json=body))
    async with make_client(rec) as client:
        with pytest.raises(BadRequestError, match="Variable 'x' is bad"):
            await client.contract(id="1")


async def test_html_502_page_is_a_status_error_with_excerpt() -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    rec = Recorder(httpx.Response(502, text=html, headers={"content-type": "text/html"}))
    async with make_client(rec) as client:
        with pytest.raises(InternalServerError) as info:
            await client.contract(id="1")
    err = info.value
    assert err.status_code == 502
    assert err.body_excerpt.startswith("<html><head><title>502 Bad Gateway")
    assert len(err.body_excerpt) <= 200


# --- bodies that are not GraphQL responses ----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty body"),
        (b"<html><body>Service Unavailable</body></html>", "not JSON"),
        (b'{"data": {"contract": {"id": "1", "tit', "not JSON"),
        (b"[1, 2, 3]", "not a GraphQL response"),
        (b"{}", "not a GraphQL response"),
        (b'{"data": null}', "neither data nor errors"),
    ],
)
async def test_non_graphql_200_bodies(content: bytes, needle: str) -> None:
    rec = Recorder(httpx.Response(200, content=content, headers=rid("r-9")))
    async with make_client(rec) as client:
        with pytest.raises(InvalidResponseError) as info:
            # (an id that none of the bodies contains: variable values are redacted from excerpts)
            await client.contract(id="contract-7")
    err = info.value
    assert needle in str(err)
    assert err.status_code == 200
    assert err.request_id == "r-9"
    assert err.operation == "contract"
    assert not isinstance(err.__cause__, json.JSONDecodeError)
    assert err.body_excerpt == content.decode()[:200]


async def test_non_graphql_body_for_ad_hoc_execute() -> None:
    rec = Recorder(httpx.Response(200, content=b"oops"))
    async with make_client(rec) as client:
        with pytest.raises(InvalidResponseError, match="not JSON"):
            await client.execute("query me { user { id } }")


# --- GraphQL errors in HTTP 200 (verbatim examples from Upwork's reference) ----------------------

SCOPE_RESPONSE = json.loads(
    """
          {
            "errors": [
              {
                "message": "The client or authentication token doesn't have enough oauth2 permissions/scopes to access: [CurrentOrganization.id, CurrentOrganization.rid, CurrentUser.email, CurrentUser.id, CurrentUser.name, CurrentUser.nid, CurrentUser.rid, Query.organization, Query.user]."
              }
            ]
          }
"""  # noqa: E501
)

MISSING_ARGUMENT_RESPONSE = json.loads(
    """
          {
            "errors": [
              {
                "message": "Validation error of type MissingFieldArgument: Missing field argument stepUpVerificationId @ 'user/stepUpVerification'",
                "locations": [
                  {
                    "line": 3,
                    "column": 5
                  }
                ],
                "extensions": {
                  "classification": "ValidationError"
                }
              },
              {
                "message": "Validation error of type SubSelectionRequired: Sub selection required for type UserVerification of field stepUpVerification @ 'user/stepUpVerification'",
                "locations": [
                  {
                    "line": 3,
                    "column": 5
                  }
                ],
                "extensions": {
                  "classification": "ValidationError"
                }
              }
            ]
          }
"""  # noqa: E501
)

NULL_ARGUMENT_RESPONSE = json.loads(
    """
          {
            "errors": [
              {
                "message": "Validation error of type NullValueForNonNullArgument: null value for non-null field argument organizationId @ 'user/companyFees'",
                "locations": [
                  {
                    "line": 3,
                    "column": 5
                  }
                ],
                "extensions": {
                  "classification": "ValidationError"
                }
              },
              {
                "message": "Validation error of type WrongType: argument 'organizationId' with value 'NullValue{}' must not be null @ 'user/companyFees'",
                "locations": [
                  {
                    "line": 3,
                    "column": 17
                  }
                ],
                "extensions": {
                  "classification": "ValidationError"
                }
              }
            ]
          }
"""  # noqa: E501
)


async def test_missing_scope_error_lists_fields() -> None:
    rec = Recorder(httpx.Response(200, json=SCOPE_RESPONSE, headers=rid("scope-1")))
    async with make_client(rec) as client:
        with pytest.raises(MissingScopeError) as info:
            await client.contract(id="1")
    err = info.value
    assert err.fields == [
        "CurrentOrganization.id",
        "CurrentOrganization.rid",
        "CurrentUser.email",
        "CurrentUser.id",
        "CurrentUser.name",
        "CurrentUser.nid",
        "CurrentUser.rid",
        "Query.organization",
        "Query.user",
    ]
    assert "CurrentUser.email" in str(err)
    assert "Query.user." not in str(err)
    assert err.request_id == "scope-1"
    assert err.operation == "contract"
    assert err.errors == SCOPE_RESPONSE["errors"]
    assert err.data is None


async def test_scope_message_without_brackets() -> None:
    body = {
        "errors": [
            {
                "message": "The client or authentication token doesn't have enough oauth2 "
                "permissions/scopes to access Contract.id, Contract.title"
            }
        ]
    }
    rec = Recorder(httpx.Response(200, json=body))
    async with make_client(rec) as client:
        with pytest.raises(MissingScopeError) as info:
            await client.contract(id="1")
    assert info.value.fields == ["Contract.id", "Contract.title"]


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        (MISSING_ARGUMENT_RESPONSE, [{"line": 3, "column": 5}, {"line": 3, "column": 5}]),
        (NULL_ARGUMENT_RESPONSE, [{"line": 3, "column": 5}, {"line": 3, "column": 17}]),
    ],
)
async def test_validation_errors_from_reference(
    body: dict[str, Any], locations: list[dict[str, int]]
) -> None:
    rec = Recorder(httpx.Response(200, json=body, headers=rid("val-1")))
    async with make_client(rec) as client:
        with pytest.raises(GraphQLValidationError) as info:
            await client.contract(id="1")
    err = info.value
    assert err.locations == locations
    assert err.errors == body["errors"]
    for e in body["errors"]:
        assert e["message"] in str(err)
    assert err.request_id == "val-1"
    assert err.operation == "contract"


async def test_other_graphql_error_keeps_typed_partial_data() -> None:
    body = {
        "data": CONTRACT_DATA,
        "errors": [
            {"message": "Upstream timed out", "extensions": {"classification": "ExecutionAborted"}}
        ],
    }
    rec = Recorder(httpx.Response(200, json=body, headers=rid("g-1")))
    async with make_client(rec) as client:
        with pytest.raises(GraphQLError) as info:
            await client.contract(id="1")
    err = info.value
    assert type(err) is GraphQLError
    assert "Upstream timed out" in str(err)
    assert isinstance(err.data, Contract)
    assert err.data.contract is not None
    assert err.data.contract.id == "42"
    assert err.request_id == "g-1"


async def test_graphql_error_keeps_raw_partial_data_when_it_does_not_validate() -> None:
    partial = {"contract": {"id": None, "title": "Logo"}}
    body = {"data": partial, "errors": [{"message": "id failed", "path": ["contract", "id"]}]}
    rec = Recorder(httpx.Response(200, json=body))
    async with make_client(rec) as client:
        with pytest.raises(GraphQLError) as info:
            await client.contract(id="1")
    assert info.value.data == partial


async def test_scope_error_with_partial_data() -> None:
    body = {"data": CONTRACT_DATA, **SCOPE_RESPONSE}
    rec = Recorder(httpx.Response(200, json=body))
    async with make_client(rec) as client:
        with pytest.raises(MissingScopeError) as info:
            await client.contract(id="1")
    assert isinstance(info.value.data, Contract)


async def test_graphql_errors_are_api_errors() -> None:
    assert issubclass(MissingScopeError, GraphQLError)
    assert issubclass(GraphQLValidationError, GraphQLError)
    assert issubclass(GraphQLError, APIError)


# --- response validation --------------------------------------------------------------------


async def test_response_that_does_not_match_models_names_operation_and_path() -> None:
    body = {"data": {"contract": {"id": "1", "title": 5, "createdAt": None, "amount": "x"}}}
    rec = Recorder(httpx.Response(200, json=body, headers=rid("v-1")))
    async with make_client(rec) as client:
        with pytest.raises(ResponseValidationError) as info:
            await client.contract(id="1")
    err = info.value
    assert err.operation == "contract"
    assert err.request_id == "v-1"
    joined = " | ".join(err.paths)
    assert "contract.title" in joined
    assert "contract.amount" in joined
    assert "contract.count" in joined  # missing field
    assert "'contract'" in str(err)
    assert "contract.title" in str(err)


async def test_rooms_nested_path_in_validation_error() -> None:
    body = {"data": {"rooms": {"totalCount": 1, "edges": [{"cursor": "a", "node": {"id": 7}}]}}}
    rec = Recorder(httpx.Response(200, json=body))
    async with make_client(rec) as client:
        with pytest.raises(ResponseValidationError) as info:
            await client.rooms()
    assert any(p.startswith("rooms.edges.0.node.id") for p in info.value.paths)


async def test_successful_response_is_typed() -> None:
    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        result = await client.contract(id="42")
    assert isinstance(result, Contract)
    assert result.contract is not None
    assert result.contract.created_at == "2024-01-01"
    assert rec.bodies == [
        {"query": rec.bodies[0]["query"], "operationName": "contract", "variables": {"id": "42"}}
    ]


# --- variables --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda c: c.contract(id=12.5), "$id (ID!): Input should be a valid string"),
        (lambda c: c.contract(id=None), "$id (ID!): Input should be a valid string"),
        (lambda c: c.contract(id=["1"]), "$id (ID!): Input should be a valid string"),
        (lambda c: c.rooms(limit="ten"), "$limit (Int): Input should be a valid integer"),
        (lambda c: c.rooms(limit=1.5), "$limit (Int): Input should be a valid integer"),
        (lambda c: c.rooms(ratio="fast"), "$ratio (Float): Input should be a valid number"),
        (lambda c: c.rooms(flag="maybe"), "$flag (Boolean): Input should be a valid boolean"),
        # the fake registry says ENUM_VALUES_COMPLETE = True: unknown values are refused
        (lambda c: c.rooms(sort="UP"), "$sort (SortOrder): 'UP' is not a value of enum SortOrder"),
        (lambda c: c.rooms(sort=3), "$sort (SortOrder): Input should be 'ASC' or 'DESC'"),
        (lambda c: c.rooms(ids="abc"), "$ids ([ID!]): Input should be a valid list"),
        (lambda c: c.rooms(ids=["a", None]), "ids[1]: Input should be a valid string"),
        (lambda c: c.rooms(ids=["a", 2.0]), "ids[1]: Input should be a valid string"),
        (
            lambda c: c.rooms(pagination="first=10"),
            "$pagination (Pagination): Input should be a valid dictionary or instance of "
            "Pagination",
        ),
        (
            lambda c: c.rooms(pagination=RoomFilter()),
            "$pagination (Pagination): Input should be a valid dictionary or instance of "
            "Pagination",
        ),
        (
            lambda c: c.rooms(pagination={"first": "ten"}),
            "pagination.first: Input should be a valid integer",
        ),
        (
            lambda c: c.rooms(filter_={"kind": "UP"}),
            "filter.kind: 'UP' is not a value of enum SortOrder",
        ),
        (
            lambda c: c.rooms(filter_={"pagination_eq": {"frist": 5}}),
            "filter.pagination_eq.frist: is not a field of its input type",
        ),
        (lambda c: c.pay(input={"amount": 5}), "input.contractId: is required"),
        (
            lambda c: c.pay(input=None),
            "$input (PayInput!): Input should be a valid dictionary or instance of PayInput",
        ),
    ],
)
async def test_invalid_variables_fail_before_sending(call: Any, needle: str) -> None:
    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        with pytest.raises(InvalidVariablesError) as info:
            await call(client)
    assert needle in str(info.value)
    assert str(info.value).startswith(f"invalid variables for operation '{info.value.operation}': ")
    assert info.value.operation in {"contract", "rooms", "pay"}
    assert rec.requests == []


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        # a numeric string is not an Int, True is not an Int, Int is 32-bit
        (lambda c: c.rooms(limit="10"), "$limit (Int): Input should be a valid integer"),
        (lambda c: c.rooms(limit=True), "$limit (Int): Input should be a valid integer"),
        (lambda c: c.rooms(limit=2**40), "$limit (Int): Input should be less than or equal"),
        (lambda c: c.rooms(limit=-(2**31) - 1), "$limit (Int): Input should be greater than"),
        (lambda c: c.rooms(limit=1.0), "$limit (Int): Input should be a valid integer"),
        # a numeric string is not a Float; NaN and infinity cannot travel in JSON
        (lambda c: c.rooms(ratio="1.0"), "$ratio (Float): Input should be a valid number"),
        (lambda c: c.rooms(ratio=True), "$ratio (Float): Input should be a valid number"),
        (lambda c: c.rooms(ratio=float("nan")), "$ratio (Float): Input should be a finite"),
        (lambda c: c.rooms(ratio=float("-inf")), "$ratio (Float): Input should be a finite"),
        # 1 is not a Boolean
        (lambda c: c.rooms(flag=1), "$flag (Boolean): Input should be a valid boolean"),
        (lambda c: c.rooms(flag="true"), "$flag (Boolean): Input should be a valid boolean"),
        # a String is a str
        (lambda c: c.contract(id=b"1"), "$id (ID!): Input should be a valid string"),
        # a custom scalar takes any value that can be sent as JSON, and nothing else
        (lambda c: c.rooms(since=object()), "$since (DateTime): Value error, a value of type"),
        (lambda c: c.rooms(since=float("nan")), "$since (DateTime): Value error, NaN"),
        (lambda c: c.rooms(since={"at": [float("inf")]}), "$since (DateTime): Value error"),
        # ... at every depth
        (
            lambda c: c.rooms(filter_={"pagination_eq": {"first": "5"}}),
            "filter.pagination_eq.first: Input should be a valid integer",
        ),
        (
            lambda c: c.rooms(pagination={"first": True}),
            "pagination.first: Input should be a valid integer",
        ),
        (
            lambda c: c.rooms(pagination={"first": 2**31}),
            "pagination.first: Input should be less than or equal to 2147483647",
        ),
        (
            lambda c: c.pay(input={"amount": float("nan"), "contractId": "c"}),
            "input.amount: Input should be a finite number",
        ),
        (
            lambda c: c.pay(input={"amount": "1.5", "contractId": "c"}),
            "input.amount: Input should be a valid number",
        ),
        (
            lambda c: c.pay(input={"amount": 1, "contractId": "c", "note": 5}),
            "input.note: Input should be a valid string",
        ),
        (
            lambda c: c.pay(input={"amount": 1, "contractId": "c", "meta": object()}),
            "input.meta: Value error, a value of type object cannot be sent as JSON",
        ),
    ],
)
async def test_graphql_input_coercion_is_enforced_before_sending(call: Any, needle: str) -> None:
    """GraphQL's input coercion (Int: 32-bit integers only, Float: finite numbers, Boolean:
    booleans, no strings for numbers) is checked before anything is sent."""
    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        with pytest.raises(InvalidVariablesError) as info:
            await call(client)
    assert needle in str(info.value)
    assert rec.requests == []


async def test_id_variables_accept_integers() -> None:
    """GraphQL's ID input coercion takes integers; they are sent as strings, at every depth."""
    data = {
        "contract": CONTRACT_DATA,
        "rooms": {"rooms": {"totalCount": 0, "edges": []}},
        "pay": {"pay": True},
    }
    rec = Recorder(
        lambda request: httpx.Response(
            200, json={"data": data[json.loads(request.content)["operationName"]]}
        )
    )
    async with make_client(rec) as client:
        await client.contract(id=42)  # type: ignore[arg-type]
        await client.rooms(ids=["a", 2])  # type: ignore[list-item]
        await client.rooms(filter_={"ids_any": [7, "b"]})
        await client.pay(input={"amount": 1, "contractId": 99})
    assert rec.bodies[0]["variables"]["id"] == "42"
    assert rec.bodies[1]["variables"]["ids"] == ["a", "2"]
    assert rec.bodies[2]["variables"]["filter"] == {"ids_any": ["7", "b"]}
    assert rec.bodies[3]["variables"]["input"] == {"amount": 1.0, "contractId": "99"}
    async with make_client(rec) as client:
        for bad in (True, 1.5, None):
            with pytest.raises(InvalidVariablesError, match=r"\$id \(ID!\): Input should be"):
                await client.contract(id=bad)  # type: ignore[arg-type]
    assert len(rec.requests) == 4


async def test_values_within_graphql_bounds_are_sent_as_given() -> None:
    rec = Recorder(httpx.Response(200, json={"data": {"rooms": {"totalCount": 0, "edges": []}}}))
    async with make_client(rec) as client:
        await client.rooms(limit=2**31 - 1, ratio=1e308, flag=False, since="2024-01-01")
        await client.rooms(limit=-(2**31), ratio=-3, since={"nested": [1, 2.5, None]})
    assert rec.bodies[0]["variables"] == {
        "limit": 2147483647,
        "ratio": 1e308,
        "flag": False,
        "since": "2024-01-01",
    }
    assert rec.bodies[1]["variables"] == {
        "limit": -2147483648,
        "ratio": -3.0,
        "since": {"nested": [1, 2.5, None]},
    }


async def test_a_value_json_cannot_carry_is_never_sent_by_execute() -> None:
    """Ad-hoc documents are not validated, but NaN and infinity are refused before sending:
    the body is encoded with ``allow_nan=False`` (JSON has no such numbers)."""
    rec = Recorder(httpx.Response(200, json={"data": {"x": 1}}))
    async with make_client(rec) as client:
        for value in (float("nan"), float("inf"), {"deep": [float("-inf")]}):
            with pytest.raises(InvalidVariablesError, match="NaN") as info:
                await client.execute("query q($v: Float) { x(v: $v) }", variables={"v": value})
            assert info.value.operation is None
    assert rec.requests == []


async def test_missing_and_undeclared_variables_of_an_operation() -> None:
    """What every generated method hands the runtime is checked against the registry entry."""
    from _runtime_fakes.operations import CONTRACT

    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        with pytest.raises(InvalidVariablesError, match=r"\$id \(ID!\): is required"):
            await client._execute_operation(CONTRACT, {})
        with pytest.raises(InvalidVariablesError, match="di: is not declared by the operation"):
            await client._execute_operation(CONTRACT, {"id": "1", "di": "2"})
    assert rec.requests == []


async def test_variable_values_never_in_invalid_variables_message() -> None:
    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    async with make_client(rec) as client:
        with pytest.raises(InvalidVariablesError) as info:
            await client.pay(input={"amount": "secret-amount-1234", "contractId": "c-99"})
    assert "secret-amount-1234" not in str(info.value)
    assert "secret-amount-1234" not in repr(info.value)
    assert "c-99" not in str(info.value)


async def test_variables_are_serialized_like_graphql_expects() -> None:
    body = {"data": {"rooms": {"totalCount": 0, "edges": []}}}
    rec = Recorder(
        httpx.Response(200, json=body), httpx.Response(200, json={"data": {"pay": True}})
    )
    async with make_client(rec) as client:
        await client.rooms(
            filter_=RoomFilter(kind=SortOrder.DESC, pagination_eq=Pagination(after="0", first=5)),
            pagination=None,
            sort=SortOrder.ASC,
            ids=("a", "b"),
            since=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
            ratio=2,
        )
        await client.pay(input=PayInput(amount=1.25, contractId="c-1"))
    rooms_vars = rec.bodies[0]["variables"]
    assert rooms_vars == {
        # explicit None is sent as null; UNSET arguments (limit, flag) are left out
        "filter": {"kind": "DESC", "pagination_eq": {"after": "0", "first": 5}},
        "pagination": None,
        "sort": "ASC",
        "ids": ["a", "b"],
        "since": "2024-05-01T12:00:00Z",
        "ratio": 2,
    }
    # by alias, unset fields left out
    assert rec.bodies[1]["variables"] == {"input": {"amount": 1.25, "contractId": "c-1"}}
    assert rec.bodies[1]["operationName"] == "pay"


async def test_dict_input_is_validated_and_dumped_by_alias() -> None:
    rec = Recorder(httpx.Response(200, json={"data": {"pay": True}}))
    async with make_client(rec) as client:
        result = await client.pay(input={"amount": 3, "contract_id": "c-2"})
    assert result.pay is True
    assert rec.bodies[0]["variables"] == {"input": {"amount": 3.0, "contractId": "c-2"}}


async def test_variables_pass_through_when_document_cannot_be_analysed() -> None:
    rec = Recorder(httpx.Response(200, json={"data": {"x": 1}}))
    async with make_client(rec) as client:
        await client.execute("query {", variables={"when": datetime(2024, 1, 2, tzinfo=UTC)})
        with pytest.raises(InvalidVariablesError, match="not JSON-serializable"):
            await client.execute("query {", variables={"bad": object()})
    assert rec.bodies == [
        {"query": "query {", "operationName": None, "variables": {"when": "2024-01-02T00:00:00Z"}}
    ]


@pytest.mark.parametrize(
    "content",
    [b'{"message": "no contract secret-id-4242"}', b'{"data": null, "note": "secret-id-4242"}'],
)
async def test_body_excerpt_of_non_graphql_body_hides_variable_values(content: bytes) -> None:
    rec = Recorder(httpx.Response(200, content=content))
    async with make_client(rec) as client:
        with pytest.raises(InvalidResponseError) as info:
            await client.contract(id="secret-id-4242")
    assert "secret-id-4242" not in info.value.body_excerpt
    assert "***" in info.value.body_excerpt


async def test_unknown_enum_values_are_refused_alike_at_every_depth() -> None:
    """With a complete schema, an unknown enum value is named the way every other problem is
    (``$sort (SortOrder)`` for a variable, the path inside one), all of them in one message,
    and a huge value is cut short instead of echoed whole."""
    rec = Recorder(httpx.Response(200, json={"data": CONTRACT_DATA}))
    huge = "X" * 100_000
    async with make_client(rec) as client:
        with pytest.raises(InvalidVariablesError) as top:
            await client.rooms(sort="UP")
        with pytest.raises(InvalidVariablesError) as nested:
            await client.rooms(filter_={"kind": "UP"})
        with pytest.raises(InvalidVariablesError) as model:
            await client.rooms(filter_=RoomFilter(kind="UP"))  # type: ignore[arg-type]
        with pytest.raises(InvalidVariablesError) as both:
            await client.rooms(sort="UP", filter_={"kind": "DOWN"})
        with pytest.raises(InvalidVariablesError) as big:
            await client.rooms(sort=huge, filter_={"kind": huge})
    prefix = "invalid variables for operation 'rooms': "
    assert str(top.value) == prefix + "$sort (SortOrder): 'UP' is not a value of enum SortOrder"
    assert str(nested.value) == prefix + "filter.kind: 'UP' is not a value of enum SortOrder"
    assert str(model.value) == str(nested.value)
    assert str(both.value) == (
        prefix + "filter.kind: 'DOWN' is not a value of enum SortOrder; "
        "$sort (SortOrder): 'UP' is not a value of enum SortOrder"
    )
    message = str(big.value)
    assert len(message) < 250, len(message)
    assert "$sort (SortOrder): 'XXXX" in message
    assert "filter.kind: 'XXXX" in message
    assert "…' is not a value of enum SortOrder" in message
    assert rec.requests == []


async def test_an_unknown_enum_value_sent_is_logged_cut_short(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """While the schema is incomplete the value is sent as given; the drift record names the
    place like the refusal does and does not copy a huge value."""
    import logging

    from _runtime_fakes.operations import ROOMS

    monkeypatch.setitem(ROOMS._cache, "enums_complete", False)
    huge = "Y" * 50_000
    rec = Recorder(httpx.Response(200, json={"data": {"rooms": {"totalCount": 0, "edges": []}}}))
    with caplog.at_level(logging.WARNING, logger="upwork_gql.drift"):
        async with make_client(rec) as client:
            await client.rooms(sort=huge)
    assert rec.bodies[0]["variables"]["sort"] == huge
    records = [r.getMessage() for r in caplog.records if r.name == "upwork_gql.drift"]
    assert len(records) == 1
    assert "$sort (SortOrder)" in records[0]
    assert len(records[0]) < 400


async def test_variable_values_are_scrubbed_from_error_values_not_keys() -> None:
    """A variable whose value happens to be ``message`` or ``path`` does not rename the keys of
    the stored errors; the values a server echoes are still replaced."""
    body = {"errors": [{"message": "no contract path here", "path": ["contract"]}]}
    rec = Recorder(httpx.Response(200, json=body))
    async with make_client(rec) as client:
        with pytest.raises(GraphQLError) as info:
            await client.contract(id="path")
    assert info.value.errors == [{"message": "no contract *** here", "path": ["contract"]}]

"""Runtime + the real generated client: UpworkClient's typed methods go through the runtime."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from typing import Any

import httpx
import pytest
from _json_server import JSONServer

from upwork_gql._client import UpworkClient
from upwork_gql._exceptions import InvalidVariablesError, ResponseValidationError
from upwork_gql._generated.client import GeneratedClient
from upwork_gql._generated.enums import SortOrder
from upwork_gql._generated.input_types import Pagination, RoomFilter, WorkDiaryContractInput
from upwork_gql._generated.room_list import RoomList

URL = "http://127.0.0.1:9/graphql"

ROOM_LIST = {
    "data": {
        "roomList": {
            "totalCount": 1,
            "edges": [
                {
                    "cursor": "c1",
                    "node": {
                        "id": "room-1",
                        "roomName": "Logo design",
                        "roomType": None,
                        "topic": None,
                        "numUnread": 0,
                        "numUnreadMentions": 0,
                        "numUsers": 2,
                        "favorite": False,
                        "public": False,
                        "createdAtDateTime": "2024-01-01T00:00:00Z",
                        "latestStory": None,
                        "organization": None,
                        "roomUsers": None,
                        "creator": None,
                        "owner": None,
                    },
                }
            ],
            "pageInfo": {"hasNextPage": False, "endCursor": "c1"},
        }
    }
}


def test_upwork_client_is_the_generated_client() -> None:
    assert issubclass(UpworkClient, GeneratedClient)
    for name in (
        "client_proposals",
        "contract",
        "room_list",
        "work_diary_contract",
        "marketplace_job_postings",
    ):
        assert callable(getattr(UpworkClient, name))


async def test_generated_method_sends_and_returns_typed_model() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=ROOM_LIST, headers={"vnd.eo.request-id": "g-1"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with UpworkClient(
        url=URL, http_client=http, access_token="tok", tenant_id="org-1", rate_limit=None
    ) as client:
        result = await client.room_list(
            filter_=RoomFilter.model_validate({}),
            pagination=Pagination(first=10),
            sort_order=SortOrder(next(iter(SortOrder)).value),
        )
        raw = await client.with_raw_response(client.room_list)
    await http.aclose()
    assert isinstance(result, RoomList)
    assert result.room_list.edges is not None
    edge = result.room_list.edges[0]
    assert edge is not None
    assert edge.node is not None
    assert edge.node.room_name == "Logo design"
    body = json.loads(requests[0].content)
    assert body["operationName"] == "roomList"
    assert body["variables"] == {
        "filter": {},
        "pagination": {"first": 10},
        "sortOrder": next(iter(SortOrder)).value,
    }
    assert requests[0].headers["X-Upwork-API-TenantId"] == "org-1"
    assert requests[0].headers["Authorization"] == "Bearer tok"
    assert json.loads(requests[1].content)["variables"] == {}
    assert raw.request_id == "g-1"
    assert raw.parsed.room_list.total_count == 1


async def test_generated_method_variables_checked_before_sending() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=ROOM_LIST)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with UpworkClient(url=URL, http_client=http, rate_limit=None) as client:
        with pytest.raises(InvalidVariablesError, match="workDiaryContract"):
            await client.work_diary_contract(work_diary_contract_input={"contractId": "1"})
        with pytest.raises(InvalidVariablesError, match=r"\$id \(ID!\)"):
            await client.contract(id=None)  # type: ignore[arg-type]
        with pytest.raises(InvalidVariablesError, match="pagination"):
            await client.room_list(pagination=WorkDiaryContractInput(contractId="1", date="x"))  # type: ignore[arg-type]
    await http.aclose()
    assert requests == []


async def test_generated_method_response_validation_names_path() -> None:
    bad = json.loads(json.dumps(ROOM_LIST))
    bad["data"]["roomList"]["edges"][0]["node"]["id"] = None

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=bad)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with UpworkClient(url=URL, http_client=http, rate_limit=None) as client:
        with pytest.raises(ResponseValidationError) as info:
            await client.room_list()
    await http.aclose()
    assert info.value.operation == "roomList"
    assert any(p.startswith("roomList.edges.0.node.id") for p in info.value.paths)


# --- no graphql-core at run time ---------------------------------------------------------------

_NO_GRAPHQL = """
import asyncio, json, sys

from upwork_gql import InvalidVariablesError, UpworkClient


async def main(url: str) -> dict:
    async with UpworkClient(url=url, access_token="t", rate_limit=None) as client:
        contract = await client.contract(id="1")
        rooms = await client.paginate_room_list(page_size=2).to_list()
        adhoc = await client.execute("query contract($id: ID!) { contract(id: $id) { id } }",
                                     variables={"id": "1"})
        try:
            await client.room_list(filter_={"roomNameTypo_eq": "x"})
        except InvalidVariablesError:
            pass
    return {
        "contract": contract.contract,
        "rooms": [room.id for room in rooms],
        "adhoc": adhoc,
        "loaded": sorted(
            name for name in ("graphql", "ariadne_codegen", "codegen_plugins")
            if name in sys.modules
        ),
    }


print(json.dumps(asyncio.run(main(sys.argv[1]))))
"""


class _LoopbackAPI(JSONServer):
    def __init__(self) -> None:
        super().__init__()
        self.operations: list[str] = []

    def respond(self, path: str, headers: Any, raw: str) -> tuple[int, Any]:
        body = json.loads(raw)
        self.operations.append(body["operationName"])
        if body["operationName"] == "roomList":
            return 200, ROOM_LIST
        if body["operationName"] is None:  # the ad-hoc document
            return 200, {"data": {"contract": {"id": "1"}}}
        return 200, {"data": {"contract": None}}


def test_a_generated_call_never_imports_graphql_core() -> None:
    """Documents are sent as generated and ad-hoc ones as given: nothing parses GraphQL at run
    time (graphql-core is a code-generation dependency). Run in a fresh interpreter so that this
    test process's own imports do not count."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPWORK_")}
    with _LoopbackAPI() as api:
        result = subprocess.run(
            [sys.executable, "-c", _NO_GRAPHQL, f"{api.base_url}/graphql"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert api.operations == ["contract", "roomList", None]  # the bad variables were not sent
    assert outcome["contract"] is None
    assert outcome["rooms"] == ["room-1"]
    assert outcome["adhoc"] == {"contract": {"id": "1"}}
    assert outcome["loaded"] == []


# --- variables: every depth follows the same rules ---------------------------------------------


class _Counting:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.body)

    @property
    def variables(self) -> list[dict[str, Any]]:
        return [json.loads(r.content)["variables"] for r in self.requests]


def _client(api: _Counting) -> UpworkClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(api))
    return UpworkClient(url=URL, http_client=http, access_token="t", rate_limit=None)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.room_list(filter_={"roomNameTypo_eq": "x"}), "filter.roomNameTypo_eq"),
        (
            lambda c: c.marketplace_job_postings(
                market_place_job_filter={
                    "area_eq": {"latitude": 1.0, "longitude": 2.0, "radius": 3.0, "radiusTypo": 4}
                }
            ),
            "marketPlaceJobFilter.area_eq.radiusTypo",
        ),
        (
            lambda c: c.room_stories(
                filter_={"roomId_eq": "r1", "storyFilter": {"paginationTypo": {"first": 1}}}
            ),
            "filter.storyFilter.paginationTypo",
        ),
    ],
)
async def test_an_unknown_input_field_is_refused_at_any_depth(call: Any, path: str) -> None:
    api = _Counting(ROOM_LIST)
    async with _client(api) as client:
        with pytest.raises(InvalidVariablesError) as info:
            await call(client)
    assert f"{path}: is not a field of its input type" in str(info.value)
    assert info.value.operation is not None
    assert api.requests == []


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (
            lambda c: c.room_list(pagination={"first": "10"}),
            "pagination.first: Input should be a valid integer",
        ),
        (
            lambda c: c.room_list(pagination={"first": True}),
            "pagination.first: Input should be a valid integer",
        ),
        (
            lambda c: c.room_list(pagination={"first": 2**40}),
            "pagination.first: Input should be less than or equal to 2147483647",
        ),
        (
            lambda c: c.room_list(filter_={"subscribed_eq": 1}),
            "filter.subscribed_eq: Input should be a valid boolean",
        ),
        (
            lambda c: c.room_list(filter_={"activeSince_eq": 20240101}),
            "filter.activeSince_eq: Input should be a valid string",
        ),
        (
            lambda c: c.marketplace_job_postings(
                market_place_job_filter={
                    "area_eq": {"latitude": "1.0", "longitude": 2.0, "radius": 3.0}
                }
            ),
            "marketPlaceJobFilter.area_eq.latitude: Input should be a valid number",
        ),
        (
            lambda c: c.marketplace_job_postings(
                market_place_job_filter={
                    "area_eq": {"latitude": 1.0, "longitude": float("nan"), "radius": 3.0}
                }
            ),
            "marketPlaceJobFilter.area_eq.longitude: Input should be a finite number",
        ),
        (
            lambda c: c.client_proposals(job_posting_id="1", filter_={"chargeRate_eq": object()}),
            "filter.chargeRate_eq: Value error, a value of type object cannot be sent as JSON",
        ),
    ],
)
async def test_generated_input_objects_apply_graphql_input_coercion(call: Any, needle: str) -> None:
    """The generated input models type their scalar fields with the runtime's GraphQL scalars:
    nested values are checked like top-level variables, and nothing is sent."""
    api = _Counting(ROOM_LIST)
    async with _client(api) as client:
        with pytest.raises(InvalidVariablesError) as info:
            await call(client)
    assert needle in str(info.value)
    assert api.requests == []


async def test_generated_input_objects_take_integer_ids_and_send_strings() -> None:
    api = _Counting({"data": {"workDiaryContract": None}})
    async with _client(api) as client:
        await client.work_diary_contract(
            work_diary_contract_input={"contractId": 40001000, "date": "20261116"}  # type: ignore[arg-type]
        )
        await client.work_diary_contract(
            WorkDiaryContractInput(contract_id=7, date="20261116")  # type: ignore[arg-type]
        )
    assert [v["workDiaryContractInput"]["contractId"] for v in api.variables] == ["40001000", "7"]


def test_generated_input_models_forbid_unknown_fields() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        RoomFilter.model_validate({"roomNameTypo_eq": "x"})
    with pytest.raises(ValidationError):
        Pagination(first=1, frist=2)  # type: ignore[call-arg]


def _unique(prefix: str) -> str:
    # the drift log says each value once per process: each test uses values of its own
    return f"{prefix}_{uuid.uuid4().hex[:8].upper()}"


async def test_unknown_enum_values_are_sent_as_given_at_every_depth_while_incomplete(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from upwork_gql._generated.operations import ENUM_VALUES_COMPLETE

    assert ENUM_VALUES_COMPLETE is False  # schema.graphql lists only the documented values
    top, nested = _unique("NEWEST"), _unique("GROUP")
    api = _Counting(ROOM_LIST)
    with caplog.at_level(logging.WARNING, logger="upwork_gql.drift"):
        async with _client(api) as client:
            await client.room_list(sort_order=top)  # type: ignore[arg-type]
            await client.room_list(filter_={"roomType_eq": nested})  # type: ignore[arg-type]
    assert api.variables == [{"sortOrder": top}, {"filter": {"roomType_eq": nested}}]
    drift = [r.getMessage() for r in caplog.records if r.name == "upwork_gql.drift"]
    about_top = [m for m in drift if top in m]
    about_nested = [m for m in drift if nested in m]
    assert about_top
    assert about_nested
    assert len(about_top) == len(about_nested)  # the same policy at both depths
    assert any("sent as given" in m and "sortOrder" in m for m in about_top)
    assert any("sent as given" in m and "filter.roomType_eq" in m for m in about_nested)


async def test_an_unknown_enum_value_sent_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    top, nested = _unique("NEWEST"), _unique("GROUP")
    api = _Counting(ROOM_LIST)
    with caplog.at_level(logging.WARNING, logger="upwork_gql.drift"):
        async with _client(api) as client:
            await client.room_list(sort_order=top)  # type: ignore[arg-type]
            await client.room_list(filter_={"roomType_eq": nested})  # type: ignore[arg-type]
            await client.room_list(sort_order=top)  # type: ignore[arg-type]
    drift = [r.getMessage() for r in caplog.records if r.name == "upwork_gql.drift"]
    assert len([m for m in drift if top in m]) == 1
    assert len([m for m in drift if nested in m]) == 1


async def test_unknown_enum_values_are_refused_at_every_depth_once_complete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from upwork_gql._generated.operations import ROOM_LIST as ROOM_LIST_OP

    monkeypatch.setitem(ROOM_LIST_OP._cache, "enums_complete", True)
    top, nested = _unique("NEWEST"), _unique("GROUP")
    api = _Counting(ROOM_LIST)
    async with _client(api) as client:
        with pytest.raises(InvalidVariablesError) as top_info:
            await client.room_list(sort_order=top)  # type: ignore[arg-type]
        with pytest.raises(InvalidVariablesError) as nested_info:
            await client.room_list(filter_={"roomType_eq": nested})  # type: ignore[arg-type]
        # known values still go through
        await client.room_list(
            sort_order=next(iter(SortOrder)),
            filter_={"roomType_eq": "ALL"},  # type: ignore[arg-type]
        )
    assert "sortOrder" in str(top_info.value)
    assert "is not a value of enum SortOrder" in str(top_info.value)
    assert "filter.roomType_eq" in str(nested_info.value)
    assert "is not a value of enum RoomTypeFilter" in str(nested_info.value)
    assert top_info.value.operation == nested_info.value.operation == "roomList"
    assert len(api.requests) == 1

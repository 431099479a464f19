"""Runtime + the real generated client: UpworkClient's typed methods go through the runtime."""

from __future__ import annotations

import json

import httpx
import pytest

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

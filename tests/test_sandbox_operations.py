"""The sandbox serves the operations of queries/ beyond the first five: tenants, the current
user, messages (read and send), time reports. Raw HTTP POSTs of the operation documents."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import FragmentDefinitionNode, parse, print_ast

from upwork_gql.sandbox import (
    DEFAULT_ORG_ID,
    LIMITED_CLIENT_ID,
    SECOND_ORG_ID,
    SandboxConfig,
    SandboxState,
    create_app,
    get_state,
)
from upwork_gql.sandbox.config import ALL_SCOPES, SCOPE_WORKDIARY, SCOPE_WRITE
from upwork_gql.sandbox.data import STORIES_IN_FIRST_ROOM

QUERIES = Path(__file__).resolve().parents[1] / "queries"
SCOPE_PREFIX = "The client or authentication token doesn't have enough oauth2 permissions/scopes"


def document(name: str) -> str:
    """queries/<name>.graphql plus the fragments it spreads (transitively)."""
    fragments = {
        d.name.value: print_ast(d)
        for d in parse((QUERIES / "fragments.graphql").read_text()).definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    text = (QUERIES / f"{name}.graphql").read_text()
    needed: dict[str, str] = {}
    todo = [text]
    while todo:
        for spread in re.findall(r"\.\.\.\s*([A-Za-z_]\w*)", todo.pop()):
            if spread in fragments and spread not in needed:
                needed[spread] = fragments[spread]
                todo.append(fragments[spread])
    return "\n".join([text, *needed.values()])


class Api:
    """An in-process sandbox and raw POSTs of operation documents."""

    def __init__(self, http: httpx.AsyncClient, state: SandboxState) -> None:
        self.http = http
        self.state = state
        self.token = state.issue_tokens().access_token

    async def post(
        self,
        name: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        tenant: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if tenant is not None:
            headers["X-Upwork-API-TenantId"] = tenant
        body = {"query": document(name), "variables": variables or {}, "operationName": name}
        response = await self.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def data(self, name: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        result = await self.post(name, variables, **kw)
        assert "errors" not in result, result["errors"]
        return result["data"][next(iter(result["data"]))]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    app = create_app(SandboxConfig())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        yield Api(http, get_state(app))


def _stories_vars(room_id: str, after: str | None = None, first: int = 10) -> dict[str, Any]:
    pagination: dict[str, Any] = {"first": first}
    if after is not None:
        pagination["after"] = after
    return {"filter": {"roomId_eq": room_id, "storyFilter": {"pagination": pagination}}}


def _report_vars(
    org_id: str, start: str, end: str, *, after: str | None = None, first: int = 10, **extra: Any
) -> dict[str, Any]:
    pagination: dict[str, Any] = {"first": first}
    if after is not None:
        pagination["after"] = after
    return {
        "filter": {
            "organizationId_eq": org_id,
            "timeReportDate_bt": {"rangeStart": start, "rangeEnd": end},
            **extra,
        },
        "pagination": pagination,
    }


# -- tenants and the current user ---------------------------------------------------------------


async def test_company_selector_lists_both_organizations(api: Api) -> None:
    for tenant in (None, SECOND_ORG_ID):
        selector = await api.data("companySelector", tenant=tenant)
        items = {item["organizationId"]: item for item in selector["items"]}
        assert set(items) == {DEFAULT_ORG_ID, SECOND_ORG_ID}
        assert items[DEFAULT_ORG_ID]["title"] == "Acme Robotics LLC"
        assert items[SECOND_ORG_ID]["title"] == "Globex Design Studio"
        assert items[DEFAULT_ORG_ID]["legacyEnterpriseOrganization"] is True
        assert items[SECOND_ORG_ID]["legacyEnterpriseOrganization"] is False
        assert all(item["typeTitle"] == "Client" for item in items.values())


async def test_user_is_the_configured_resource_owner(api: Api) -> None:
    user = await api.data("user")
    configured = api.state.config.user
    assert (user["id"], user["nid"], user["name"]) == (
        configured.id,
        configured.nid,
        "Ada Lovelace",
    )
    assert user["email"] == configured.email
    assert user["rid"]
    assert user["ciphertext"].startswith("~01")


async def test_every_organization_id_works_as_a_tenant(api: Api) -> None:
    selector = await api.data("companySelector")
    names = set()
    for item in selector["items"]:
        room_list = await api.http.post(
            "/graphql",
            json={"query": "{ organization { id name } }"},
            headers={
                "Authorization": f"Bearer {api.token}",
                "X-Upwork-API-TenantId": item["organizationId"],
            },
        )
        organization = room_list.json()["data"]["organization"]
        assert organization["id"] == item["organizationId"]
        names.add(organization["name"])
    assert len(names) == 2


# -- messages ----------------------------------------------------------------------------------


async def _all_stories(api: Api, room_id: str, first: int, **kw: Any) -> tuple[list[Any], int]:
    nodes: list[Any] = []
    after: str | None = None
    pages = 0
    while True:
        page = await api.data("roomStories", _stories_vars(room_id, after, first), **kw)
        pages += 1
        nodes += [edge["node"] for edge in page["edges"]]
        assert [edge["cursor"] for edge in page["edges"]][-1:] == [page["pageInfo"]["endCursor"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(nodes) == page["totalCount"]
            return nodes, pages
        after = page["pageInfo"]["endCursor"]


async def test_room_stories_page_newest_first(api: Api) -> None:
    room_id = api.state.data.default_org.room_id(0)
    nodes, pages = await _all_stories(api, room_id, first=50)
    assert len(nodes) == STORIES_IN_FIRST_ROOM
    assert pages == 3
    assert len({n["id"] for n in nodes}) == len(nodes)
    times = [n["createdDateTime"] for n in nodes]
    assert times == sorted(times, reverse=True)
    assert len(set(times)) == len(times)
    assert all(n["room"]["id"] == room_id and n["user"]["id"] for n in nodes)
    assert nodes[-1]["systemStory"] is True  # the oldest: the room's creation event


async def test_room_stories_respect_page_size_limit_and_cursor_placement(api: Api) -> None:
    room_id = api.state.data.default_org.room_id(0)
    result = await api.post("roomStories", _stories_vars(room_id, first=51))
    (error,) = result["errors"]
    assert "Page size is restricted to be <= 50" in error["message"]
    # The cursor is read from filter.storyFilter.pagination: the second page starts after it.
    first = await api.data("roomStories", _stories_vars(room_id, first=5))
    second = await api.data("roomStories", _stories_vars(room_id, after="5", first=5))
    assert [e["cursor"] for e in first["edges"]] == ["1", "2", "3", "4", "5"]
    assert [e["cursor"] for e in second["edges"]] == ["6", "7", "8", "9", "10"]
    assert (
        second["edges"][0]["node"]["createdDateTime"]
        < first["edges"][-1]["node"]["createdDateTime"]
    )


async def test_room_stories_need_the_messaging_scope(api: Api) -> None:
    room_id = api.state.data.default_org.room_id(0)
    limited = api.state.issue_tokens(LIMITED_CLIENT_ID).access_token
    result = await api.post("roomStories", _stories_vars(room_id), token=limited)
    assert result["errors"][0]["message"].startswith(SCOPE_PREFIX)
    assert "Query.roomStories" in result["errors"][0]["message"]
    assert result["data"] == {"roomStories": None}


async def test_room_of_another_tenant_is_not_found(api: Api) -> None:
    other_room = api.state.data.orgs[SECOND_ORG_ID].room_id(0)
    result = await api.post("roomStories", _stories_vars(other_room))
    assert "not found" in result["errors"][0]["message"]
    page = await api.data("roomStories", _stories_vars(other_room), tenant=SECOND_ORG_ID)
    assert page["totalCount"] == STORIES_IN_FIRST_ROOM


async def test_a_sent_message_comes_first_in_the_next_page(api: Api) -> None:
    room_id = api.state.data.default_org.room_id(0)
    before = await api.data("roomStories", _stories_vars(room_id))
    newest_before = before["edges"][0]["node"]
    sent = await api.data(
        "createRoomStoryV2", {"input": {"roomId": room_id, "message": "Invoice sent, thanks!"}}
    )
    assert sent["message"] == "Invoice sent, thanks!"
    assert sent["room"]["id"] == room_id
    assert sent["user"]["id"] == api.state.config.user.id
    assert sent["organization"]["id"] == DEFAULT_ORG_ID
    assert sent["systemStory"] is False
    assert sent["createdDateTime"] > newest_before["createdDateTime"]
    after = await api.data("roomStories", _stories_vars(room_id))
    assert after["totalCount"] == before["totalCount"] + 1
    assert after["edges"][0]["node"] == {key: sent[key] for key in after["edges"][0]["node"]}
    assert after["edges"][1]["node"]["id"] == newest_before["id"]
    # A second message goes on top of the first, with its own id.
    again = await api.data("createRoomStoryV2", {"input": {"roomId": room_id, "message": "PS"}})
    assert again["id"] != sent["id"]
    latest = await api.data("roomStories", _stories_vars(room_id, first=2))
    assert [e["node"]["id"] for e in latest["edges"]] == [again["id"], sent["id"]]
    assert api.state.counters["mutation.createRoomStoryV2"] == 2


async def test_sending_needs_the_write_scope_and_stores_nothing_without_it(api: Api) -> None:
    room_id = api.state.data.default_org.room_id(2)
    read_only = api.state.issue_tokens(scopes=set(ALL_SCOPES) - {SCOPE_WRITE}).access_token
    result = await api.post(
        "createRoomStoryV2", {"input": {"roomId": room_id, "message": "hi"}}, token=read_only
    )
    assert result["errors"][0]["message"].startswith(SCOPE_PREFIX)
    assert "Mutation.createRoomStoryV2" in result["errors"][0]["message"]
    assert api.state.data.default_org.stories(room_id).posted == 0
    assert api.state.counters["mutations"] == 0


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"input": {"roomId": "room_nope", "message": "hi"}}, "Room room_nope not found"),
        ({"input": {"message": "hi"}}, "input.roomId is required"),
        ({"input": {"roomId": "{room}", "message": "   "}}, "must not be empty"),
    ],
)
async def test_bad_messages_are_refused(api: Api, variables: dict[str, Any], expected: str) -> None:
    room_id = api.state.data.default_org.room_id(3)
    spec = variables["input"]
    if spec.get("roomId") == "{room}":
        spec["roomId"] = room_id
    result = await api.post("createRoomStoryV2", variables)
    assert expected in result["errors"][0]["message"]
    assert result["data"] == {"createRoomStoryV2": None}
    assert api.state.data.default_org.stories(room_id).posted == 0


@pytest.mark.parametrize("fault", [{"status": 503, "after": True}, {"drop": True, "after": True}])
async def test_a_fault_after_the_server_acted_still_stores_the_message(
    api: Api, fault: dict[str, Any]
) -> None:
    """What a client sees as a failed mutation may have happened: never resend it blindly."""
    room_id = api.state.data.default_org.room_id(4)
    api.state.faults.push({"next": [fault]})
    body = {
        "query": document("createRoomStoryV2"),
        "variables": {"input": {"roomId": room_id, "message": "exactly once"}},
    }
    headers = {"Authorization": f"Bearer {api.token}"}
    if fault.get("drop"):
        with pytest.raises(httpx.RemoteProtocolError):
            await api.http.post("/graphql", json=body, headers=headers)
    else:
        response = await api.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 503
    latest = await api.data("roomStories", _stories_vars(room_id, first=1))
    assert latest["edges"][0]["node"]["message"] == "exactly once"
    assert api.state.counters["mutation.createRoomStoryV2"] == 1


async def test_a_fault_before_the_server_acted_stores_nothing(api: Api) -> None:
    room_id = api.state.data.default_org.room_id(4)
    api.state.faults.push({"next": [{"status": 503}]})
    body = {
        "query": document("createRoomStoryV2"),
        "variables": {"input": {"roomId": room_id, "message": "never arrives"}},
    }
    response = await api.http.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert response.status_code == 503
    assert api.state.data.default_org.stories(room_id).posted == 0


# -- time reports ------------------------------------------------------------------------------


async def _all_rows(api: Api, variables: dict[str, Any]) -> tuple[list[Any], int]:
    rows: list[Any] = []
    pages = 0
    while True:
        page = await api.data("contractTimeReport", variables)
        pages += 1
        rows += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(rows) == page["totalCount"]
            return rows, pages
        variables["pagination"]["after"] = page["pageInfo"]["endCursor"]


async def test_time_report_pages_through_a_week(api: Api) -> None:
    org = api.state.data.default_org
    days = org.diary_dates()
    rows, pages = await _all_rows(api, _report_vars(org.id, days[0], days[-1], first=20))
    assert len(rows) > 60
    assert pages == -(-len(rows) // 20)
    assert {r["dateWorkedOn"] for r in rows} == set(days)
    assert [r["dateWorkedOn"] for r in rows] == sorted(r["dateWorkedOn"] for r in rows)
    assert {r["contract"]["id"] for r in rows} == set(org.hourly_contract_ids())
    for row in rows:
        assert row["team"]["id"] == org.id
        assert row["totalHoursWorked"] > 0
        assert row["totalCharges"] == pytest.approx(
            row["totalHoursWorked"] * row["billRate"]["value"], abs=0.01
        )
        worked = dt.date.fromisoformat(row["dateWorkedOn"])
        assert dt.date.fromisoformat(row["weekWorkedOn"]).weekday() == 0
        assert 0 <= (worked - dt.date.fromisoformat(row["weekWorkedOn"])).days < 7
        assert row["freelancer"]["id"]
        assert row["contract"]["title"]


async def test_time_report_agrees_with_the_work_diary(api: Api) -> None:
    org = api.state.data.default_org
    contract_id = org.hourly_contract_ids()[1]
    day = org.diary_dates()[-2]
    rows, _ = await _all_rows(api, _report_vars(org.id, day, day, contractIds=[contract_id]))
    assert {(r["dateWorkedOn"], r["contract"]["id"]) for r in rows} == {(day, contract_id)}
    cells = org.diary_cells(contract_id, day)
    assert sum(r["totalHoursWorked"] for r in rows) == pytest.approx(len(cells) / 6, abs=0.05)
    assert {r["memo"] for r in rows} == {c["memo"] for c in cells}


async def test_time_report_filters_and_errors(api: Api) -> None:
    second = api.state.data.orgs[SECOND_ORG_ID]
    days = second.diary_dates()
    rows, _ = await _all_rows(api, _report_vars(second.id, days[0], days[-1], first=50))
    assert {r["team"]["id"] for r in rows} == {SECOND_ORG_ID}
    assert {r["contract"]["id"] for r in rows} == set(second.hourly_contract_ids())
    empty = await api.data("contractTimeReport", _report_vars(second.id, "2020-01-01", "20200131"))
    assert empty["totalCount"] == 0
    assert empty["edges"] == []
    assert empty["pageInfo"]["hasNextPage"] is False
    unknown = await api.post("contractTimeReport", _report_vars("123", days[0], days[-1]))
    assert "Organization 123 not found" in unknown["errors"][0]["message"]
    reversed_range = await api.post(
        "contractTimeReport", _report_vars(second.id, days[-1], days[0])
    )
    assert reversed_range["errors"][0]["extensions"]["classification"] == "ValidationError"
    too_big = await api.post(
        "contractTimeReport", _report_vars(second.id, days[0], days[-1], first=51)
    )
    assert "Page size is restricted to be <= 50" in too_big["errors"][0]["message"]


async def test_time_report_needs_the_time_tracking_scope(api: Api) -> None:
    org = api.state.data.default_org
    token = api.state.issue_tokens(scopes=set(ALL_SCOPES) - {SCOPE_WORKDIARY}).access_token
    days = org.diary_dates()
    result = await api.post(
        "contractTimeReport", _report_vars(org.id, days[0], days[-1]), token=token
    )
    assert result["errors"][0]["message"].startswith(SCOPE_PREFIX)
    assert "Query.contractTimeReport" in result["errors"][0]["message"]


# -- enum values the live API has beyond the documented ones ----------------------------------


async def test_sort_order_desc_is_accepted_like_the_live_api(api: Api) -> None:
    query = """query q($order: SortOrder) {
      roomList(sortOrder: $order, pagination: {first: 3}) { edges { node { id } } } }"""
    headers = {"Authorization": f"Bearer {api.token}"}

    async def ids(order: str) -> list[str]:
        response = await api.http.post(
            "/graphql", json={"query": query, "variables": {"order": order}}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body
        return [e["node"]["id"] for e in body["data"]["roomList"]["edges"]]

    assert await ids("DESC") != await ids("ASC")
    literal = await api.http.post(
        "/graphql", json={"query": "{ roomList(sortOrder: DESC) { totalCount } }"}, headers=headers
    )
    assert "errors" not in literal.json()
    bad = await api.http.post(
        "/graphql", json={"query": query, "variables": {"order": "SIDEWAYS"}}, headers=headers
    )
    assert "SIDEWAYS" in bad.json()["errors"][0]["message"]
    # Introspection still shows the documented list only (what schema.graphql carries).
    introspected = await api.http.post(
        "/graphql",
        json={"query": '{ __type(name: "SortOrder") { enumValues { name } } }'},
        headers=headers,
    )
    assert introspected.json()["data"]["__type"]["enumValues"] == [{"name": "ASC"}]


async def test_proposal_statuses_beyond_the_documented_one_are_served(api: Api) -> None:
    query = """query q($job: ID!) { clientProposals(jobPostingId: $job, pagination: {first: 50}) {
      edges { node { status { status } } } } }"""
    response = await api.http.post(
        "/graphql",
        json={"query": query, "variables": {"job": api.state.data.jobs[0]["id"]}},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    statuses = {e["node"]["status"]["status"] for e in body["data"]["clientProposals"]["edges"]}
    assert "Created" in statuses
    assert statuses - {"Created"}

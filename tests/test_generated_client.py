"""The generated client's mission methods: documents, variables and typed results (respx)."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from _generated_types import generated_namespace, operation_for, type_hints
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast
from graphql.language import DocumentNode, FragmentSpreadNode, visit
from graphql.language.visitor import Visitor

from upwork_gql._generated import (
    ClientProposalFilter,
    ClientProposals,
    ClientProposalSortAttribute,
    Contract,
    ContractState,
    ContractType,
    EngagementType,
    GeneratedClient,
    JobDuration,
    MarketplaceJobFilter,
    MarketplaceJobPostings,
    MarketplaceJobPostingSearchType,
    MarketplaceJobPostingsSearch,
    MarketplaceJobPostingsSearchFilter,
    Pagination,
    RoomFilter,
    RoomList,
    RoomType,
    SortOrder,
    WorkDiaryContract,
    WorkDiaryContractInput,
)
from upwork_gql._generated.operations import OPERATIONS
from upwork_gql._operation import Operation

ROOT = Path(__file__).resolve().parent.parent
URL = "https://api.upwork.com/graphql"

MISSION_METHODS = {
    "client_proposals": "clientProposals",
    "contract": "contract",
    "room_list": "roomList",
    "work_diary_contract": "workDiaryContract",
    "marketplace_job_postings": "marketplaceJobPostings",
    "marketplace_job_postings_search": "marketplaceJobPostingsSearch",
}


# -- helpers ---------------------------------------------------------------------------------


def _queries_document() -> DocumentNode:
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.graphql"))]
    return parse("\n".join(sources))


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.add(node.name.value)


def documented_definitions(operation_name: str) -> set[str]:
    """The operation from ``queries/`` plus every fragment it uses, each printed canonically."""
    doc = _queries_document()
    operations = {
        d.name.value: d
        for d in doc.definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    }
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    wanted: list[Any] = [operations[operation_name]]
    seen: set[str] = set()
    printed: set[str] = set()
    while wanted:
        node = wanted.pop()
        printed.add(print_ast(node))
        collector = _SpreadCollector()
        visit(node, collector)
        for name in collector.names - seen:
            seen.add(name)
            wanted.append(fragments[name])
    return printed


def sent_definitions(query: str) -> set[str]:
    return {print_ast(d) for d in parse(query).definitions}


def graphql_ok(data: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"data": data}, headers={"vnd.eo.request-id": "req-test-1"})


@pytest.fixture
async def client() -> AsyncIterator[GeneratedClient]:
    http_client = httpx.AsyncClient()
    try:
        yield GeneratedClient(url=URL, http_client=http_client)
    finally:
        await http_client.aclose()


def only_request(route: respx.Route) -> dict[str, Any]:
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == URL
    body: dict[str, Any] = json.loads(request.content)
    return body


# -- realistic responses, after the reference's examples ---------------------------------------

MONEY = {"rawValue": "1.23", "currency": "USD", "displayValue": "$1.23"}
PAGE_INFO_MORE = {"hasNextPage": True, "endCursor": "Y3Vyc29yOjI="}

CLIENT_PROPOSAL_NODE = {
    "id": "4",
    "user": {
        "id": "1181921839933591552",
        "nid": "foofreelancer",
        "rid": "2366358",
        "name": "John S.",
        "firstName": "John",
        "lastName": "Smith",
        "photoUrl": None,
        "publicUrl": "https://www.upwork.com/freelancers/~01abc",
        "ciphertext": "~01abc",
    },
    "organization": {
        "id": "4",
        "rid": "987",
        "legacyId": None,
        "name": "xyz789",
        "type": "BUSINESS",
        "legacyType": "VENDOR",
        "photoUrl": None,
    },
    "job": {"id": "4", "content": {"title": "abc123"}},
    "terms": {
        "chargeRate": MONEY,
        "estimatedDuration": {"id": "4", "label": "1 to 3 months"},
        "upfrontPaymentPercent": None,
    },
    "coverLetter": "xyz789",
    "projectPlan": None,
    "auditDetails": {"createdDateTime": "2024-01-16T09:12:57Z", "modifiedDateTime": None},
    "status": {"status": "ACTIVE", "reason": None},
    "annotations": ["Recommended"],
}

CONTRACT = {
    "id": "4",
    "title": "abc123",
    "contractType": "HOURLY",
    "status": "ACTIVE",
    "hasAgency": True,
    "paused": False,
    "last": True,
    "manualTimeAllowed": True,
    "createdDateTime": "abc123",
    "firstContractStartDateTime": "abc123",
    "modifiedDateTime": "abc123",
    "startDateTime": "abc123",
    "endDateTime": None,
    "weeklyHoursLimit": 987.65,
    "weeklyStipendHours": None,
    "weeklyChargeAmount": MONEY,
    "hourlyChargeRate": None,
    "offer": {"id": "4", "offerTerms": {"fixedPriceTerm": None}},
    "clientProposal": {"id": "4"},
    "freelancer": {
        "user": {"id": "4", "nid": "foofreelancer", "rid": "2366358", "ciphertext": None},
        "countryDetails": {"id": "4", "name": "Ukraine"},
    },
    "job": {
        "id": "4",
        "classification": {"category": {"id": "4", "type": ["OCCUPATION"]}},
        "content": {"title": "abc123"},
    },
    "clientCompany": None,
    "milestones": [],
    "feedback": None,
}

ROOM_NODE = {
    "id": "4",
    "roomName": "abc123",
    "roomType": "ONE_ON_ONE",
    "topic": None,
    "numUnread": 987,
    "numUnreadMentions": 0,
    "numUsers": 2,
    "favorite": True,
    "public": False,
    "createdAtDateTime": "abc123",
    "latestStory": {"createdDateTime": "abc123", "updatedDateTime": "xyz789"},
    "organization": {"id": "4", "legacyId": "4"},
    "roomUsers": [
        {"user": {"id": "4"}, "organization": {"id": "4"}, "role": "owner"},
        {"user": {"id": "5"}, "organization": None, "role": None},
    ],
    "creator": {"user": {"id": "4", "nid": "foo", "name": "John S."}},
    "owner": None,
}

TIME_CELL = {
    "cellDateTime": {"rawValue": "33600", "displayValue": "09:20"},
    "snapshotDateTime": None,
    "overtime": False,
    "manual": False,
    "activityLevel": 7,
    "memo": "abc123",
    "task": {"id": "4", "description": None},
    "mouseEventsCount": 120,
    "keyboardEventsCount": 340,
    "activeWindowTitle": None,
    "hideScreenshots": False,
    "hasScreenshot": True,
    "screenshotImageUrl": "https://example.invalid/s.png",
    "screenshotImageUrlMedium": None,
    "screenshotImageThumbnail": None,
    "webcamEnabled": False,
    "webcamImageUrl": None,
    "webcamImageThumbnail": None,
}

JOB_NODE = {
    "id": "4",
    "ciphertext": "~01abc",
    "title": "abc123",
    "description": "xyz789",
    "category": "Web Development",
    "subcategory": None,
    "duration": "WEEK",
    "durationLabel": "Less than 1 month",
    "engagement": None,
    "experienceLevel": "INTERMEDIATE",
    "recordNumber": "1",
    "createdDateTime": "abc123",
    "publishedDateTime": "abc123",
    "renewedDateTime": None,
    "totalApplicants": 12,
    "freelancersToHire": 1,
    "totalFreelancersToHire": None,
    "enterprise": False,
    "premium": False,
    "applied": False,
    "hourlyBudgetType": None,
    "amount": MONEY,
    "hourlyBudgetMin": None,
    "hourlyBudgetMax": None,
    "weeklyBudget": None,
    "skills": [{"id": None, "name": "python", "prettyName": "Python"}],
    "client": {
        "totalHires": 3,
        "totalPostedJobs": 5,
        "totalReviews": 2,
        "totalFeedback": 4.9,
        "verificationStatus": "VERIFIED",
        "companyName": None,
        "totalSpent": None,
        "location": {"city": None, "country": "United States", "timezone": None},
    },
    "job": {
        "id": "4",
        "contractTerms": {
            "contractType": "HOURLY",
            "hourlyContractTerms": {"engagementType": "FULL_TIME"},
        },
    },
}


def search_connection() -> dict[str, Any]:
    return {
        "totalCount": 987,
        "edges": [{"cursor": "0", "node": JOB_NODE}],
        "pageInfo": {"hasNextPage": True, "endCursor": "1"},
    }


# -- the methods exist with typed signatures --------------------------------------------------


@pytest.mark.parametrize("method", sorted(MISSION_METHODS))
def test_mission_method_is_typed_coroutine(method: str) -> None:
    fn = getattr(GeneratedClient, method)
    assert inspect.iscoroutinefunction(fn)
    hints = type_hints(fn)  # models are imported for type checking only
    assert "return" in hints
    assert hints["return"].__module__.startswith("upwork_gql._generated.")
    assert (
        hints["return"].__name__ == MISSION_METHODS[method][0].upper() + MISSION_METHODS[method][1:]
    )
    assert operation_for(method).result_model() is hints["return"]


@pytest.mark.parametrize("op", OPERATIONS.values(), ids=lambda op: op.name)
def test_registry_variables_match_the_method_signature(op: Operation) -> None:
    """What the runtime validates (the registry) is what the method declares."""
    fn = getattr(GeneratedClient, op.method)
    hints = type_hints(fn)
    parameters = inspect.signature(fn).parameters
    assert [v.python_name for v in op.variables] == [
        name for name in parameters if name not in ("self", "kwargs")
    ]
    namespace = generated_namespace()
    for variable in op.variables:
        assert eval(variable.python_type, namespace) == hints[variable.python_name], variable
        has_default = parameters[variable.python_name].default is not inspect.Parameter.empty
        assert variable.required is not has_default, variable
    assert op.kind == ("mutation" if op.is_mutation else "query")
    assert op.document.lstrip().startswith(f"{op.kind} {op.name}")


def test_required_arguments_are_keyword_typed() -> None:
    sig = inspect.signature(GeneratedClient.client_proposals)
    assert sig.parameters["job_posting_id"].default is inspect.Parameter.empty
    assert type_hints(GeneratedClient.contract)["id"] is str
    sig = inspect.signature(GeneratedClient.work_diary_contract)
    assert sig.parameters["work_diary_contract_input"].default is inspect.Parameter.empty


# -- clientProposals ---------------------------------------------------------------------------


@respx.mock
async def test_client_proposals_minimal_call(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {
                "clientProposals": {
                    "totalCount": 123,
                    "edges": [{"cursor": "Y3Vyc29yOjE=", "node": CLIENT_PROPOSAL_NODE}],
                    "pageInfo": PAGE_INFO_MORE,
                }
            }
        )
    )
    result = await client.client_proposals(job_posting_id="4")

    body = only_request(route)
    assert body["operationName"] == "clientProposals"
    assert body["variables"] == {"jobPostingId": "4"}
    assert sent_definitions(body["query"]) == documented_definitions("clientProposals")

    assert isinstance(result, ClientProposals)
    connection = result.client_proposals
    assert connection is not None
    assert connection.total_count == 123
    assert connection.page_info is not None
    assert connection.page_info.has_next_page is True
    assert connection.page_info.end_cursor == "Y3Vyc29yOjI="
    assert connection.edges is not None
    edge = connection.edges[0]
    assert edge is not None
    assert edge.cursor == "Y3Vyc29yOjE="
    node = edge.node
    assert node is not None
    assert node.id == "4"
    assert node.user.nid == "foofreelancer"
    assert node.user.photo_url is None
    assert node.organization.legacy_id is None
    assert node.terms is not None
    assert node.terms.charge_rate.raw_value == "1.23"
    assert node.terms.upfront_payment_percent is None
    assert node.project_plan is None
    assert node.audit_details.modified_date_time is None
    assert node.status.status == "ACTIVE"
    assert node.status.reason is None
    assert [a.value for a in node.annotations or []] == ["Recommended"]


@respx.mock
async def test_client_proposals_sends_filter_sort_and_pagination(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {
                "clientProposals": {
                    "totalCount": 0,
                    "edges": [],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                }
            }
        )
    )
    result = await client.client_proposals(
        job_posting_id="4",
        filter_=ClientProposalFilter(freelancer_id_eq="77", country_any=["US", "UA"]),
        sort_attribute=ClientProposalSortAttribute(field="CREATED_DATE", sort_order=SortOrder.ASC),
        pagination=Pagination(after="Y3Vyc29yOjE=", first=10),
    )
    body = only_request(route)
    assert body["variables"] == {
        "jobPostingId": "4",
        "filter": {"freelancerId_eq": "77", "country_any": ["US", "UA"]},
        "sortAttribute": {"field": "CREATED_DATE", "sortOrder": "ASC"},
        "pagination": {"after": "Y3Vyc29yOjE=", "first": 10},
    }
    assert result.client_proposals is not None
    assert result.client_proposals.edges == []
    assert result.client_proposals.page_info is not None
    assert result.client_proposals.page_info.end_cursor is None


# -- contract ----------------------------------------------------------------------------------


@respx.mock
async def test_contract(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(return_value=graphql_ok({"contract": CONTRACT}))
    result = await client.contract(id="4")

    body = only_request(route)
    assert body["operationName"] == "contract"
    assert body["variables"] == {"id": "4"}
    assert sent_definitions(body["query"]) == documented_definitions("contract")

    assert isinstance(result, Contract)
    contract = result.contract
    assert contract is not None
    assert contract.id == "4"
    assert contract.contract_type is ContractType.HOURLY
    assert contract.status is ContractState.ACTIVE
    assert contract.weekly_hours_limit == pytest.approx(987.65)
    assert contract.weekly_stipend_hours is None
    assert contract.weekly_charge_amount is not None
    assert contract.weekly_charge_amount.display_value == "$1.23"
    assert contract.hourly_charge_rate is None
    assert contract.end_date_time is None
    assert contract.offer.offer_terms.fixed_price_term is None
    assert contract.freelancer is not None
    assert contract.freelancer.user.ciphertext is None
    assert contract.freelancer.country_details is not None
    assert contract.freelancer.country_details.name == "Ukraine"
    assert contract.client_company is None
    assert contract.milestones == []
    assert contract.feedback is None


@respx.mock
async def test_contract_not_found_is_null(client: GeneratedClient) -> None:
    respx.post(URL).mock(return_value=graphql_ok({"contract": None}))
    result = await client.contract(id="404")
    assert result.contract is None


# -- roomList ----------------------------------------------------------------------------------


@respx.mock
async def test_room_list_without_arguments_sends_no_variables(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {
                "roomList": {
                    "totalCount": 1,
                    "edges": [{"cursor": "4", "node": ROOM_NODE}],
                    "pageInfo": {"hasNextPage": False, "endCursor": "4"},
                }
            }
        )
    )
    result = await client.room_list()

    body = only_request(route)
    assert body["operationName"] == "roomList"
    assert body.get("variables") in ({}, None)
    assert sent_definitions(body["query"]) == documented_definitions("roomList")

    assert isinstance(result, RoomList)
    rooms = result.room_list
    assert rooms.total_count == 1
    assert rooms.edges is not None
    edge = rooms.edges[0]
    assert edge is not None
    assert edge.cursor == "4"
    room = edge.node
    assert room is not None
    assert room.room_type is RoomType.ONE_ON_ONE
    assert room.topic is None
    assert room.owner is None
    assert room.latest_story is not None
    assert room.latest_story.updated_date_time == "xyz789"
    assert room.room_users is not None
    second = room.room_users[1]
    assert second.organization is None
    assert second.role is None


@respx.mock
async def test_room_list_with_filter_and_sort(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {
                "roomList": {
                    "totalCount": 0,
                    "edges": [],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                }
            }
        )
    )
    await client.room_list(
        filter_=RoomFilter(unread_rooms_only_eq=True, object_reference_id_eq="4"),
        pagination=Pagination(first=20),
        sort_order=SortOrder.ASC,
    )
    body = only_request(route)
    assert body["variables"] == {
        "filter": {"unreadRoomsOnly_eq": True, "objectReferenceId_eq": "4"},
        "pagination": {"first": 20},
        "sortOrder": "ASC",
    }


# -- workDiaryContract ---------------------------------------------------------------------------


@respx.mock
async def test_work_diary_contract(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {
                "workDiaryContract": {
                    "workDiaryMetadata": {
                        "user": None,
                        "timezoneOffset": "-18000",
                        "archivingDateTime": "abc123",
                    },
                    "workDiaryTimeCells": [TIME_CELL],
                }
            }
        )
    )
    result = await client.work_diary_contract(
        work_diary_contract_input=WorkDiaryContractInput(contract_id="4", date="20240116")
    )

    body = only_request(route)
    assert body["operationName"] == "workDiaryContract"
    assert body["variables"] == {"workDiaryContractInput": {"contractId": "4", "date": "20240116"}}
    assert sent_definitions(body["query"]) == documented_definitions("workDiaryContract")

    assert isinstance(result, WorkDiaryContract)
    diary = result.work_diary_contract
    assert diary is not None
    assert diary.work_diary_metadata is not None
    assert diary.work_diary_metadata.user is None
    assert diary.work_diary_metadata.timezone_offset == "-18000"
    assert diary.work_diary_time_cells is not None
    cell = diary.work_diary_time_cells[0]
    assert cell.cell_date_time is not None
    assert cell.cell_date_time.display_value == "09:20"
    assert cell.snapshot_date_time is None
    assert cell.activity_level == 7
    assert cell.task is not None
    assert cell.task.description is None


@respx.mock
async def test_work_diary_contract_legacy_flags(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {
                "workDiaryContract": {
                    "workDiaryMetadata": {
                        "user": {
                            "id": "4",
                            "name": "John S.",
                            "lastName": "Smith",
                            "photoUrl": None,
                        },
                        "timezoneOffset": "0",
                        "archivingDateTime": "abc123",
                    },
                    "workDiaryTimeCells": None,
                }
            }
        )
    )
    result = await client.work_diary_contract(
        work_diary_contract_input=WorkDiaryContractInput(
            contract_id="4", date="20240116", offset_in_seconds=-3600, use_legacy=True
        )
    )
    assert only_request(route)["variables"] == {
        "workDiaryContractInput": {
            "contractId": "4",
            "date": "20240116",
            "offsetInSeconds": -3600,
            "useLegacy": True,
        }
    }
    diary = result.work_diary_contract
    assert diary is not None
    assert diary.work_diary_metadata is not None
    assert diary.work_diary_metadata.user is not None
    assert diary.work_diary_metadata.user.last_name == "Smith"
    assert diary.work_diary_time_cells is None


# -- marketplaceJobPostings / marketplaceJobPostingsSearch ---------------------------------------


@respx.mock
async def test_marketplace_job_postings(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok({"marketplaceJobPostings": search_connection()})
    )
    result = await client.marketplace_job_postings(
        market_place_job_filter=MarketplaceJobFilter(
            search_expression_eq="python",
            pagination_eq=Pagination(after="0", first=50),
        ),
        search_type=MarketplaceJobPostingSearchType.USER_JOBS_SEARCH,
    )

    body = only_request(route)
    assert body["operationName"] == "marketplaceJobPostings"
    assert body["variables"] == {
        "marketPlaceJobFilter": {
            "searchExpression_eq": "python",
            "pagination_eq": {"after": "0", "first": 50},
        },
        "searchType": "USER_JOBS_SEARCH",
    }
    assert sent_definitions(body["query"]) == documented_definitions("marketplaceJobPostings")

    assert isinstance(result, MarketplaceJobPostings)
    connection = result.marketplace_job_postings
    assert connection is not None
    assert connection.total_count == 987
    assert connection.page_info is not None
    assert connection.page_info.end_cursor == "1"
    assert connection.edges is not None
    edge = connection.edges[0]
    assert edge is not None
    job = edge.node
    assert job.ciphertext == "~01abc"
    assert job.duration is JobDuration.WEEK
    assert job.amount.raw_value == "1.23"
    assert job.hourly_budget_min is None
    assert job.client.total_feedback == pytest.approx(4.9)
    assert job.client.company_name is None
    assert job.job is not None
    assert job.job.contract_terms is not None
    assert job.job.contract_terms.contract_type is ContractType.HOURLY
    hourly = job.job.contract_terms.hourly_contract_terms
    assert hourly is not None
    assert hourly.engagement_type is EngagementType.FULL_TIME
    assert job.skills is not None
    first_skill = job.skills[0]
    assert first_skill.id is None
    assert first_skill.pretty_name == "Python"


@respx.mock
async def test_marketplace_job_postings_without_arguments(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok(
            {"marketplaceJobPostings": {"totalCount": 0, "edges": [], "pageInfo": None}}
        )
    )
    result = await client.marketplace_job_postings()
    assert only_request(route).get("variables") in ({}, None)
    assert result.marketplace_job_postings is not None
    assert result.marketplace_job_postings.page_info is None


@respx.mock
async def test_marketplace_job_postings_search(client: GeneratedClient) -> None:
    route = respx.post(URL).mock(
        return_value=graphql_ok({"marketplaceJobPostingsSearch": search_connection()})
    )
    result = await client.marketplace_job_postings_search(
        market_place_job_filter=MarketplaceJobPostingsSearchFilter(
            title_expression_eq="Data", pagination_eq=Pagination(after="10", first=10)
        )
    )
    body = only_request(route)
    assert body["operationName"] == "marketplaceJobPostingsSearch"
    assert body["variables"] == {
        "marketPlaceJobFilter": {
            "titleExpression_eq": "Data",
            "pagination_eq": {"after": "10", "first": 10},
        }
    }
    assert sent_definitions(body["query"]) == documented_definitions("marketplaceJobPostingsSearch")
    assert isinstance(result, MarketplaceJobPostingsSearch)
    connection = result.marketplace_job_postings_search
    assert connection is not None
    assert connection.edges is not None
    edge = connection.edges[0]
    assert edge is not None
    assert edge.node.title == "abc123"


def test_every_mission_operation_is_in_queries_once() -> None:
    doc = _queries_document()
    names = [
        d.name.value
        for d in doc.definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    ]
    assert len(names) == len(set(names))
    assert set(MISSION_METHODS.values()) <= set(names)
    for method, operation in MISSION_METHODS.items():
        assert hasattr(GeneratedClient, method), operation

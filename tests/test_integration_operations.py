"""The public client against the sandbox over real loopback HTTP: every operation in ``queries/``,
pagination across pages for every connection, tenants, scopes, raw responses."""

from __future__ import annotations

import anyio
import pytest
from _live_sandbox import REQUEST_ID, ClientFactory, CounterDelta

from upwork_gql import (
    GraphQLError,
    InvalidVariablesError,
    MissingScopeError,
    PermissionDeniedError,
    UpworkClient,
)
from upwork_gql.sandbox import (
    DEFAULT_ORG_ID,
    LIMITED_CLIENT_ID,
    SECOND_ORG_ID,
    RunningSandbox,
)
from upwork_gql.types import (
    ClientProposals,
    Contract,
    ContractType,
    MarketplaceJobFilter,
    MarketplaceJobPostings,
    MarketplaceJobPostingsSearch,
    MarketplaceJobPostingsSearchFilter,
    Pagination,
    RoomList,
    WorkDiaryContract,
    WorkDiaryContractInput,
)

FIRST_JOB_ID = "1700000000000000000"  # the sandbox's job 0


# ---------------------------------------------------------------------------------------------
# Every operation in queries/ returns its typed model with the seeded data


async def test_contract_hourly_and_fixed(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    org = live_sandbox.state.data.default_org
    hourly_id = org.hourly_contract_ids()[0]
    fixed_id = org.contract_ids()[-1]
    async with sandbox_client() as client:
        hourly = await client.contract(id=hourly_id)
        fixed = await client.contract(id=fixed_id)
    assert isinstance(hourly, Contract)
    c = hourly.contract
    assert c is not None
    seeded = org.contract(hourly_id)
    assert c.id == hourly_id
    assert c.title == seeded["title"]
    assert c.contract_type is ContractType.HOURLY
    assert c.hourly_charge_rate is not None
    assert c.hourly_charge_rate.currency == "USD"
    assert float(c.hourly_charge_rate.raw_value) == float(seeded["hourlyChargeRate"]["rawValue"])
    assert c.client_company is not None
    assert c.client_company.id == DEFAULT_ORG_ID
    assert c.milestones in (None, [])

    f = fixed.contract
    assert f is not None
    # schema.graphql's ContractType documents only HOURLY: a fixed-price contract reads null.
    assert f.contract_type is None
    assert f.hourly_charge_rate is None
    seeded_fixed = org.contract(fixed_id)
    assert f.milestones is not None
    assert [m.id for m in f.milestones if m is not None] == [
        m["id"] for m in seeded_fixed["milestones"]
    ]
    assert len(f.milestones) >= 2


async def test_work_diary_contract_every_day(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    org = live_sandbox.state.data.default_org
    contract_id = org.hourly_contract_ids()[0]
    dates = org.diary_dates()
    assert len(dates) == 7
    async with sandbox_client() as client:
        for date in dates:
            diary = await client.work_diary_contract(
                WorkDiaryContractInput(contract_id=contract_id, date=date)
            )
            assert isinstance(diary, WorkDiaryContract)
            cells = diary.work_diary_contract.work_diary_time_cells
            assert cells is not None
            expected = org.diary_cells(contract_id, date)
            assert len(cells) == len(expected) >= 18
            raw = [int(cell.cell_date_time.raw_value) for cell in cells if cell is not None]
            assert all(m % 600_000 == 0 for m in raw)  # 10-minute cells
            assert raw == sorted(raw)
            assert [cell.activity_level for cell in cells if cell is not None] == [
                e["activityLevel"] for e in expected
            ]


async def test_marketplace_job_postings_first_page(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    async with sandbox_client() as client:
        result = await client.marketplace_job_postings(
            market_place_job_filter=MarketplaceJobFilter(pagination_eq=Pagination(first=10))
        )
    assert isinstance(result, MarketplaceJobPostings)
    conn = result.marketplace_job_postings
    assert conn.total_count == live_sandbox.config.jobs == 1000
    assert len(conn.edges) == 10
    jobs = live_sandbox.state.data.jobs
    node = conn.edges[0].node
    assert node.id == FIRST_JOB_ID
    assert node.title == jobs[0]["title"]
    assert [e.node.id for e in conn.edges] == [jobs[i]["id"] for i in range(10)]
    assert conn.page_info.has_next_page is True
    assert isinstance(conn.page_info.end_cursor, str)


async def test_marketplace_job_postings_search_with_a_filter(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    expected = live_sandbox.state.data.search_jobs({"searchExpression_eq": "python"})
    assert 0 < len(expected) < 1000
    async with sandbox_client() as client:
        result = await client.marketplace_job_postings_search(
            market_place_job_filter=MarketplaceJobPostingsSearchFilter(
                search_expression_eq="python", pagination_eq=Pagination(first=5)
            )
        )
    assert isinstance(result, MarketplaceJobPostingsSearch)
    conn = result.marketplace_job_postings_search
    assert conn.total_count == len(expected)
    assert [e.node.id for e in conn.edges] == [expected[i]["id"] for i in range(5)]


async def test_client_proposals_first_page(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    async with sandbox_client() as client:
        result = await client.client_proposals(
            job_posting_id=FIRST_JOB_ID, pagination=Pagination(first=20)
        )
    assert isinstance(result, ClientProposals)
    conn = result.client_proposals
    assert conn.total_count == live_sandbox.state.data.proposal_count(0) == 137
    assert len(conn.edges) == 20
    first = conn.edges[0].node
    assert first.job is not None
    assert first.job.id == FIRST_JOB_ID
    assert first.cover_letter


async def test_room_list_first_page(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    org = live_sandbox.state.data.default_org
    async with sandbox_client() as client:
        result = await client.room_list(pagination=Pagination(first=10))
    assert isinstance(result, RoomList)
    conn = result.room_list
    assert conn.total_count == org.config.rooms == 64
    assert [e.node.id for e in conn.edges] == [org.room_id(i) for i in range(10)]
    assert all(e.node.latest_story is not None for e in conn.edges)


async def test_raw_response_exposes_request_id_and_retries(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    org = live_sandbox.state.data.default_org
    async with sandbox_client() as client:
        raw = await client.with_raw_response(client.contract, id=org.contract_ids()[0])
    assert raw.status_code == 200
    assert raw.retries_taken == 0
    assert raw.request_id is not None
    assert REQUEST_ID.fullmatch(raw.request_id)
    assert raw.parsed.contract is not None
    assert raw.parsed.contract.id == org.contract_ids()[0]


async def test_invalid_variables_fail_before_any_request(
    sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client() as client:
        with pytest.raises(InvalidVariablesError):
            await client.contract(id=None)  # type: ignore[arg-type]
        with pytest.raises(InvalidVariablesError):
            await client.client_proposals(job_posting_id=["not", "an", "id"])  # type: ignore[arg-type]
    assert sandbox_counts["graphql_requests"] == 0


# ---------------------------------------------------------------------------------------------
# Pagination across pages, every connection, counts equal to the seeded totals


async def test_paginate_every_marketplace_job_posting(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    async with sandbox_client() as client:
        paginator = client.paginate_marketplace_job_postings(page_size=100)
        ids = [job.id async for job in paginator]
    assert len(ids) == len(set(ids)) == live_sandbox.config.jobs == 1000
    assert ids[0] == FIRST_JOB_ID
    assert paginator.total_count == 1000
    assert paginator.has_next_page() is False
    assert sandbox_counts["operation.marketplaceJobPostings"] == 10


async def test_paginate_job_search_keeps_the_filter_on_every_page(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    expected = live_sandbox.state.data.search_jobs({"searchExpression_eq": "python"})
    page_size = 25
    async with sandbox_client() as client:
        paginator = client.paginate_marketplace_job_postings_search(
            market_place_job_filter=MarketplaceJobPostingsSearchFilter(
                search_expression_eq="python"
            ),
            page_size=page_size,
        )
        pages = [page async for page in paginator.pages()]
    ids = [edge.node.id for page in pages for edge in page.edges]
    assert ids == [job["id"] for job in expected]
    assert len(pages) == -(-len(expected) // page_size) > 1
    assert all(len(page.edges) <= page_size for page in pages)
    assert sandbox_counts["operation.marketplaceJobPostingsSearch"] == len(pages)


async def test_paginate_every_job_search_result_unfiltered(sandbox_client: ClientFactory) -> None:
    async with sandbox_client() as client:
        paginator = client.paginate_marketplace_job_postings_search(page_size=50)
        ids = [job.id async for job in paginator]
    assert len(set(ids)) == len(ids) == 1000
    assert paginator.pages_fetched == 20


@pytest.mark.parametrize("job_index", [0, 1, 2, 3])
async def test_paginate_client_proposals(
    live_sandbox: RunningSandbox,
    sandbox_client: ClientFactory,
    sandbox_counts: CounterDelta,
    job_index: int,
) -> None:
    data = live_sandbox.state.data
    job_id = data.jobs[job_index]["id"]
    expected = [p["id"] for p in data.proposals(job_index)]
    async with sandbox_client() as client:
        paginator = client.paginate_client_proposals(job_posting_id=job_id, page_size=50)
        ids = [proposal.id async for proposal in paginator]
    assert ids == expected
    assert len(ids) == data.proposal_count(job_index)
    assert sandbox_counts["operation.clientProposals"] == max(1, -(-len(expected) // 50))


async def test_paginate_rooms_of_both_tenants(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory, sandbox_counts: CounterDelta
) -> None:
    orgs = live_sandbox.state.data.orgs
    async with sandbox_client() as client:
        default_rooms = [room.id async for room in client.paginate_room_list(page_size=50)]
        other = client.with_tenant(SECOND_ORG_ID)
        second_rooms = [room.id async for room in other.paginate_room_list(page_size=50)]
    assert default_rooms == [orgs[DEFAULT_ORG_ID].room_id(i) for i in range(64)]
    assert second_rooms == [orgs[SECOND_ORG_ID].room_id(i) for i in range(72)]
    assert not set(default_rooms) & set(second_rooms)
    assert sandbox_counts["operation.roomList"] == 2 + 2
    tenants = [r.tenant_id for r in live_sandbox.state.graphql_records()[-4:]]
    assert tenants == [None, None, SECOND_ORG_ID, SECOND_ORG_ID]


async def test_paginator_resumes_from_its_cursor(sandbox_client: ClientFactory) -> None:
    async with sandbox_client() as client:
        everything = await client.paginate_client_proposals(
            job_posting_id=FIRST_JOB_ID, page_size=50
        ).to_list()
        head = client.paginate_client_proposals(
            job_posting_id=FIRST_JOB_ID, page_size=30, max_items=45
        )
        first_part = await head.to_list()
        assert len(first_part) == 45
        tail = client.paginate_client_proposals(
            job_posting_id=FIRST_JOB_ID, page_size=30, after=head.cursor
        )
        rest = await tail.to_list()
    assert [p.id for p in first_part + rest] == [p.id for p in everything]
    assert len(everything) == 137


# ---------------------------------------------------------------------------------------------
# Tenants


async def test_tenant_switch_returns_the_other_organizations_data(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    orgs = live_sandbox.state.data.orgs
    second_contract = orgs[SECOND_ORG_ID].contract_ids()[0]
    async with sandbox_client() as client:
        second = client.with_tenant(SECOND_ORG_ID)
        default_rooms = await client.room_list(pagination=Pagination(first=1))
        second_rooms = await second.room_list(pagination=Pagination(first=1))
        contract = await second.contract(id=second_contract)
        with pytest.raises(GraphQLError) as missing:
            await client.contract(id=second_contract)
        back = second.with_tenant(None)
        default_again = await back.room_list(pagination=Pagination(first=1))
    assert default_rooms.room_list.total_count == 64
    assert second_rooms.room_list.total_count == 72
    assert default_again.room_list.total_count == 64
    assert contract.contract is not None
    assert contract.contract.client_company is not None
    assert contract.contract.client_company.id == SECOND_ORG_ID
    assert contract.contract.client_company.name == orgs[SECOND_ORG_ID].config.name
    # The default organization does not see the other one's contract: a GraphQL error that
    # keeps the (typed) partial data and the request id.
    error = missing.value
    assert type(error) is GraphQLError
    assert "not found" in str(error)
    assert isinstance(error.data, Contract)
    assert error.data.contract is None
    assert error.request_id is not None
    assert REQUEST_ID.fullmatch(error.request_id)
    assert error.operation == "contract"


async def test_unknown_tenant_is_permission_denied(sandbox_client: ClientFactory) -> None:
    async with sandbox_client() as client:
        with pytest.raises(PermissionDeniedError) as denied:
            await client.with_tenant("999").room_list()
    assert denied.value.status_code == 403
    assert denied.value.request_id is not None
    assert denied.value.operation == "roomList"


# ---------------------------------------------------------------------------------------------
# Scopes


async def test_missing_scope_lists_the_fields(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    async with sandbox_client(client_id=LIMITED_CLIENT_ID) as client:
        with pytest.raises(MissingScopeError) as denied:
            await client.room_list(pagination=Pagination(first=5))
        # Other operations still work with the same token.
        jobs = await client.marketplace_job_postings(
            market_place_job_filter=MarketplaceJobFilter(pagination_eq=Pagination(first=1))
        )
    error = denied.value
    assert "Query.roomList" in error.fields
    assert "RoomConnection.totalCount" in error.fields
    assert "Query.roomList" in str(error)
    assert error.request_id is not None
    assert REQUEST_ID.fullmatch(error.request_id)
    assert error.operation == "roomList"
    assert "permissions/scopes" in error.errors[0]["message"]
    assert jobs.marketplace_job_postings.total_count == 1000


async def test_missing_scope_keeps_partial_data(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    # roomStories is nullable, so the allowed fields of the same document still resolve.
    document = """
        query mixed($room: ID!) {
          roomStories(filter: {roomId_eq: $room}) { totalCount }
          user { id name }
        }
    """
    room_id = live_sandbox.state.data.default_org.room_id(0)
    async with sandbox_client(client_id=LIMITED_CLIENT_ID) as client:
        with pytest.raises(MissingScopeError) as denied:
            await client.execute(document, operation_name="mixed", variables={"room": room_id})
    error = denied.value
    assert error.fields == ["Query.roomStories", "RoomStoryConnection.totalCount"]
    assert error.data == {
        "roomStories": None,
        "user": {"id": live_sandbox.config.user.id, "name": live_sandbox.config.user.name},
    }


async def test_missing_scope_partial_data_is_typed(
    live_sandbox: RunningSandbox, sandbox_client: ClientFactory
) -> None:
    org = live_sandbox.state.data.default_org
    no_contracts = live_sandbox.state.issue_tokens(scopes={"common:read", "jobs:read"})
    async with sandbox_client(access_token=no_contracts.access_token) as client:
        with pytest.raises(MissingScopeError) as denied:
            await client.contract(id=org.contract_ids()[0])
    error = denied.value
    assert "Query.contract" in error.fields
    assert isinstance(error.data, Contract)
    assert error.data.contract is None


# ---------------------------------------------------------------------------------------------
# The same client under trio


def test_client_against_the_sandbox_under_trio(live_sandbox: RunningSandbox) -> None:
    token = live_sandbox.state.issue_tokens().access_token

    async def main() -> tuple[int, int]:
        async with UpworkClient(
            url=live_sandbox.graphql_url, access_token=token, rate_limit=5000.0
        ) as client:
            rooms = [room.id async for room in client.paginate_room_list(page_size=50)]
            contract = await client.contract(
                id=live_sandbox.state.data.default_org.contract_ids()[0]
            )
            assert contract.contract is not None
            return len(rooms), len(set(rooms))

    assert anyio.run(main, backend="trio") == (64, 64)

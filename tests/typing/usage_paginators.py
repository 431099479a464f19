"""User code as mypy --strict sees it: results, paginator pages and nodes keep precise types.

Never executed; ``make lint`` type-checks it (mypy ``files`` in pyproject.toml). ``assert_type``
fails the check if a type widens to ``Any`` or changes.
"""

from __future__ import annotations

from typing import assert_type

from upwork_gql import AsyncPaginator, UpworkClient
from upwork_gql.types import (
    ClientProposalsClientProposals,
    ClientProposalsClientProposalsEdgesNode,
    Contract,
    ContractTimeReportContractTimeReport,
    ContractTimeReportContractTimeReportEdgesNode,
    MarketplaceJobFilter,
    MarketplaceJobPostingsMarketplaceJobPostings,
    MarketplaceJobPostingsMarketplaceJobPostingsEdgesNode,
    RoomListRoomList,
    RoomListRoomListEdgesNode,
    RoomStoriesRoomStoriesEdgesNode,
    RoomStoryFilter,
    TimeReportFilter,
    WorkDiaryContract,
    WorkDiaryContractInput,
)


async def mission(client: UpworkClient) -> None:
    jobs = client.paginate_marketplace_job_postings(
        market_place_job_filter=MarketplaceJobFilter(search_expression_eq="python"),
        page_size=50,
        max_items=200,
    )
    assert_type(
        jobs,
        AsyncPaginator[
            MarketplaceJobPostingsMarketplaceJobPostings,
            MarketplaceJobPostingsMarketplaceJobPostingsEdgesNode,
        ],
    )
    first = await jobs
    assert_type(first, MarketplaceJobPostingsMarketplaceJobPostings)
    async for job in jobs:
        assert_type(job, MarketplaceJobPostingsMarketplaceJobPostingsEdgesNode)
        assert_type(job.id, str)
        assert_type(job.total_applicants, int)

    proposals = client.paginate_client_proposals(job_posting_id="1")
    async for page in proposals.pages():
        assert_type(page, ClientProposalsClientProposals)
    async for proposal in proposals:
        assert_type(proposal, ClientProposalsClientProposalsEdgesNode)
        assert_type(proposal.cover_letter, str | None)
    assert_type(await proposals.to_list(), list[ClientProposalsClientProposalsEdgesNode])

    rooms = await client.with_tenant("org").paginate_room_list(page_size=10)
    assert_type(rooms, RoomListRoomList)
    async for room in client.paginate_room_list():
        assert_type(room, RoomListRoomListEdgesNode)

    contract = await client.contract(id="1")
    assert_type(contract, Contract)
    diary = await client.work_diary_contract(
        work_diary_contract_input=WorkDiaryContractInput(contract_id="1", date="20261116")
    )
    assert_type(diary, WorkDiaryContract)

    # cursors nested inside a filter (filter.storyFilter.pagination) type the same way
    stories = client.paginate_room_stories(filter_=RoomStoryFilter(room_id_eq="r1"))
    async for story in stories:
        assert_type(story, RoomStoriesRoomStoriesEdgesNode)
    report = client.paginate_contract_time_report(
        filter_=TimeReportFilter.model_validate(
            {"organizationId_eq": "o1", "timeReportDate_bt": {"rangeStart": "a", "rangeEnd": "b"}}
        )
    )
    assert_type(await report, ContractTimeReportContractTimeReport)
    async for row in report:
        assert_type(row, ContractTimeReportContractTimeReportEdgesNode)

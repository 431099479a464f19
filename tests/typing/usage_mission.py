"""A typed usage example of the five mission operations; checked with ``mypy --strict``.

Not collected by pytest (no ``test_`` prefix); ``make lint`` type-checks it (mypy ``files``).
"""

from __future__ import annotations

from upwork_gql import (
    GraphQLError,
    MissingScopeError,
    RateLimitError,
    RawResponse,
    UpworkClient,
)
from upwork_gql.types import (
    ClientProposals,
    Contract,
    MarketplaceJobFilter,
    MarketplaceJobPostings,
    Pagination,
    RoomList,
    WorkDiaryContract,
    WorkDiaryContractInput,
)


async def mission(client: UpworkClient) -> list[str]:
    out: list[str] = []

    proposals: ClientProposals = await client.client_proposals(
        job_posting_id="1", pagination=Pagination(first=20), timeout=10.0
    )
    if proposals.client_proposals is not None:
        for edge in proposals.client_proposals.edges or []:
            if edge is not None and edge.node is not None:
                out.append(edge.node.id)

    contract: Contract = await client.contract(id="123", max_retries=0)
    if contract.contract is not None:
        title: str | None = contract.contract.title
        out.append(title or "")

    rooms: RoomList = await client.with_tenant("org-1").room_list(
        pagination=Pagination(first=10), extra_headers={"X-Trace": "1"}
    )
    total: int | None = rooms.room_list.total_count
    out.append(str(total))

    diary: WorkDiaryContract = await client.work_diary_contract(
        work_diary_contract_input=WorkDiaryContractInput(contract_id="123", date="20240101")
    )
    if diary.work_diary_contract is not None:
        for cell in diary.work_diary_contract.work_diary_time_cells or []:
            out.append(type(cell).__name__)

    try:
        jobs: MarketplaceJobPostings = await client.marketplace_job_postings(
            market_place_job_filter=MarketplaceJobFilter(
                search_expression_eq="python",
                pagination_eq=Pagination(after="0", first=50),
            )
        )
    except MissingScopeError as exc:
        missing: list[str] = exc.fields
        out.extend(missing)
    except RateLimitError as exc:
        wait: float | None = exc.retry_after
        out.append(str(wait))
    except GraphQLError as exc:
        out.append(exc.request_id or "")
    else:
        if jobs.marketplace_job_postings is not None:
            for job_edge in jobs.marketplace_job_postings.edges or []:
                if job_edge is not None:
                    out.append(job_edge.node.id)

    raw: RawResponse[Contract] = await client.with_raw_response(client.contract, id="123")
    request_id: str | None = raw.request_id
    retries: int = raw.retries_taken
    out.append(f"{request_id}:{retries}:{raw.status_code}")
    return out


async def main() -> None:
    async with UpworkClient.from_env() as client:
        print(await mission(client))

"""Paginators against the embedded sandbox (the project's schema, Upwork's pagination rules)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from upwork_gql._client import UpworkClient
from upwork_gql._exceptions import InternalServerError, PaginationError
from upwork_gql._generated.input_types import (
    MarketplaceJobFilter,
    MarketplaceJobPostingsSearchFilter,
)
from upwork_gql.sandbox import (
    DEFAULT_ORG_ID,
    SECOND_ORG_ID,
    SandboxConfig,
    SandboxState,
    create_app,
    get_state,
)

FIRST_JOB_ID = "1700000000000000000"  # the sandbox's job 0, with 137 proposals


@dataclass
class Sandbox:
    client: UpworkClient
    state: SandboxState


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    app = create_app(SandboxConfig(jobs=300))
    state = get_state(app)
    token = state.issue_tokens().access_token
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        client = UpworkClient(
            url="http://sandbox/graphql",
            access_token=token,
            http_client=http,
            rate_limit=None,
            max_concurrency=None,
            retry_initial_delay=0.001,
            retry_max_delay=0.002,
        )
        yield Sandbox(client, state)


async def test_marketplace_job_postings_every_page(sandbox: Sandbox) -> None:
    paginator = sandbox.client.paginate_marketplace_job_postings(page_size=100)
    ids = [job.id async for job in paginator]
    assert len(ids) == 300
    assert len(set(ids)) == 300
    assert paginator.total_count == 300
    assert sandbox.state.graphql_calls == 3


async def test_marketplace_job_postings_search_keeps_the_filter(sandbox: Sandbox) -> None:
    everything = await sandbox.client.paginate_marketplace_job_postings_search(
        page_size=50
    ).to_list()
    search = sandbox.client.paginate_marketplace_job_postings_search(
        market_place_job_filter=MarketplaceJobPostingsSearchFilter.model_validate(
            {"searchExpression_eq": "python"}
        ),
        page_size=7,
    )
    found = await search.to_list()
    assert 0 < len(found) < len(everything)
    assert search.total_count == len(found)
    assert len(found) > 7  # several pages, every one of them filtered


async def test_client_proposals_every_page(sandbox: Sandbox) -> None:
    paginator = sandbox.client.paginate_client_proposals(job_posting_id=FIRST_JOB_ID, page_size=40)
    first = await paginator
    assert first.total_count == 137
    proposals = await paginator.to_list()
    assert len({p.id for p in proposals}) == 137
    assert paginator.pages_fetched == 1 + 4


async def test_room_list_for_a_tenant_sends_the_header_on_every_page(sandbox: Sandbox) -> None:
    default_rooms = await sandbox.client.paginate_room_list(page_size=25).to_list()
    sandbox.state.reset_counters()
    scoped = sandbox.client.with_tenant(SECOND_ORG_ID)
    rooms = await scoped.paginate_room_list(page_size=25).to_list()
    (org,) = [o for o in SandboxConfig().organizations if o.id == SECOND_ORG_ID]
    assert len(rooms) == org.rooms
    assert {r.id for r in rooms}.isdisjoint({r.id for r in default_rooms})
    records = sandbox.state.graphql_records()
    pages = -(-org.rooms // 25)
    assert pages > 1
    assert len(records) == pages
    assert [r.tenant_id for r in records] == [SECOND_ORG_ID] * pages
    assert DEFAULT_ORG_ID not in {r.tenant_id for r in records}


async def test_a_retried_page_inside_a_walk(sandbox: Sandbox) -> None:
    paginator = sandbox.client.paginate_room_list(page_size=25)
    pages = []
    async for page in paginator.pages():
        pages.append(page)
        if len(pages) == 1:
            sandbox.state.faults.push({"next": [{"status": 502, "html": True}]})
    assert [len(p.edges or []) for p in pages] == [25, 25, 14]
    assert sandbox.state.graphql_calls == 4  # the second page needed a retry


async def test_a_page_failing_after_retries_then_resume(sandbox: Sandbox) -> None:
    client = sandbox.client.with_options(max_retries=1)
    walked: list[str] = []

    async def walk() -> None:
        async for job in client.paginate_marketplace_job_postings(page_size=100):
            walked.append(job.id)
            if len(walked) == 100:
                sandbox.state.faults.push({"next": [{"status": 503, "times": 2}]})

    with pytest.raises(PaginationError) as info:
        await walk()
    err = info.value
    assert err.cursor == "100"
    assert isinstance(err.__cause__, InternalServerError)
    rest = await client.paginate_marketplace_job_postings(page_size=100, after=err.cursor).to_list()
    everything = await client.paginate_marketplace_job_postings(page_size=100).to_list()
    assert walked + [job.id for job in rest] == [job.id for job in everything]


async def test_max_items_mid_page_then_resume(sandbox: Sandbox) -> None:
    client = sandbox.client
    search = MarketplaceJobFilter.model_validate({"searchExpression_eq": ""})
    head = client.paginate_marketplace_job_postings(
        market_place_job_filter=search, page_size=30, max_items=45
    )
    first_part = [job.id for job in await head.to_list()]
    tail = client.paginate_marketplace_job_postings(
        market_place_job_filter=search, page_size=30, after=head.cursor
    )
    second_part = [job.id async for job in tail]
    everything = [job.id async for job in client.paginate_marketplace_job_postings(page_size=100)]
    assert len(first_part) == 45
    assert head.cursor == "45"
    assert first_part + second_part == everything


async def test_prefetch_against_the_sandbox(sandbox: Sandbox) -> None:
    async with sandbox.client.paginate_room_list(page_size=10, prefetch=True) as paginator:
        rooms = await paginator.to_list()
    assert len(rooms) == 64
    assert sandbox.state.graphql_calls == 7

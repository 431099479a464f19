"""Root fields with seeded data (queries) or effects (mutations). Every other root field is
answered by the generic engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from upwork_gql.sandbox.data import PROPOSAL_ID_BASE
from upwork_gql.sandbox.engine import Lazy, SandboxGraphQLError, paginate
from upwork_gql.sandbox.reports import select_rows


def _ctx(info: GraphQLResolveInfo) -> Any:
    return info.context


def _marketplace_jobs(info: GraphQLResolveInfo, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    filt = args.get("marketPlaceJobFilter") or args.get("filter")
    items = ctx.data.search_jobs(filt if isinstance(filt, Mapping) else None)
    return paginate(items, info, args)


def _marketplace_job(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    data = _ctx(info).data
    return data.jobs[data.job_index(args.get("id"))]


def _client_proposals(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    data = _ctx(info).data
    index = data.job_index(args.get("jobPostingId"))
    return data.proposal_page(index, info, args)


def _client_proposal(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    data = _ctx(info).data
    proposal_id = str(args.get("id"))
    try:
        job_index, k = divmod(int(proposal_id) - PROPOSAL_ID_BASE, 1000)
        if job_index < 0:
            raise IndexError(job_index)
        return data.proposals(job_index)[k]
    except (ValueError, IndexError):
        raise SandboxGraphQLError(f"Client proposal {proposal_id} not found") from None


def _contract(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    return _ctx(info).org.contract(args.get("id"))


def _contract_list(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    org = _ctx(info).org
    ids = args.get("ids") or org.contract_ids()
    return [org.contract(i) for i in ids]


def _room_list(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    org = _ctx(info).org
    rooms: Any = org.rooms
    filt = args.get("filter")
    if isinstance(filt, Mapping):
        if filt.get("unreadRoomsOnly_eq"):
            rooms = [room for room in rooms if room["numUnread"]]
        room_type = filt.get("roomType_eq")
        if room_type and str(room_type) not in {"ALL", "ANY"}:
            rooms = [room for room in rooms if room["roomType"] == str(room_type)]
    if str(args.get("sortOrder") or "").upper() == "ASC":
        rooms = list(reversed(list(rooms)))
    return paginate(rooms, info, args)


def _room(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    return _ctx(info).org.room(args.get("id"))


def _room_stories(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    filt = args.get("filter") or {}
    stories = _ctx(info).org.stories(filt.get("roomId_eq"))
    inner = filt.get("storyFilter") if isinstance(filt.get("storyFilter"), Mapping) else filt
    return paginate(stories, info, inner if isinstance(inner, Mapping) else {})


def _contract_time_report(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    ctx = _ctx(info)
    filt = args.get("filter")
    rows = select_rows(ctx.data, ctx.org, filt if isinstance(filt, Mapping) else None)
    return paginate(rows, info, args)


def _create_room_story(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    spec = args.get("input") or {}
    room_id = spec.get("roomId")
    if not room_id:
        raise SandboxGraphQLError("input.roomId is required", "ValidationError")
    return _ctx(info).org.post_story(room_id, str(spec.get("message") or ""))


def _work_diary_contract(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    spec = args.get("workDiaryContractInput") or args.get("input") or args
    org = _ctx(info).org
    contract_id = spec.get("contractId")
    date = spec.get("date") or org.diary_dates()[-1]
    return org.work_diary(str(contract_id), str(date))


def _organization(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    return _ctx(info).org.organization


def _user(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    return _ctx(info).data.user


def _company_selector(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    data = _ctx(info).data
    return {"items": [org.company_selector_item for org in data.orgs.values()]}


QUERY_ROOT: Mapping[str, Lazy] = {
    "marketplaceJobPostings": Lazy(_marketplace_jobs),
    "marketplaceJobPostingsSearch": Lazy(_marketplace_jobs),
    "marketplaceJobPosting": Lazy(_marketplace_job),
    "clientProposals": Lazy(_client_proposals),
    "clientProposal": Lazy(_client_proposal),
    "contract": Lazy(_contract),
    "contractList": Lazy(_contract_list),
    "roomList": Lazy(_room_list),
    "room": Lazy(_room),
    "roomStories": Lazy(_room_stories),
    "workDiaryContract": Lazy(_work_diary_contract),
    "organization": Lazy(_organization),
    "user": Lazy(_user),
    "companySelector": Lazy(_company_selector),
    "contractTimeReport": Lazy(_contract_time_report),
}

MUTATION_ROOT: Mapping[str, Lazy] = {
    "createRoomStoryV2": Lazy(_create_room_story),
}

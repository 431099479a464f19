"""The sandbox's GraphQL endpoint: seeded data, pagination, tenants, scopes, errors, fallback."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLUnionType,
    OperationDefinitionNode,
    Undefined,
    get_named_type,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from upwork_gql.sandbox import (
    LIMITED_CLIENT_ID,
    SECOND_ORG_ID,
    SandboxConfig,
    SandboxState,
    create_app,
    get_state,
)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
SCOPE_PREFIX = (
    "The client or authentication token doesn't have enough oauth2 permissions/scopes to access: ["
)

JOBS_PAGE = """
query jobs($filter: MarketplaceJobFilter) {
  marketplaceJobPostings(marketPlaceJobFilter: $filter) {
    totalCount
    edges { cursor node { id title totalApplicants createdDateTime } }
    pageInfo { endCursor hasNextPage }
  }
}
"""
PROPOSALS_PAGE = """
query proposals($job: ID!, $pagination: Pagination) {
  clientProposals(jobPostingId: $job, pagination: $pagination) {
    totalCount
    edges { cursor node { id coverLetter status { status } user { id name } } }
    pageInfo { endCursor hasNextPage }
  }
}
"""


class Sandbox:
    """An in-process sandbox with an authenticated httpx client."""

    def __init__(self, http: httpx.AsyncClient, state: SandboxState, token: str) -> None:
        self.http = http
        self.state = state
        self.token = token

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        tenant: str | None = None,
        operation_name: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if tenant is not None:
            headers["X-Upwork-API-TenantId"] = tenant
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        return await self.http.post("/graphql", json=body, headers=headers)

    async def run(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        response = await self.post(query, variables, **kw)
        assert response.status_code == 200, response.text
        return response.json()


async def _sandbox(config: SandboxConfig) -> AsyncIterator[Sandbox]:
    app = create_app(config)
    state = get_state(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        yield Sandbox(http, state, state.issue_tokens().access_token)


@pytest.fixture
async def sbx() -> AsyncIterator[Sandbox]:
    async for sandbox in _sandbox(SandboxConfig()):
        yield sandbox


def operation_document(path: Path) -> str:
    """An operation file plus the fragments it uses (transitively) from fragments.graphql."""
    fragments_file = QUERIES / "fragments.graphql"
    fragments: dict[str, FragmentDefinitionNode] = {}
    if fragments_file.exists():
        for definition in parse(fragments_file.read_text()).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
    text = path.read_text()
    needed: dict[str, FragmentDefinitionNode] = {}
    todo: list[Any] = [parse(text)]
    names: list[str] = []

    class Collect(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            names.append(node.name.value)

    while todo:
        names.clear()
        visit(todo.pop(), Collect())
        for name in list(names):
            if name in fragments and name not in needed:
                needed[name] = fragments[name]
                todo.append(fragments[name])
    return text + "\n" + "\n".join(print_ast(f) for f in needed.values())


def variables_for(document: str, operation: str, state: SandboxState) -> dict[str, Any]:
    """Values for the operation's variables that point at seeded data (by name and type)."""
    org = state.data.default_org
    by_operation: dict[str, dict[str, Any]] = {
        "clientProposals": {"jobPostingId": state.data.jobs[0]["id"]},
        "contract": {"id": org.contract_ids()[-1]},
        "room": {"id": org.room_id(0)},
        "clientProposal": {"id": state.data.proposals(0)[0]["id"]},
        "marketplaceJobPosting": {"id": state.data.jobs[3]["id"]},
        "roomStories": {"filter": {"roomId_eq": org.room_id(0)}},
        "createRoomStoryV2": {"input": {"roomId": org.room_id(1), "message": "Hello from a test"}},
        "contractTimeReport": {
            "filter": {
                "organizationId_eq": org.id,
                "timeReportDate_bt": {
                    "rangeStart": org.diary_dates()[0],
                    "rangeEnd": org.diary_dates()[-1],
                },
            }
        },
    }
    by_name: dict[str, Any] = {
        "workDiaryContractInput": {
            "contractId": org.hourly_contract_ids()[0],
            "date": org.diary_dates()[-1],
        },
    }
    by_word = (
        ("room", org.room_id(0)),
        ("contract", org.contract_ids()[0]),
        ("proposal", state.data.proposals(0)[0]["id"]),
        ("job", state.data.jobs[0]["id"]),
        ("org", org.id),
    )
    values = dict(by_operation.get(operation, {}))
    op = next(
        d
        for d in parse(document).definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == operation
    )
    for definition in op.variable_definitions:
        name = definition.variable.name.value
        if name in values:
            continue
        if name in by_name:
            values[name] = by_name[name]
        elif print_ast(definition.type).rstrip("!") == "ID":
            values[name] = next((v for w, v in by_word if w in name.lower()), "1")
    return values


OPERATION_FILES = sorted(p for p in QUERIES.glob("*.graphql") if p.name != "fragments.graphql")


@pytest.mark.skipif(not OPERATION_FILES, reason="no operations in queries/ yet")
@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.stem)
async def test_every_operation_in_queries_runs(sbx: Sandbox, path: Path) -> None:
    document = operation_document(path)
    op = next(
        d.name.value
        for d in parse(document).definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    )
    variables = variables_for(document, op, sbx.state)
    result = await sbx.run(document, variables, operation_name=op)
    assert "errors" not in result, result.get("errors")
    assert result["data"] is not None
    assert all(value is not None for value in result["data"].values())


async def test_job_search_pages_through_1000_jobs(sbx: Sandbox) -> None:
    seen: list[str] = []
    after: str | None = "0"
    pages = 0
    while True:
        filt = {"pagination_eq": {"after": after, "first": 100}}
        data = (await sbx.run(JOBS_PAGE, {"filter": filt}))["data"]["marketplaceJobPostings"]
        pages += 1
        assert data["totalCount"] == 1000
        seen += [edge["node"]["id"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        assert data["pageInfo"]["endCursor"] == data["edges"][-1]["cursor"]
        after = data["pageInfo"]["endCursor"]
    assert pages == 10
    assert len(seen) == 1000
    assert len(set(seen)) == 1000


async def test_offset_cursors_are_strings_and_after_zero_is_first(sbx: Sandbox) -> None:
    page = await sbx.run(JOBS_PAGE, {"filter": {"pagination_eq": {"after": "0", "first": 3}}})
    edges = page["data"]["marketplaceJobPostings"]["edges"]
    assert [e["cursor"] for e in edges] == ["1", "2", "3"]
    no_after = await sbx.run(JOBS_PAGE, {"filter": {"pagination_eq": {"first": 3}}})
    assert no_after["data"]["marketplaceJobPostings"]["edges"] == edges
    next_page = await sbx.run(JOBS_PAGE, {"filter": {"pagination_eq": {"after": "2", "first": 2}}})
    ids = [e["node"]["id"] for e in next_page["data"]["marketplaceJobPostings"]["edges"]]
    assert ids == [edges[2]["node"]["id"], sbx.state.data.jobs[3]["id"]]


async def test_page_size_maximum_is_an_error(sbx: Sandbox) -> None:
    result = await sbx.run(JOBS_PAGE, {"filter": {"pagination_eq": {"after": "0", "first": 101}}})
    assert result["data"] == {"marketplaceJobPostings": None}
    (error,) = result["errors"]
    assert "Page size is restricted to be <= 100" in error["message"]
    assert error["extensions"] == {"classification": "ValidationError"}
    assert error["path"] == ["marketplaceJobPostings"]
    bad_cursor = await sbx.run(JOBS_PAGE, {"filter": {"pagination_eq": {"after": "x", "first": 1}}})
    assert "Invalid cursor" in bad_cursor["errors"][0]["message"]
    rooms = await sbx.run("{ roomList(pagination: {first: 51}) { totalCount } }")
    assert "Page size is restricted to be <= 50" in rooms["errors"][0]["message"]


async def test_client_proposals_pages_and_empty_job(sbx: Sandbox) -> None:
    job = sbx.state.data.jobs[0]["id"]
    after = None
    ids: list[str] = []
    for _ in range(10):
        page = await sbx.run(
            PROPOSALS_PAGE, {"job": job, "pagination": {"after": after, "first": 50}}
        )
        conn = page["data"]["clientProposals"]
        assert conn["totalCount"] == 137
        ids += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(ids) == len(set(ids)) == 137
    empty = await sbx.run(PROPOSALS_PAGE, {"job": sbx.state.data.jobs[1]["id"]})
    conn = empty["data"]["clientProposals"]
    assert conn == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"endCursor": None, "hasNextPage": False},
    }
    counts = [sbx.state.data.proposal_count(i) for i in range(1000)]
    assert min(counts) == 0
    assert max(counts) <= 200
    assert sum(1 for c in counts if c > 50) > 10


async def test_seeded_data_is_deterministic() -> None:
    def titles(seed: int) -> list[str]:
        state = SandboxState(SandboxConfig(seed=seed))
        return [state.data.jobs[i]["title"] for i in range(20)]

    assert titles(1) == titles(1)
    assert titles(1) != titles(2)


async def test_startup_and_seeding_are_fast() -> None:
    # CPU time of this process: other processes on a busy machine do not count.
    start = time.process_time()
    state = SandboxState(SandboxConfig(seed=5))
    jobs = [state.data.jobs[i] for i in range(1000)]
    elapsed = time.process_time() - start
    assert len({j["id"] for j in jobs}) == 1000
    assert elapsed < 1.0


async def test_tenants_see_different_data(sbx: Sandbox) -> None:
    query = "{ organization { id name } roomList(pagination: {first: 5}) { totalCount } }"
    default = (await sbx.run(query))["data"]
    second = (await sbx.run(query, tenant=SECOND_ORG_ID))["data"]
    assert default["organization"]["name"] == "Acme Robotics LLC"
    assert second["organization"] == {"id": SECOND_ORG_ID, "name": "Globex Design Studio"}
    assert default["roomList"]["totalCount"] >= 60
    assert second["roomList"]["totalCount"] >= 60
    assert default["roomList"]["totalCount"] != second["roomList"]["totalCount"]
    selector = (await sbx.run("{ companySelector { items { organizationId title } } }"))["data"]
    assert len(selector["companySelector"]["items"]) == 2
    # A contract of the default organization is not visible from the second one.
    contract_id = sbx.state.data.default_org.contract_ids()[0]
    query = "query c($id: ID!) { contract(id: $id) { id title } }"
    mine = await sbx.run(query, {"id": contract_id})
    assert mine["data"]["contract"]["id"] == contract_id
    theirs = await sbx.run(query, {"id": contract_id}, tenant=SECOND_ORG_ID)
    assert theirs["data"]["contract"] is None
    assert theirs["errors"][0]["extensions"]["classification"] == "DataFetchingException"
    records = sbx.state.graphql_records()
    assert records[-1].tenant_id == SECOND_ORG_ID
    assert records[0].tenant_id is None


async def test_unknown_tenant_is_forbidden(sbx: Sandbox) -> None:
    response = await sbx.post("{ organization { id } }", tenant="999")
    assert response.status_code == 403


async def test_scope_error_is_upworks_message_with_partial_data(sbx: Sandbox) -> None:
    token = sbx.state.issue_tokens(scopes={"common:read", "jobs:read"}).access_token
    contract_id = sbx.state.data.default_org.contract_ids()[0]
    query = """query mixed($id: ID!) {
      organization { id name }
      contract(id: $id) { id title hourlyChargeRate { rawValue } }
    }"""
    result = await sbx.run(query, {"id": contract_id}, token=token)
    assert result["data"]["organization"]["name"] == "Acme Robotics LLC"
    assert result["data"]["contract"] is None
    assert result["errors"] == [
        {
            "message": "The client or authentication token doesn't have enough oauth2 "
            "permissions/scopes to access: [Contract.hourlyChargeRate, Contract.id, "
            "Contract.title, Money.rawValue, Query.contract]."
        }
    ]


async def test_limited_client_lacks_messaging_scope(sbx: Sandbox) -> None:
    token = sbx.state.issue_tokens(LIMITED_CLIENT_ID).access_token
    result = await sbx.run("{ roomList { totalCount edges { node { id } } } }", token=token)
    (error,) = result["errors"]
    assert error["message"] == (
        SCOPE_PREFIX + "Query.roomList, Room.id, RoomConnection.edges, "
        "RoomConnection.totalCount, RoomEdge.node]."
    )
    allowed = await sbx.run("{ user { id } }", token=token)
    assert "errors" not in allowed
    # Fields selected through fragments are listed too.
    fragment_query = """query rooms { roomList { ...Page } }
      fragment Page on RoomConnection { pageInfo { ...Info } }
      fragment Info on PageInfo { endCursor }"""
    via_fragments = await sbx.run(fragment_query, token=token)
    assert via_fragments["errors"][0]["message"] == (
        SCOPE_PREFIX + "PageInfo.endCursor, Query.roomList, RoomConnection.pageInfo]."
    )


async def test_validation_errors_in_upworks_shape(sbx: Sandbox) -> None:
    result = await sbx.run("{\n  user {\n    noSuchField\n  }\n}")
    assert "data" not in result
    (error,) = result["errors"]
    assert error["message"].startswith("Validation error of type FieldUndefined: ")
    assert error["locations"] == [{"line": 3, "column": 5}]
    assert error["extensions"] == {"classification": "ValidationError"}
    missing = await sbx.run("{ contract { id } }")
    assert missing["errors"][0]["message"].startswith(
        "Validation error of type MissingFieldArgument: "
    )
    syntax = await sbx.run("{ user { id ")
    assert syntax["errors"][0]["extensions"] == {"classification": "InvalidSyntax"}
    variables = await sbx.run("query q($id: ID!) { contract(id: $id) { id } }", {})
    assert variables["errors"][0]["extensions"] == {"classification": "ValidationError"}


async def test_not_found_is_a_data_fetching_error(sbx: Sandbox) -> None:
    result = await sbx.run('{ contract(id: "1") { id } }')
    assert result["data"] == {"contract": None}
    (error,) = result["errors"]
    assert error["message"] == "Contract 1 not found"
    assert error["path"] == ["contract"]
    assert error["extensions"] == {"classification": "DataFetchingException"}


async def test_contracts_milestones_and_work_diary(sbx: Sandbox) -> None:
    org = sbx.state.data.default_org
    query = """query c($id: ID!) { contract(id: $id) {
        id contractType hourlyChargeRate { rawValue currency }
        milestones { id state depositAmount { rawValue } } } }"""
    hourly = (await sbx.run(query, {"id": org.hourly_contract_ids()[0]}))["data"]["contract"]
    assert hourly["contractType"] == "HOURLY"
    assert hourly["hourlyChargeRate"]["currency"] == "USD"
    fixed_id = org.contract_ids()[-1]
    fixed = (await sbx.run(query, {"id": fixed_id}))["data"]["contract"]
    assert len(fixed["milestones"]) >= 2
    # The documented ContractType has no fixed-price value: null, never a wrong "HOURLY".
    assert fixed["contractType"] is None
    diary = """query d($input: WorkDiaryContractInput!) {
      workDiaryContract(workDiaryContractInput: $input) {
        workDiaryTimeCells { cellDateTime { rawValue displayValue } activityLevel } } }"""
    contract_id = org.hourly_contract_ids()[0]
    dates = org.diary_dates()
    assert len(dates) == 7
    for date in dates:
        result = await sbx.run(diary, {"input": {"contractId": contract_id, "date": date}})
        cells = result["data"]["workDiaryContract"]["workDiaryTimeCells"]
        assert len(cells) >= 18
        moments = [int(c["cellDateTime"]["rawValue"]) for c in cells]
        assert all(m % 600_000 == 0 for m in moments)  # 10-minute cells
        assert moments == sorted(moments)
        first = dt.datetime.fromtimestamp(moments[0] / 1000, dt.UTC)
        assert first.date().isoformat() == date
    compact = dates[0].replace("-", "")
    same = await sbx.run(diary, {"input": {"contractId": contract_id, "date": compact}})
    assert same["data"]["workDiaryContract"]["workDiaryTimeCells"]
    off = await sbx.run(diary, {"input": {"contractId": contract_id, "date": "2020-01-01"}})
    assert off["data"]["workDiaryContract"]["workDiaryTimeCells"] == []


async def test_rooms_have_stories(sbx: Sandbox) -> None:
    room_id = sbx.state.data.default_org.room_id(5)
    query = """query r($id: ID!) { room(id: $id) { id roomName
        stories(filter: {pagination: {first: 50}}) {
          totalCount edges { node { id message } } } } }"""
    room = (await sbx.run(query, {"id": room_id}))["data"]["room"]
    assert room["id"] == room_id
    stories = room["stories"]
    assert stories["totalCount"] >= 3
    assert len(stories["edges"]) == stories["totalCount"]
    assert all(e["node"]["message"] for e in stories["edges"])


async def test_introspection_works(sbx: Sandbox) -> None:
    result = await sbx.run("{ __schema { queryType { name } } }")
    assert result["data"]["__schema"]["queryType"]["name"] == "Query"


FALLBACK_SDL = """
scalar DateTime
scalar BigDecimal
enum Color { RED GREEN }
interface Node { id: ID! }
type Gadget implements Node { id: ID! label: String! color: Color! parts: [Part!]! price: Money }
type Part { id: ID! weight: Float count: Int! createdDateTime: DateTime total: BigDecimal }
type Money { rawValue: String! currency: String! displayValue: String! }
union Thing = Gadget | Part
type ThingEdge { cursor: String! node: Thing }
type ThingConnection { totalCount: Int edges: [ThingEdge!]! pageInfo: PageInfo! }
type PageInfo { endCursor: String hasNextPage: Boolean! }
input Pagination { after: String first: Int! }
type Query {
  gadget(id: ID!): Gadget!
  node: Node
  things(pagination: Pagination): ThingConnection!
}
type Mutation { sendCustomPayment(amount: Float!): Gadget }
schema { query: Query mutation: Mutation }
"""

FALLBACK_QUERY = """
query all {
  gadget(id: "1") { id label color price { rawValue displayValue currency }
    parts { id weight count createdDateTime total } }
  node { __typename id }
  things(pagination: {first: 2}) { totalCount edges { cursor node { __typename
    ... on Gadget { id color } ... on Part { count } } } pageInfo { hasNextPage endCursor } }
}
"""


async def test_fallback_generates_typed_values_for_any_schema() -> None:
    results = []
    for _ in range(2):
        async for sandbox in _sandbox(SandboxConfig(schema_sdl=FALLBACK_SDL)):
            results.append(await sandbox.run(FALLBACK_QUERY))
    first, second = results
    assert first == second  # deterministic
    assert "errors" not in first
    data = first["data"]
    gadget = data["gadget"]
    assert isinstance(gadget["label"], str)
    assert gadget["color"] in {"RED", "GREEN"}
    assert gadget["price"]["displayValue"] == f"${float(gadget['price']['rawValue']):,.2f}"
    assert len(gadget["parts"]) == 2
    part = gadget["parts"][0]
    assert isinstance(part["count"], int)
    assert isinstance(part["weight"], float)
    dt.datetime.strptime(part["createdDateTime"], "%Y-%m-%dT%H:%M:%S.000Z")
    assert isinstance(part["total"], float)
    assert data["node"]["__typename"] == "Gadget"
    things = data["things"]
    assert things["totalCount"] >= 3
    assert len(things["edges"]) == 2
    assert things["pageInfo"] == {"hasNextPage": True, "endCursor": "2"}


async def test_mutations_are_counted_and_need_write_scope() -> None:
    async for sandbox in _sandbox(SandboxConfig(schema_sdl=FALLBACK_SDL)):
        mutation = "mutation pay { sendCustomPayment(amount: 5) { id } }"
        result = await sandbox.run(mutation)
        assert result["data"]["sendCustomPayment"]["id"]
        assert sandbox.state.counters["mutations"] == 1
        assert sandbox.state.counters["mutation.sendCustomPayment"] == 1
        assert sandbox.state.counters["operation.pay"] == 1
        read_only = sandbox.state.issue_tokens(scopes={"common:read"}).access_token
        denied = await sandbox.run(mutation, token=read_only)
        assert denied["errors"][0]["message"] == (
            SCOPE_PREFIX + "Gadget.id, Mutation.sendCustomPayment]."
        )
        assert denied["data"] == {"sendCustomPayment": None}
        assert sandbox.state.counters["mutation.sendCustomPayment"] == 1
        assert sandbox.state.counters["mutations"] == 1


async def test_malformed_bodies(sbx: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {sbx.token}", "Content-Type": "application/json"}
    broken = await sbx.http.post("/graphql", content=b"{not json", headers=headers)
    assert broken.status_code == 400
    no_query = await sbx.http.post("/graphql", json={"variables": {}}, headers=headers)
    assert no_query.status_code == 400


def _literal(type_: Any, depth: int = 0) -> str:
    """A GraphQL literal for an input type, filling required fields only."""
    if isinstance(type_, GraphQLNonNull):
        return _literal(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return "[" + _literal(type_.of_type, depth) + "]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        parts = [
            f"{name}: {_literal(f.type, depth + 1)}"
            for name, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined and depth < 4
        ]
        return "{" + ", ".join(parts) + "}"
    scalars = {"Int": "1", "Float": "1.5", "Boolean": "true"}
    return scalars.get(type_.name, '"1"')


def _arguments(args: dict[str, Any]) -> str:
    required = [
        f"{n}: {_literal(a.type)}" for n, a in args.items() if isinstance(a.type, GraphQLNonNull)
    ]
    return f"({', '.join(required)})" if required else ""


def _selection(type_: Any, depth: int) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(named, GraphQLUnionType):
        members = " ".join(f"... on {m.name} {_selection(m, depth)}" for m in named.types[:2])
        return "{ __typename " + members + " }"
    parts = []
    for name, f in named.fields.items():
        sub = get_named_type(f.type)
        if isinstance(sub, GraphQLScalarType | GraphQLEnumType):
            parts.append(name + _arguments(f.args))
        elif depth < 2:
            parts.append(name + _arguments(f.args) + " " + _selection(sub, depth + 1))
    return "{ " + (" ".join(parts) or "__typename") + " }"


async def test_every_root_field_of_the_schema_resolves(sbx: Sandbox) -> None:
    """Generic fallback over the whole schema: each root field with its required arguments and
    two levels of fields runs without errors, except not-found for ids the data does not have."""
    schema = sbx.state.schema
    assert schema is not None
    seeded = {"clientProposal", "clientProposals", "contract", "contractList", "room"}
    seeded |= {"roomStories", "marketplaceJobPosting", "workDiaryContract", "createRoomStoryV2"}
    failures = []
    roots = [("query", schema.query_type), ("mutation", schema.mutation_type)]
    for keyword, root in roots:
        if root is None:
            continue
        for name, f in root.fields.items():
            query = f"{keyword} {{ {name}{_arguments(f.args)} {_selection(f.type, 1)} }}"
            response = await sbx.post(query)
            errors = response.json().get("errors") if response.status_code == 200 else "HTTP"
            expected = "not found" in str(errors) or "is required" in str(errors)
            if errors and not (name in seeded and expected):
                failures.append((name, str(errors)[:200]))
    assert failures == []


def test_sandbox_takes_its_header_names_from_the_client_constants() -> None:
    """One spelling of each header: the sandbox cannot drift from what the client sends."""
    import ast

    from upwork_gql import _constants
    from upwork_gql.sandbox import api, app

    assert api.TENANT_HEADER is _constants.TENANT_HEADER
    assert app.REQUEST_ID_HEADER is _constants.REQUEST_ID_HEADER
    literals = {_constants.TENANT_HEADER.lower(), _constants.REQUEST_ID_HEADER.lower()}
    package = Path(api.__file__).parent
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value.lower() not in literals, f"{path.name}: {node.value!r}"


async def test_enum_variables_are_accepted_and_checked(sbx: Sandbox) -> None:
    query = "query q($order: SortOrder) { roomList(sortOrder: $order) { totalCount } }"
    ok = await sbx.run(query, {"order": "ASC"})
    assert "errors" not in ok, ok
    assert ok["data"]["roomList"]["totalCount"] == 64
    bad = await sbx.run(query, {"order": "SIDEWAYS"})
    (error,) = bad["errors"]
    assert "SIDEWAYS" in error["message"]
    assert "positional argument" not in error["message"]
    assert error["extensions"] == {"classification": "ValidationError"}

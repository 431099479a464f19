"""schema.graphql (reconstructed from Upwork's documentation) and the operations in queries/."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
    validate_schema,
)

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}

# Root fields documented by the reference's Queries section and by the list of root operations.
QUERY_FIELDS = {
    "accountAuditRecord", "accountingEntity", "backofficeOffer", "clientProposal",
    "clientProposals", "company", "companySelector", "contract", "contractByTerm",
    "contractDetails", "contractList", "contractProposal", "contractRoom", "contractTerm",
    "contractTimeReport", "countries", "customFields", "freelancerProfileByProfileKey",
    "freelancerProfileSearchRecords", "freelancerStats", "freelancerVisibility", "jobPosting",
    "jobsFeaturePredictions", "languages", "marketplaceJobPosting", "marketplaceJobPostings",
    "marketplaceJobPostingsContents", "marketplaceJobPostingsSearch", "offer", "offerRoom",
    "offersByAttribute", "offersByAttributes", "offersByIds", "oneOnOneRoom",
    "ontologyAttributeGroupsForOccupation", "ontologyBrowserSkills", "ontologyCategories",
    "ontologyCategorySubcategory", "ontologyDeliverables", "ontologyElementCategories",
    "ontologyElementsGraphSearchByIds", "ontologyElementsGraphSearchByPrefLabel",
    "ontologyElementsSearchByPrefLabel", "ontologyEntities", "ontologyEntitiesFiltered",
    "ontologyEntity", "ontologyEntitySearchRecords", "ontologyOccupationCategorySubcategoryGraph",
    "ontologyOccupationServices", "ontologyOccupationSkillsCount", "ontologyOccupations",
    "ontologyOccupationsCategoriesServices", "ontologyOccupationsCategoriesServicesGraph",
    "ontologyOccupationsCategoriesSubcategoriesGraph", "ontologyPublishedServices",
    "ontologySkillNamesByServiceUid", "ontologySkills", "ontologySkillsByAttributeGroup",
    "ontologySkillsRecords", "ontologyVisitorCategories", "organization", "proposalMetadata",
    "proposalRoom", "publicMarketplaceJobPostingsSearch", "publicRooms", "reasons", "regions",
    "requestMetadata", "room", "roomList", "roomStories", "roomStory", "search",
    "snapshotsByContractId", "staffsByPersonId", "talentCloudTasks", "talentProfile",
    "talentProfileByProfileKey", "talentProfiles", "talentSpecializedProfile",
    "talentSpecializedProfiles", "talentWorkHistory", "teamActivities", "timeReport",
    "timeZones", "transactionHistory", "user", "userDetails", "userIdsByEmail", "vendorContracts",
    "vendorProposal", "vendorProposals", "visitor", "workDays", "workDiaryCompany",
    "workDiaryContract", "workflowView",
}  # fmt: skip

MUTATION_FIELDS = {
    "activateMilestone", "addFreelancerEmploymentRecord", "addFreelancerLanguage",
    "addFreelancerOtherExperience", "addTeamActivity", "addUserToRoom", "approveMilestone",
    "archiveRoom", "archiveTeamActivity", "assignTeamActivityToTheContract", "confirmFiles",
    "createClientJobInvitation", "createDirectUploadLinkForJAClientProposal", "createJobPosting",
    "createMilestoneV2", "createOffer", "createOrganization", "createRoomStoryV2", "createRoomV2",
    "declineClientProposal", "deleteMilestone", "editMilestone", "endContractByClient",
    "endContractByFreelancer", "hideClientProposal", "inviteToTeam", "markClientProposalAsRead",
    "messageClientProposal", "pauseContract", "rejectSubmittedMilestone",
    "removeFreelancerEmploymentRecord", "removeFreelancerLanguage",
    "removeFreelancerOtherExperience", "removeRoom", "removeRoomStory", "removeUserFromRoom",
    "restartContract", "roomCreate1on1IfNotExists", "sendCustomPayment", "shortlistClientProposal",
    "unarchiveTeamActivity", "updateContractHourlyLimit", "updateFreelancerAvailability",
    "updateFreelancerEmploymentRecord", "updateFreelancerOtherExperience", "updateJobPosting",
    "updateOrganization", "updateRoomStoryV2", "updateRoomV2", "updateTeamActivity",
    "updateWorkflowTask", "withdrawOffer",
}  # fmt: skip

# The mission operations, with arguments and return types exactly as documented.
MISSION_SIGNATURES = {
    "clientProposals": (
        {
            "jobPostingId": "ID!",
            "filter": "ClientProposalFilter",
            "sortAttribute": "ClientProposalSortAttribute",
            "pagination": "Pagination",
        },
        "ClientProposalsConnection",
    ),
    "contract": ({"id": "ID!"}, "Contract"),
    "roomList": (
        {"filter": "RoomFilter", "pagination": "Pagination", "sortOrder": "SortOrder"},
        "RoomConnection!",
    ),
    "workDiaryContract": (
        {"workDiaryContractInput": "WorkDiaryContractInput!"},
        "WorkDiaryContract",
    ),
    "marketplaceJobPostings": (
        {
            "marketPlaceJobFilter": "MarketplaceJobFilter",
            "searchType": "MarketplaceJobPostingSearchType",
            "sortAttributes": "[MarketplaceJobPostingSearchSortAttribute]",
        },
        "MarketplaceJobPostingSearchConnection",
    ),
    "marketplaceJobPostingsSearch": (
        {
            "marketPlaceJobFilter": "MarketplaceJobPostingsSearchFilter",
            "searchType": "MarketplaceJobPostingSearchType",
            "sortAttributes": "[MarketplaceJobPostingSearchSortAttribute]",
        },
        "MarketplaceJobPostingSearchConnection",
    ),
}

CONNECTION_OPERATIONS = {
    "clientProposals",
    "roomList",
    "marketplaceJobPostings",
    "marketplaceJobPostingsSearch",
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def operations() -> DocumentNode:
    paths = sorted((ROOT / "queries").glob("*.graphql"))
    return parse("\n".join(p.read_text(encoding="utf-8") for p in paths))


def named_types(schema: GraphQLSchema) -> dict[str, object]:
    return {
        name: t
        for name, t in schema.type_map.items()
        if not name.startswith("__") and name not in BUILTIN_SCALARS
    }


def field_signature(field: GraphQLField) -> tuple[dict[str, str], str]:
    return ({name: str(arg.type) for name, arg in field.args.items()}, str(field.type))


# -- the schema builds and has the documented shape ------------------------------------------


def test_schema_builds_and_validates(schema: GraphQLSchema) -> None:
    assert validate_schema(schema) == []
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert schema.subscription_type is None


def test_root_field_counts(schema: GraphQLSchema) -> None:
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert len(schema.query_type.fields) == 97
    assert len(schema.mutation_type.fields) == 52
    assert set(schema.query_type.fields) == QUERY_FIELDS
    assert set(schema.mutation_type.fields) == MUTATION_FIELDS


def test_type_counts(schema: GraphQLSchema) -> None:
    types = named_types(schema).values()
    assert len(named_types(schema)) == 660
    assert sum(isinstance(t, GraphQLObjectType) for t in types) == 367
    assert sum(isinstance(t, GraphQLInputObjectType) for t in types) == 138
    assert sum(isinstance(t, GraphQLEnumType) for t in types) == 42
    assert sum(isinstance(t, GraphQLScalarType) for t in types) == 109
    assert sum(isinstance(t, GraphQLInterfaceType) for t in types) == 3
    assert sum(isinstance(t, GraphQLUnionType) for t in types) == 1


@pytest.mark.parametrize("name", sorted(MISSION_SIGNATURES))
def test_mission_field_signatures(schema: GraphQLSchema, name: str) -> None:
    assert schema.query_type is not None
    assert field_signature(schema.query_type.fields[name]) == MISSION_SIGNATURES[name]


def test_every_root_field_is_described(schema: GraphQLSchema) -> None:
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    for root in (schema.query_type, schema.mutation_type):
        for name, field in root.fields.items():
            assert field.description, f"{root.name}.{name}"


def test_documented_deprecations(schema: GraphQLSchema) -> None:
    assert schema.query_type is not None
    assert schema.query_type.fields["timeReport"].deprecation_reason == (
        "use contractTimeReport instead"
    )
    contract = schema.type_map["Contract"]
    assert isinstance(contract, GraphQLObjectType)
    assert contract.fields["hideScreenshots"].deprecation_reason
    assert contract.fields["suspended"].deprecation_reason
    assert contract.fields["status"].deprecation_reason is None


def test_pagination_types(schema: GraphQLSchema) -> None:
    pagination = schema.type_map["Pagination"]
    assert isinstance(pagination, GraphQLInputObjectType)
    assert {n: str(f.type) for n, f in pagination.fields.items()} == {
        "after": "String",
        "first": "Int!",
    }
    page_info = schema.type_map["PageInfo"]
    assert isinstance(page_info, GraphQLObjectType)
    assert {n: str(f.type) for n, f in page_info.fields.items()} == {
        "endCursor": "String",
        "hasNextPage": "Boolean",
    }
    for filter_name in ("MarketplaceJobFilter", "MarketplaceJobPostingsSearchFilter"):
        job_filter = schema.type_map[filter_name]
        assert isinstance(job_filter, GraphQLInputObjectType)
        assert str(job_filter.fields["pagination_eq"].type) == "Pagination"
    for connection in (
        "ClientProposalsConnection",
        "RoomConnection",
        "MarketplaceJobPostingSearchConnection",
        "RoomStoryConnection",
    ):
        t = schema.type_map[connection]
        assert isinstance(t, GraphQLObjectType)
        assert {"totalCount", "edges", "pageInfo"} <= set(t.fields), connection


def test_money_and_generic_types(schema: GraphQLSchema) -> None:
    money = schema.type_map["Money"]
    assert isinstance(money, GraphQLObjectType)
    assert {n: str(f.type) for n, f in money.fields.items()} == {
        "rawValue": "String!",
        "currency": "String!",
        "displayValue": "String!",
    }
    user_interface = schema.type_map["User"]
    assert isinstance(user_interface, GraphQLInterfaceType)
    generic_user = schema.type_map["GenericUser"]
    assert isinstance(generic_user, GraphQLObjectType)
    assert user_interface in generic_user.interfaces
    organization = schema.type_map["GenericOrganization"]
    assert isinstance(organization, GraphQLObjectType)
    assert str(organization.fields["id"].type) == "ID!"


def test_work_diary_types_follow_the_examples(schema: GraphQLSchema) -> None:
    cell = schema.type_map["WorkDiaryTimeCell"]
    assert isinstance(cell, GraphQLObjectType)
    # The index says string; the reference's example selects { rawValue displayValue }.
    assert str(cell.fields["cellDateTime"].type) == "DateTime"
    metadata = schema.type_map["WorkDiaryMetadata"]
    assert isinstance(metadata, GraphQLObjectType)
    assert str(metadata.fields["user"].type) == "GenericUser"
    diary_input = schema.type_map["WorkDiaryContractInput"]
    assert isinstance(diary_input, GraphQLInputObjectType)
    assert {n: str(f.type) for n, f in diary_input.fields.items()} == {
        "contractId": "ID!",
        "date": "String!",
        "offsetInSeconds": "Int",
        "useLegacy": "Boolean",
    }


def test_contract_scalar_types_follow_the_examples(schema: GraphQLSchema) -> None:
    contract = schema.type_map["Contract"]
    assert isinstance(contract, GraphQLObjectType)
    assert str(contract.fields["id"].type) == "ID!"
    assert str(contract.fields["weeklyHoursLimit"].type) == "Float"  # 987.65 in the example
    assert str(contract.fields["contractType"].type) == "ContractType"
    room = schema.type_map["Room"]
    assert isinstance(room, GraphQLObjectType)
    assert str(room.fields["numUnread"].type) == "Int"  # 987
    assert str(room.fields["stories"].args["filter"].type) == "StoryFilter"


def test_enums_carry_the_documented_values(schema: GraphQLSchema) -> None:
    def values(name: str) -> set[str]:
        t = schema.type_map[name]
        assert isinstance(t, GraphQLEnumType), name
        return set(t.values)

    assert values("RoomType") == {"GROUP", "INTERVIEW", "ONE_ON_ONE"}
    assert "ASC" in values("SortOrder")
    assert "HOURLY" in values("ContractType")
    assert "ACTIVE" in values("ContractState")
    assert values("MarketplaceJobPostingSearchType") == {"USER_JOBS_SEARCH"}
    assert values("OrganizationType") == {"BUSINESS", "SOLE_PROPRIETOR"}
    assert {"WEEK", "MONTH", "SEMESTER", "ONGOING"} == values("JobDuration")
    assert values("RoomTypeFilter") == {"ALL"}


def test_enums_without_documented_values_are_described_scalars(schema: GraphQLSchema) -> None:
    for name in ("CompanySelectorOrganizationType", "RoomStoryAbuseType", "JobStatus"):
        t = schema.type_map[name]
        assert isinstance(t, GraphQLScalarType), name
        assert t.description is not None
        assert "does not show" in t.description
    for t in named_types(schema).values():
        if isinstance(t, GraphQLEnumType):
            assert t.values, t.name
            assert t.description is not None
            assert "Values shown by the Upwork documentation" in t.description


def test_documentation_facts_are_applied(schema: GraphQLSchema) -> None:
    # The reference's example queries spread fragments on these: object types, not scalars.
    for name in (
        "PropertyStringMap",
        "StringListMap",
        "BroaderOccupationMap",
        "AttributeSkillsMap",
        "ProfileDiscoveries",
    ):
        assert isinstance(schema.type_map[name], GraphQLObjectType), name

    def values(name: str) -> set[str]:
        t = schema.type_map[name]
        assert isinstance(t, GraphQLEnumType), name
        return set(t.values)

    assert values("ClientProposalSortAttributeType") == {"CHARGERATE"}
    assert values("ClientProposalStatusName") == {"Created"}
    assert {"CONTRACT_END_HOURLY", "CONTRACT_END_FIXED"} <= values("ReasonType")
    assert values("FreelancerType") == {"Agency", "Independent"}
    node = schema.type_map["OntologyGraphNode"]
    assert isinstance(node, GraphQLObjectType)
    assert str(node.fields["status"].type) == "OntologyEntityStatus"
    activity = schema.type_map["AddTeamActivityRequest"]
    assert isinstance(activity, GraphQLInputObjectType)
    assert str(activity.fields["url"].type) == "String"
    assert str(activity.fields["allInCompany"].type) == "Boolean"


# -- the operations ----------------------------------------------------------------------------


def test_operations_validate_against_the_schema(
    schema: GraphQLSchema, operations: DocumentNode
) -> None:
    assert validate(schema, operations) == []


def test_each_operation_file_is_named_after_its_operation() -> None:
    for path in sorted((ROOT / "queries").glob("*.graphql")):
        names = [
            d.name.value
            for d in parse(path.read_text(encoding="utf-8")).definitions
            if isinstance(d, OperationDefinitionNode) and d.name is not None
        ]
        if path.stem == "fragments":
            assert names == []
        else:
            assert names == [path.stem]


def _selection(
    node: FieldNode | OperationDefinitionNode, path: list[str], doc: DocumentNode
) -> set[str]:
    """Field names selected at ``path`` below ``node`` (fragment spreads expanded)."""
    fragments = {d.name.value: d for d in doc.definitions if d.kind == "fragment_definition"}

    def fields_of(selection_set: object) -> list[FieldNode]:
        out: list[FieldNode] = []
        for sel in getattr(selection_set, "selections", []):
            if isinstance(sel, FieldNode):
                out.append(sel)
            elif sel.kind == "fragment_spread":
                out.extend(fields_of(fragments[sel.name.value].selection_set))
            else:
                out.extend(fields_of(sel.selection_set))
        return out

    current = fields_of(node.selection_set)
    for step in path:
        match = [f for f in current if f.name.value == step]
        assert match, f"{step} is not selected"
        current = fields_of(match[0].selection_set)
    return {f.name.value for f in current}


@pytest.mark.parametrize("name", sorted(CONNECTION_OPERATIONS))
def test_connection_operations_select_what_pagination_needs(
    operations: DocumentNode, name: str
) -> None:
    op = next(
        d
        for d in operations.definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == name
    )
    assert {"totalCount", "edges", "pageInfo"} <= _selection(op, [name], operations)
    assert {"cursor", "node"} <= _selection(op, [name, "edges"], operations)
    assert {"hasNextPage", "endCursor"} <= _selection(op, [name, "pageInfo"], operations)
    assert len(_selection(op, [name, "edges", "node"], operations)) >= 10


def test_operations_select_more_than_ids(operations: DocumentNode) -> None:
    contract = next(
        d
        for d in operations.definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == "contract"
    )
    selected = _selection(contract, ["contract"], operations)
    assert {"id", "title", "status", "contractType", "hourlyChargeRate", "offer"} <= selected
    diary = next(
        d
        for d in operations.definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == "workDiaryContract"
    )
    cells = _selection(diary, ["workDiaryContract", "workDiaryTimeCells"], operations)
    assert {"cellDateTime", "activityLevel", "memo", "overtime"} <= cells


def test_operations_select_no_deprecated_field(
    schema: GraphQLSchema, operations: DocumentNode
) -> None:
    from graphql import TypeInfo, TypeInfoVisitor, Visitor, visit

    type_info = TypeInfo(schema)
    used: list[str] = []

    class Deprecated(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            field = type_info.get_field_def()
            if field is not None and field.deprecation_reason:
                used.append(node.name.value)

    visit(operations, TypeInfoVisitor(type_info, Deprecated()))
    assert used == []

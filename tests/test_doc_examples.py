"""Upwork's own example operations (vendored from its GraphQL reference) against schema.graphql.

``tests/data/doc_examples/`` holds every example operation of the reference, extracted verbatim
by ``scripts/extract_doc_examples.py``. The reference's generated part writes sub-selections as
``...XFragment`` without defining them (SpectaQL's convention for "the fields of X"); the test
defines each as ``fragment XFragment on X { __typename }``, which is valid only when X is an
object, interface or union type.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from graphql import GraphQLError, GraphQLSchema, build_schema, parse, validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "doc_examples"
DOCS = ROOT.parent / "shared" / "upwork-api-docs"
FILES = sorted(EXAMPLES.glob("*.graphql"))

_INTRO_TYPO = "documentation typo in the REST-to-GraphQL guide: "
_V1 = "legacy V1 mutation of the REST-to-GraphQL guide; the reference lists only "
_NESTED_ARGS = (
    "the reference's generated examples omit the arguments of nested fields; "
    "schema.graphql declares them required as documented: "
)

#: Examples that cannot validate, each with its reason.
EXPECTED_FAILURES: dict[str, str] = {
    "004-offerRoom.graphql": _INTRO_TYPO + "`offerRoom(id:)`; the reference has `offerId: ID!`",
    "005-proposalRoom.graphql": _INTRO_TYPO
    + "`proposalRoom(id:)`; the reference has `vendorProposalId: ID!`",
    "006-contractRoom.graphql": _INTRO_TYPO
    + "`contractRoom(id:)`; the reference has `contractId: ID!`",
    "007-createRoom.graphql": _V1 + "`createRoomV2`",
    "008-createRoomStory.graphql": _V1 + "`createRoomStoryV2`",
    "009-updateRoom.graphql": _V1 + "`updateRoomV2`",
    "011-organization.graphql": "selects `Offer.agencyOffers` and `Contract.jobCategories`, "
    "which no readable source shows on those types (the mapping tables call them "
    "'possible alternative' paths)",
    "014-search.graphql": "uses 17 variables it never declares, and selects "
    "`TalentSkillNodeEdge.skillUid`, which no other source shows",
    "017-companies.graphql": "query `companies(userId:)` appears nowhere else (not in the "
    "reference, not in the list of root operations)",
    "018-getCompanyDetails.graphql": _INTRO_TYPO + "declares `$companyId` but uses `$id`",
    "022-workDiaryContract.graphql": _INTRO_TYPO
    + "`offsetInSeconds: offsetInSeconds` and `useLegacy: useLegacy` without `$`, "
    "and `$contractId`/`$date` undeclared",
    "023-freelancerSubmitMilestone.graphql": "mutation `submitMilestoneByFreelancer` appears "
    "nowhere else (probably a retired name); also declares `$milestoneId` but uses `$id`",
    "024-approveSubmitMilestone.graphql": _INTRO_TYPO
    + "declares `$milestoneId: String` and `$paidAmount: String` for `ID!` and `String!` inputs",
    "025-rejectSubmittedMilestone.graphql": "selects `id` on `MilestoneRejectionResponse`, "
    "whose only documented field is `response`; also `$milestoneId: String` for `ID!`",
    "026-createMilestone.graphql": _V1 + "`createMilestoneV2`",
    "027-editMilestone.graphql": "declares `$attachments: [ID!]` where the type index gives "
    "`EditMilestoneInput.attachments` as a list of strings (a low-confidence fact, not applied)",
    "029-approveMilestone.graphql": _INTRO_TYPO
    + "declares `$paidAmount: String` for the required `ApproveMilestoneInput.paidAmount`",
    "033-teamActivities.graphql": _INTRO_TYPO + "`orgId: orgId` and `teamId: teamId` without `$`",
    "034-addTeamActivity.graphql": "declares its input as `TeamActivityInput`, the guide's older "
    "name of `AddTeamActivityRequest` (whose `url` and `allInCompany` it shows)",
    "039-query.graphql": _INTRO_TYPO + "the operation is wrapped in an extra pair of braces",
    "040-query.graphql": _INTRO_TYPO + "the operation is wrapped in an extra pair of braces",
    "041-query.graphql": _INTRO_TYPO + "the operation is wrapped in an extra pair of braces",
    "042-query.graphql": _INTRO_TYPO + "the operation is wrapped in an extra pair of braces",
    "043-query.graphql": _INTRO_TYPO + "the operation is wrapped in an extra pair of braces",
    "046-organization.graphql": _INTRO_TYPO + "uses 7 variables it never declares",
    "047-jobPosting.graphql": _INTRO_TYPO + "uses `$JobPostingId` without declaring it",
    "048-snapshotsByContractId.graphql": _INTRO_TYPO
    + "declares `$contractId: contractId` and `$timestamp: timestamp` (not types)",
    "054-contract.graphql": _NESTED_ARGS
    + "`Contract.workDays(timeRange:)`, `Contract.workDiaryTimeCells(date:)`",
    "077-organization.graphql": _NESTED_ARGS
    + "`timeReportDate_bt` of the organization's four time report fields",
    "078-user.graphql": _NESTED_ARGS + "`timeReportDate_bt` of `timeReport`, `contractTimeReport`",
}

#: The examples that failed while five object types were declared scalars.
FORMERLY_BROKEN = {
    "075-freelancerStats.graphql",
    "081-ontologyAttributeGroupsForOccupation.graphql",
    "087-ontologyElementsGraphSearchByIds.graphql",
    "088-ontologyElementsGraphSearchByPrefLabel.graphql",
    "094-ontologyOccupationCategorySubcategoryGraph.graphql",
    "097-ontologyOccupationsCategoriesServicesGraph.graphql",
    "098-ontologyOccupationsCategoriesSubcategoriesGraph.graphql",
}

_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)Fragment\b")
_DEFINED = re.compile(r"\bfragment\s+([A-Za-z_]\w*)")


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


def errors_of(schema: GraphQLSchema, text: str) -> list[str]:
    """Validation errors of an example, with its ``...XFragment`` spreads defined."""
    defined = set(_DEFINED.findall(text))
    stubs = [
        f"fragment {name}Fragment on {name} {{ __typename }}"
        for name in sorted(set(_SPREAD.findall(text)))
        if f"{name}Fragment" not in defined
    ]
    try:
        document = parse("\n".join([text, *stubs]))
    except GraphQLError as exc:
        return [f"syntax: {exc.message}"]
    return [error.message for error in validate(schema, document)]


def test_examples_are_vendored() -> None:
    assert len(FILES) == 123
    assert set(EXPECTED_FAILURES) <= {p.name for p in FILES}
    assert {p.name for p in FILES} >= FORMERLY_BROKEN
    for path in FILES:
        first, _, body = path.read_text(encoding="utf-8").partition("\n")
        assert re.fullmatch(r"# graphql-reference\.txt, line \d+", first), path.name
        assert body.strip(), path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_documentation_example(schema: GraphQLSchema, path: Path) -> None:
    errors = errors_of(schema, path.read_text(encoding="utf-8"))
    if path.name in EXPECTED_FAILURES:
        # Listed as failing: it must still fail, or the list is stale.
        assert errors, f"{path.name} validates now: remove it from EXPECTED_FAILURES"
    else:
        assert errors == []


def test_validating_count(schema: GraphQLSchema) -> None:
    valid = [p.name for p in FILES if not errors_of(schema, p.read_text(encoding="utf-8"))]
    assert len(valid) == len(FILES) - len(EXPECTED_FAILURES) == 93
    assert set(valid) >= FORMERLY_BROKEN


def test_object_type_stubs_fail_on_scalars() -> None:
    """The fragment stubs are a real check: spreading one on a scalar is an error."""
    schema = build_schema("type Query { stats: Stats, map: Map } type Stats { n: Int } scalar Map")
    assert errors_of(schema, "query { stats { ...StatsFragment } }") == []
    assert errors_of(schema, "query { map { ...MapFragment } }")


def _extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_doc_examples", ROOT / "scripts" / "extract_doc_examples.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_extractor_finds_marked_operations() -> None:
    extractor = _extractor()
    text = "\n".join(
        [
            "Intro",
            "GraphQL",
            'query a($x: ID!) { room(id: $x) { id topic(note: "}") } }',
            "Variables",
            "GraphQL",
            "Same as above, in prose",
            "Query",
            "query b {",
            "  user {",
            "    id # }",
            "  }",
            "}",
            "Response",
        ]
    )
    examples = list(extractor.extract(text))
    assert [(e.line, e.name) for e in examples] == [(3, "a"), (8, "b")]
    assert examples[1].text.splitlines()[-1] == "}"
    assert set(extractor.render(examples)) == {"001-a.graphql", "002-b.graphql"}


@pytest.mark.skipif(
    not (DOCS / "graphql-reference.txt").is_file(), reason="../shared/upwork-api-docs is absent"
)
def test_vendored_examples_are_up_to_date() -> None:
    extractor = _extractor()
    text = (DOCS / "graphql-reference.txt").read_text(encoding="utf-8")
    expected = extractor.render(list(extractor.extract(text)))
    vendored = {p.name: p.read_text(encoding="utf-8") for p in FILES}
    assert vendored == expected

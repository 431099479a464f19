"""The drift-tolerance codegen plugin, on a package generated in a temp dir by ariadne-codegen."""

from __future__ import annotations

import ast
import importlib
import logging
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

pytest.importorskip("ariadne_codegen")

ROOT = Path(__file__).resolve().parent.parent
# The plugins live in scripts/codegen_plugins (build time only); enums are open through the
# runtime base, which the runtime_base plugin gives the generated package.
PLUGINS = [
    "codegen_plugins.runtime_base.RuntimeBasePlugin",
    "codegen_plugins.drift.DriftTolerancePlugin",
]

SCHEMA = """
enum Status { OPEN CLOSED }
type Freelancer { id: ID! name: String }
type Agency { id: ID! size: Int }
union Party = Freelancer | Agency
interface Node { id: ID! }
type Contract implements Node { id: ID! status: Status! party: Party! parties: [Party!] }
type Offer implements Node { id: ID! status: Status }
type Query {
  contract(id: ID!): Contract
  node(id: ID!): Node
  nodes: [Node!]!
  statuses(filter: StatusFilter): [Status!]!
}
input StatusFilter { status: Status }
"""

QUERIES = {
    "fragments.graphql": (
        "fragment PartyFields on Contract { party { ... on Freelancer { id name } } }"
    ),
    "contract.graphql": """
        query contract($id: ID!) {
          contract(id: $id) {
            id status ...PartyFields
            parties { ... on Freelancer { id } ... on Agency { id size } }
          }
        }""",
    "node.graphql": "query node($id: ID!) { node(id: $id) { id ... on Contract { status } } }",
    "nodes.graphql": "query nodes { nodes { id } }",
    "statuses.graphql": "query statuses($filter: StatusFilter) { statuses(filter: $filter) }",
}


def _generate(tmp_path: Path, package: str, plugins: list[str]) -> ModuleType:
    from ariadne_codegen.main import client

    scripts = str(ROOT / "scripts")
    sys.path.insert(0, scripts)
    try:
        _run_codegen(client, tmp_path, package, plugins)
    finally:
        sys.path.remove(scripts)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(tmp_path))


def _run_codegen(client: Any, tmp_path: Path, package: str, plugins: list[str]) -> None:

    (tmp_path / "schema.graphql").write_text(SCHEMA)
    queries = tmp_path / "queries"
    queries.mkdir()
    for name, text in QUERIES.items():
        (queries / name).write_text(text)
    client(
        {
            "tool": {
                "ariadne-codegen": {
                    "schema_path": str(tmp_path / "schema.graphql"),
                    "queries_path": str(queries),
                    "target_package_name": package,
                    "target_package_path": str(tmp_path),
                    "async_client": True,
                    "include_all_enums": True,
                    "include_all_inputs": True,
                    "plugins": plugins,
                }
            }
        }
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return _generate(tmp_path_factory.mktemp("gen"), "drift_gen", PLUGINS)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return _generate(tmp_path_factory.mktemp("plain"), "plain_gen", [])


def _contract(status: str = "OPEN", typename: str = "Freelancer") -> dict[str, Any]:
    party: dict[str, Any] = {"__typename": typename, "id": "p1"}
    if typename == "Freelancer":
        party["name"] = "Ada"
    return {
        "contract": {
            "__typename": "Contract",
            "id": "c1",
            "status": status,
            "party": party,
            "parties": [party, {"__typename": "Agency", "id": "a1", "size": 3}],
        }
    }


def test_without_plugin_unknown_values_break_the_response(plain: ModuleType) -> None:
    """The problem being solved: plain generated models reject additive changes."""
    with pytest.raises(ValidationError):
        plain.Contract.model_validate(_contract(status="PAUSED"))
    with pytest.raises(ValidationError):
        plain.Contract.model_validate(_contract(typename="Company"))


def test_known_values_parse_as_before(generated: ModuleType) -> None:
    result = generated.Contract.model_validate(_contract())
    assert result.contract.status is generated.Status.OPEN
    assert type(result.contract.party).__name__ == "PartyFieldsPartyFreelancer"
    assert result.contract.party.name == "Ada"
    assert [type(p).__name__ for p in result.contract.parties] == [
        "ContractContractPartiesFreelancer",
        "ContractContractPartiesAgency",
    ]


def test_unknown_enum_value_is_kept_as_string(
    generated: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    status_enum = generated.Status
    with caplog.at_level(logging.WARNING, logger="upwork_gql.drift"):
        result = generated.Contract.model_validate(_contract(status="PAUSED"))
        generated.Contract.model_validate(_contract(status="PAUSED"))
    status = result.contract.status
    assert isinstance(status, status_enum)
    assert status == "PAUSED"
    assert status.value == "PAUSED"
    assert not status.is_known  # tells unknown values apart from members
    assert status_enum.OPEN.is_known
    assert status is not status_enum.OPEN
    assert len(list(status_enum)) == 2  # the enum itself did not grow
    assert hash(status) == hash("PAUSED")
    assert result.model_dump(mode="json")["contract"]["status"] == "PAUSED"
    assert result.model_dump_json().count('"PAUSED"') == 1
    drift = [r for r in caplog.records if r.name == "upwork_gql.drift"]
    assert len(drift) == 1  # logged once per value, not per response
    assert "PAUSED" in drift[0].getMessage()
    assert "Status" in drift[0].getMessage()
    # Lists of enums and input models accept new values too.
    statuses = generated.Statuses.model_validate({"statuses": ["OPEN", "ARCHIVED"]})
    assert statuses.statuses == ["OPEN", "ARCHIVED"]
    assert generated.StatusFilter(status="ARCHIVED").model_dump(mode="json") == {
        "status": "ARCHIVED"
    }


def test_non_string_enum_value_still_fails(generated: ModuleType) -> None:
    with pytest.raises(ValidationError):
        generated.Contract.model_validate(_contract(status=7))  # type: ignore[arg-type]


def test_unknown_union_member_becomes_unknown_object(generated: ModuleType) -> None:
    data = _contract(typename="Company")
    data["contract"]["party"]["legalName"] = "Acme"
    result = generated.Contract.model_validate(data)
    party = result.contract.party
    assert type(party).__name__ == "UnknownObject"
    assert party.typename__ == "Company"
    assert party.model_extra == {"id": "p1", "legalName": "Acme"}
    assert [type(p).__name__ for p in result.contract.parties] == [
        "UnknownObject",
        "ContractContractPartiesAgency",
    ]
    dumped = result.model_dump(by_alias=True)
    assert dumped["contract"]["party"] == {"__typename": "Company", "id": "p1", "legalName": "Acme"}


def test_unknown_interface_implementation_uses_interface_model(generated: ModuleType) -> None:
    result = generated.Node.model_validate({"node": {"__typename": "Milestone", "id": "m1"}})
    assert result.node.id == "m1"
    assert result.node.typename__ == "Milestone"
    known = generated.Node.model_validate(
        {"node": {"__typename": "Contract", "id": "c1", "status": "OPEN"}}
    )
    assert known.node.status == "OPEN"
    listed = generated.Nodes.model_validate(
        {"nodes": [{"__typename": "Offer", "id": "1"}, {"__typename": "Milestone", "id": "2"}]}
    )
    assert [n.id for n in listed.nodes] == ["1", "2"]


def test_real_mismatches_still_fail(generated: ModuleType) -> None:
    # A known member with a missing field is an error, not silently an UnknownObject.
    broken = _contract()
    del broken["contract"]["party"]["id"]
    with pytest.raises(ValidationError, match="id"):
        generated.Contract.model_validate(broken)
    # No __typename at all: the discriminator cannot decide.
    untyped = _contract()
    del untyped["contract"]["party"]["__typename"]
    with pytest.raises(ValidationError):
        generated.Contract.model_validate(untyped)


def test_generated_source_shape(generated: ModuleType) -> None:
    """The tolerance lives in the runtime (upwork_gql._models); generated code only uses it."""
    from upwork_gql._models import OpenEnum

    package_dir = Path(generated.__file__).parent
    base_model = (package_dir / "base_model.py").read_text()
    assert "from upwork_gql._models import" in base_model
    enums = (package_dir / "enums.py").read_text()
    assert "class Status(OpenEnum)" in enums
    assert "def _missing_" not in enums
    assert issubclass(generated.Status, OpenEnum)
    fragments = (package_dir / "fragments.py").read_text()
    assert "typename_discriminator(" in fragments
    imported = {
        alias.name
        for node in ast.parse(fragments).body
        if isinstance(node, ast.ImportFrom) and node.module == "upwork_gql._models"
        for alias in node.names
    }
    assert {"typename_discriminator", "UnknownObject"} <= imported


def test_project_generated_enums_are_tolerant() -> None:
    """The committed generated package was produced with the plugin."""
    import enum

    from pydantic import TypeAdapter

    generated_enums = pytest.importorskip("upwork_gql._generated.enums")
    enums = [
        obj
        for obj in vars(generated_enums).values()
        if isinstance(obj, type)
        and issubclass(obj, enum.Enum)
        and obj.__module__ == generated_enums.__name__  # not the imported OpenEnum base
    ]
    assert enums
    for enum_cls in enums:
        value = TypeAdapter(enum_cls).validate_python("VALUE_FROM_THE_FUTURE")
        assert value == "VALUE_FROM_THE_FUTURE", enum_cls
        assert not value.is_known
        first = next(iter(enum_cls))
        assert TypeAdapter(enum_cls).validate_python(first.value) is first
        assert first.is_known


def test_project_generated_unions_use_the_tolerant_discriminator() -> None:
    package = pytest.importorskip("upwork_gql._generated")
    package_dir = Path(package.__file__).parent
    assert "OpenEnum" in (package_dir / "base_model.py").read_text()
    for module in sorted(package_dir.glob("*.py")):
        text = module.read_text()
        assert 'discriminator="typename__"' not in text, module.name
        if "typename_discriminator(" in text:
            assert "from upwork_gql._models import" in text, module.name

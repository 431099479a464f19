"""`schema check`: per-operation validation, locations, shared fragments, name collisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import build_schema
from typer.testing import CliRunner

from upwork_gql.cli.schema import app
from upwork_gql.schema import check_operations, client_reserved_names, method_name

SDL = """
type Contract { id: ID! title: String! oldTitle: String @deprecated(reason: "Use title.") }
type Query { contract(id: ID!): Contract contracts: [Contract!]! }
type Mutation { endContract(id: ID!): Contract }
"""

GOOD = {
    "fragments.graphql": "fragment ContractFields on Contract {\n  id\n  title\n}\n",
    "contract.graphql": (
        "query contract($id: ID!) {\n  contract(id: $id) {\n    ...ContractFields\n  }\n}\n"
    ),
    "contracts.graphql": "query contracts {\n  contracts {\n    id\n  }\n}\n",
    "endContract.graphql": "mutation endContract($id: ID!) {\n  endContract(id: $id) { id }\n}\n",
}

BROKEN = "query broken {\n  contracts {\n    id\n    budget\n  }\n}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "schema.graphql").write_text(SDL)
    queries = tmp_path / "queries"
    queries.mkdir()
    for name, text in GOOD.items():
        (queries / name).write_text(text)
    return tmp_path


def _check(project: Path, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "check",
            "--schema",
            str(project / "schema.graphql"),
            "--queries",
            str(project / "queries"),
            *args,
        ],
    )
    return result.exit_code, result.stdout + result.stderr


def test_method_name_is_the_generated_name() -> None:
    from ariadne_codegen.utils import process_name

    from upwork_gql._generated.operations import OPERATIONS

    # ariadne-codegen's rule, except that digits stay attached to the word before them.
    for name in ["contract", "marketplaceJobPostings", "URLInfo", "companySelector", "list"]:
        assert method_name(name) == process_name(name, convert_to_snake_case=True)
    assert method_name("v2Job") == "v2_job"
    assert method_name("createRoomStoryV2") == "create_room_story_v2"
    # `schema check` predicts exactly the methods code generation wrote.
    assert {name: method_name(name) for name in OPERATIONS} == {
        name: op.method for name, op in OPERATIONS.items()
    }


def test_valid_operations_pass(project: Path) -> None:
    code, out = _check(project)
    assert code == 0, out
    for name in ("contract", "contracts", "endContract"):
        assert any(line.startswith("ok") and f" {name} " in line for line in out.splitlines())
    assert "3 operation(s) checked: 0 invalid." in out


def test_broken_operation_reports_error_and_location(project: Path) -> None:
    (project / "queries" / "broken.graphql").write_text(BROKEN)
    code, out = _check(project)
    assert code == 1
    fail = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert len(fail) == 1
    assert " broken " in fail[0]
    broken_path = str(project / "queries" / "broken.graphql")
    assert f"{broken_path}:4:5: Cannot query field 'budget' on type 'Contract'." in out
    assert "4 operation(s) checked: 1 invalid." in out


def test_single_file_uses_shared_fragments(project: Path) -> None:
    code, out = _check(project, str(project / "queries" / "contract.graphql"))
    assert code == 0, out
    assert "1 operation(s) checked: 0 invalid." in out
    # A fragment that breaks is reported at its own file and line, under the operation.
    (project / "queries" / "fragments.graphql").write_text(
        "fragment ContractFields on Contract {\n  id\n  name\n}\n"
    )
    code, out = _check(project, str(project / "queries" / "contract.graphql"))
    assert code == 1
    assert f"{project / 'queries' / 'fragments.graphql'}:3:3: Cannot query field 'name'" in out


def test_json_report(project: Path) -> None:
    (project / "queries" / "broken.graphql").write_text(BROKEN)
    code, out = _check(project, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    broken = next(op for op in report["operations"] if op["name"] == "broken")
    assert broken["ok"] is False
    assert broken["method"] == "broken"
    assert broken["problems"][0]["line"] == 4
    assert broken["problems"][0]["column"] == 5


def test_deprecated_field_is_a_warning(project: Path) -> None:
    (project / "queries" / "old.graphql").write_text("query old { contracts { oldTitle } }\n")
    code, out = _check(project)
    assert code == 0, out
    assert "warning:" in out
    assert "Contract.oldTitle is deprecated. Use title." in out


@pytest.mark.parametrize(
    ("operation", "method"),
    [("execute", "execute"), ("withTenant", "with_tenant"), ("aclose", "aclose")],
)
def test_collision_with_client_methods(project: Path, operation: str, method: str) -> None:
    (project / "queries" / f"{operation}.graphql").write_text(
        f"query {operation} {{ contracts {{ id }} }}\n"
    )
    code, out = _check(project)
    assert code == 1
    assert f"method name '{method}' collides with" in out


def test_reserved_names_include_base_client_members() -> None:
    reserved = client_reserved_names()
    for name in ("execute", "get_data", "with_tenant", "with_options", "close", "aclose"):
        assert name in reserved


def test_duplicate_anonymous_and_unparsable(tmp_path: Path) -> None:
    schema = build_schema(SDL)
    files = {
        "a.graphql": "query contractList { contracts { id } }",
        "b.graphql": "query ContractList { contracts { id } }",
        "c.graphql": "query contracts { contracts { id } }",
        "d.graphql": "query contracts { contracts { title } }",
        "e.graphql": "{ contracts { id } }",
        "f.graphql": "query broken { contracts { id }",
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    report = check_operations(schema, paths, reserved={})
    assert not report.ok
    messages = {
        (op.file.rsplit("/", 1)[-1], op.name): [p.message for p in op.errors]
        for op in report.operations
    }
    assert messages[("a.graphql", "contractList")] == []
    assert messages[("b.graphql", "ContractList")] == [
        "method name 'contract_list' is also generated by operation 'contractList'"
    ]
    assert any("also used in" in m for m in messages[("d.graphql", "contracts")])
    assert messages[("e.graphql", "<anonymous>")] == [
        "operations must be named (the name becomes the method)"
    ]
    assert len(report.problems) == 1
    assert report.problems[0].file == str(tmp_path / "f.graphql")
    assert report.problems[0].message.startswith("Syntax Error")


def test_missing_schema_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--schema", str(tmp_path / "nope.graphql")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot read schema")


def test_makefile_has_every_documented_target() -> None:
    """Targets DESIGN.md and the schema workflow document exist as real rules (a name that is
    only declared .PHONY makes `make NAME` succeed doing nothing)."""
    import re

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    rules = set(re.findall(r"^([A-Za-z][\w-]*):(?!=)", makefile, flags=re.MULTILINE))
    documented = {"install", "demo", "test", "generate", "schema-pull", "check", "bench"}
    assert documented | {"regenerate", "check-generated"} <= rules

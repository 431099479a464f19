"""`schema diff`: classification of crafted schema pairs, text and JSON output, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import DocumentNode, build_schema, parse, print_ast
from typer.testing import CliRunner

from upwork_gql.cli.schema import app
from upwork_gql.schema import diff_schemas

OLD = """
enum Status { OPEN CLOSED }
union Party = Freelancer | Agency
type Freelancer { id: ID! name: String }
type Agency { id: ID! }
type Contract { id: ID! title: String! status: Status! }
type Query {
  contract(id: ID!): Contract
  contracts(first: Int): [Contract!]!
  party: Party
}
"""


def _changes(new_sdl: str) -> dict[str, list[tuple[str, str]]]:
    result = diff_schemas(build_schema(OLD), build_schema(new_sdl))
    return {
        level: [(c.type, c.description) for c in getattr(result, level)]
        for level in ("breaking", "dangerous", "safe")
    }


def test_identical_schema_in_another_order_has_no_changes() -> None:
    doc = parse(OLD)
    reordered = print_ast(DocumentNode(definitions=tuple(reversed(doc.definitions))))
    result = diff_schemas(build_schema(OLD), build_schema(reordered))
    assert result.is_empty
    assert result.format_text() == "No changes.\n"


def test_removed_field_is_breaking() -> None:
    changes = _changes(OLD.replace("title: String! ", ""))
    assert changes["breaking"] == [("FIELD_REMOVED", "Contract.title was removed.")]
    assert changes["dangerous"] == []


def test_changed_argument_type_is_breaking() -> None:
    changes = _changes(OLD.replace("contract(id: ID!)", "contract(id: Int!)"))
    assert [t for t, _ in changes["breaking"]] == ["ARG_CHANGED_KIND"]
    assert "Query.contract" in changes["breaking"][0][1]
    assert "ID!" in changes["breaking"][0][1]
    assert "Int!" in changes["breaking"][0][1]


def test_added_enum_value_is_dangerous() -> None:
    changes = _changes(OLD.replace("OPEN CLOSED", "OPEN PAUSED CLOSED"))
    assert changes["breaking"] == []
    assert changes["dangerous"] == [
        ("VALUE_ADDED_TO_ENUM", "PAUSED was added to enum type Status.")
    ]


def test_added_optional_argument_is_dangerous() -> None:
    changes = _changes(OLD.replace("contracts(first: Int)", "contracts(first: Int, after: String)"))
    assert changes["breaking"] == []
    assert [t for t, _ in changes["dangerous"]] == ["OPTIONAL_ARG_ADDED"]
    assert "after" in changes["dangerous"][0][1]


def test_added_required_argument_is_breaking() -> None:
    changes = _changes(OLD.replace("contracts(first: Int)", "contracts(first: Int, org: ID!)"))
    assert [t for t, _ in changes["breaking"]] == ["REQUIRED_ARG_ADDED"]


def test_new_union_member_is_dangerous_and_new_things_are_safe() -> None:
    new = OLD.replace("Freelancer | Agency", "Freelancer | Agency | Company") + (
        "type Company { id: ID! }\n"
    )
    new = new.replace("status: Status! }", "status: Status! amount: Float }")
    changes = _changes(new)
    assert changes["breaking"] == []
    assert [t for t, _ in changes["dangerous"]] == ["TYPE_ADDED_TO_UNION"]
    assert changes["safe"] == [
        ("FIELD_ADDED", "Contract.amount was added."),
        ("TYPE_ADDED", "Company was added."),
    ]


def test_deprecation_is_reported_as_safe() -> None:
    changes = _changes(OLD.replace("title: String!", 'title: String! @deprecated(reason: "gone")'))
    assert changes["safe"] == [("FIELD_DEPRECATED", "Contract.title was deprecated: gone")]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    old = tmp_path / "old.graphql"
    old.write_text(OLD)
    dangerous = tmp_path / "dangerous.graphql"
    dangerous.write_text(OLD.replace("OPEN CLOSED", "OPEN PAUSED CLOSED"))
    breaking = tmp_path / "breaking.graphql"
    breaking.write_text(OLD.replace("title: String! ", "").replace("OPEN CLOSED", "OPEN PAUSED"))
    return old, dangerous, breaking


def test_cli_exit_codes_and_text(files: tuple[Path, Path, Path]) -> None:
    old, dangerous, breaking = files
    runner = CliRunner()
    same = runner.invoke(app, ["diff", str(old), str(old)])
    assert same.exit_code == 0
    assert same.stdout == "No changes.\n"
    only_dangerous = runner.invoke(app, ["diff", str(old), str(dangerous)])
    assert only_dangerous.exit_code == 0, only_dangerous.output
    assert "Dangerous changes (1):" in only_dangerous.stdout
    assert "VALUE_ADDED_TO_ENUM" in only_dangerous.stdout
    broke = runner.invoke(app, ["diff", str(old), str(breaking)])
    assert broke.exit_code == 1
    assert "Breaking changes (2):" in broke.stdout
    assert "Contract.title was removed." in broke.stdout
    assert "CLOSED was removed from enum type Status." in broke.stdout
    assert broke.stdout.rstrip().endswith("2 breaking, 1 dangerous, 0 safe.")


def test_cli_json(files: tuple[Path, Path, Path]) -> None:
    old, _dangerous, breaking = files
    result = CliRunner().invoke(app, ["diff", str(old), str(breaking), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["summary"] == {"breaking": 2, "dangerous": 1, "safe": 0}
    assert {c["type"] for c in payload["breaking"]} == {"FIELD_REMOVED", "VALUE_REMOVED_FROM_ENUM"}
    assert payload["dangerous"][0]["level"] == "dangerous"


def test_cli_bad_input_is_one_line_exit_2(tmp_path: Path, files: tuple[Path, Path, Path]) -> None:
    old = files[0]
    bad = tmp_path / "bad.graphql"
    bad.write_text("type Query { broken(: Int }\n")
    runner = CliRunner()
    for args in ([str(old), str(bad)], [str(old), str(tmp_path / "missing.graphql")]):
        result = runner.invoke(app, ["diff", *args])
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("error: ")
    assert "bad.graphql:1:" in CliRunner().invoke(app, ["diff", str(old), str(bad)]).stderr

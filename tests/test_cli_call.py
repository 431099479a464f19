"""`upwork-gql call` against the sandbox over real loopback HTTP: discovery, help, every output
format, --all-pages streaming, tenants, option/env overrides and bad variables."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _sandbox_login import sandbox_env, save_login
from graphql import OperationDefinitionNode, parse
from typer.testing import CliRunner

from upwork_gql.cli import app
from upwork_gql.cli._operations import discover
from upwork_gql.sandbox import (
    DEFAULT_ORG_ID,
    LIMITED_CLIENT_ID,
    SECOND_ORG_ID,
    RunningSandbox,
    SandboxConfig,
    serve_in_thread,
)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"


@pytest.fixture(scope="module")
def sandbox(live_sandbox_server: RunningSandbox) -> RunningSandbox:
    """The session sandbox (conftest): these tests only read its seeded data."""
    return live_sandbox_server


@pytest.fixture(scope="module")
def token_file(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_login(sandbox, tmp_path_factory.mktemp("login") / "token.json")


@pytest.fixture
def env(
    sandbox: RunningSandbox, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = sandbox_env(sandbox, token_file)
    monkeypatch.delenv("UPWORK_TENANT_ID", raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["call", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def operation_names_in_queries() -> set[str]:
    names: set[str] = set()
    for path in QUERIES.glob("*.graphql"):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names.add(definition.name.value)
    return names


# -- discovery and help ---------------------------------------------------------------------------


def test_every_operation_in_queries_is_a_call_subcommand() -> None:
    expected = operation_names_in_queries()
    assert expected, "queries/ has no operations"
    assert set(discover()) == expected
    code, out, _ = run("--help")
    assert code == 0
    for name in expected:
        assert name in out


def test_operation_help_lists_variables_and_graphql_types() -> None:
    code, out, _ = run("clientProposals", "--help")
    assert code == 0
    assert "$jobPostingId: ID! (required)" in out
    assert "$filter: ClientProposalFilter (optional)" in out
    assert "$pagination: Pagination" in out
    assert "--all-pages" in out
    code, out, _ = run("workDiaryContract", "--help")
    assert code == 0
    assert "$workDiaryContractInput: WorkDiaryContractInput! (required)" in out


PAGING_OPTIONS = ("--all-pages", "--page-size", "--max-items")


def test_paging_options_are_offered_only_for_paginated_operations() -> None:
    code, out, _ = run("contract", "--help")
    assert code == 0
    for option in PAGING_OPTIONS:
        assert option not in out
    assert "--format" in out
    code, out, _ = run("roomList", "--help")
    assert code == 0
    for option in PAGING_OPTIONS:
        assert option in out
    # the page-size bound of this operation is in its help
    assert "1<=x<=50" in out
    code, out, _ = run("marketplaceJobPostings", "--help")
    assert "1<=x<=100" in out


def _cli_main(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """The console script's entry point in this process (one-line usage errors, exit codes)."""
    from upwork_gql.cli._app import run as cli_run

    monkeypatch.setattr(sys, "argv", ["upwork-gql", *argv])
    with pytest.raises(SystemExit) as info:
        cli_run()
    code = info.value.code
    assert isinstance(code, int)
    return code


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["roomList", "--all-pages", "--page-size", "500"], "--page-size"),
        (["roomList", "--all-pages", "--page-size", "51"], "--page-size"),
        (["roomList", "--all-pages", "--page-size", "0"], "--page-size"),
        (["marketplaceJobPostings", "--all-pages", "--page-size", "101"], "--page-size"),
        (["roomList", "--all-pages", "--max-items", "0"], "--max-items"),
        (["contract", "--var", "id=1", "--all-pages"], "does not return a paginated connection"),
        (["contract", "--var", "id=1", "--page-size", "5"], "does not return a paginated"),
    ],
)
def test_paging_usage_errors_exit_2_with_one_line(
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: str,
) -> None:
    """A page size outside the operation's bounds is a usage error like a size of 0: exit 2,
    one ``error:`` line, nothing sent."""
    before = sandbox.state.graphql_calls
    code = _cli_main(["call", *args], monkeypatch)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert sandbox.state.graphql_calls == before


@pytest.mark.usefixtures("env")
def test_the_largest_page_size_is_accepted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _cli_main(
        ["call", "roomList", "--all-pages", "--page-size", "50", "--max-items", "3", "-f", "jsonl"],
        monkeypatch,
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.splitlines()) == 3


def test_unknown_operation_is_one_line_with_a_suggestion() -> None:
    code, _, err = run("clientProposal", "--var", "jobPostingId=1")
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "unknown operation 'clientProposal'" in err
    assert "clientProposals" in err


# -- formats -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("env")
def test_json_single_call_prints_the_graphql_shape() -> None:
    code, out, _ = run("contract", "--var", "id=40001000")
    assert code == 0, out
    data = json.loads(out)
    assert data["contract"]["id"] == "40001000"
    assert data["contract"]["clientCompany"]["name"]  # camelCase, as in GraphQL


@pytest.mark.usefixtures("env")
def test_snake_case_method_name_and_vars_file(tmp_path: Path) -> None:
    variables = tmp_path / "vars.json"
    variables.write_text(json.dumps({"id": "40001001"}))
    code, out, _ = run("contract", "--vars", f"@{variables}")
    assert code == 0
    assert json.loads(out)["contract"]["id"] == "40001001"
    code, out, _ = run("contract", "--vars", '{"id": "40001002"}', "--format", "jsonl")
    assert code == 0
    assert json.loads(out)["id"] == "40001002"


@pytest.mark.usefixtures("env")
def test_enum_variable_as_a_bare_word() -> None:
    code, out, err = run(
        "roomList", "--var", "sortOrder=ASC", "--var", 'pagination={"first": 2}', "-f", "jsonl"
    )
    assert code == 0, err
    assert len(out.splitlines()) == 2


@pytest.mark.usefixtures("env")
def test_table_format_shows_rows(sandbox: RunningSandbox) -> None:
    code, out, _ = run("roomList", "--format", "table", "--max-items", "3")
    assert code == 0
    rooms = sandbox.state.data.default_org
    for index in range(3):
        assert rooms.room_id(index) in out
    assert rooms.room_id(3) not in out
    assert "roomName" in out


@pytest.mark.usefixtures("env")
def test_columns_pick_fields_for_every_format() -> None:
    code, out, _ = run(
        "roomList", "--max-items", "2", "-f", "csv", "--columns", "id,roomName,latestStory"
    )
    assert code == 0
    header = out.splitlines()[0]
    assert header == ("id,roomName,latestStory.createdDateTime,latestStory.updatedDateTime")
    code, out, _ = run("roomList", "--max-items", "2", "-f", "jsonl", "-c", "id,roomType")
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert set(first) == {"id", "roomType"}
    code, out, _ = run("roomList", "--max-items", "2", "-f", "table", "-c", "roomName")
    assert code == 0
    assert "roomName" in out
    assert "roomType" not in out
    code, _, err = run("roomList", "-c", "id,roomNme")
    assert code == 2
    assert "no field 'roomNme'; did you mean 'roomName'?" in err


@pytest.mark.usefixtures("env")
def test_single_object_table_is_a_field_value_list() -> None:
    code, out, _ = run("contract", "--var", "id=40001000", "-f", "table")
    assert code == 0
    lines = [line for line in out.splitlines() if "hourlyChargeRate.displayValue" in line]
    assert len(lines) == 1
    assert "$" in lines[0]
    assert "more columns not shown" not in out


@pytest.mark.usefixtures("env")
def test_csv_all_pages_has_every_room_once(sandbox: RunningSandbox) -> None:
    code, out, _ = run("roomList", "--all-pages", "--page-size", "10", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = sandbox.config.organization(DEFAULT_ORG_ID)
    assert expected is not None
    assert len(rows) == expected.rooms
    assert len({r["id"] for r in rows}) == expected.rooms
    assert "latestStory.createdDateTime" in rows[0]


@pytest.mark.usefixtures("env")
def test_json_single_call_honours_max_items() -> None:
    code, out, _ = run("roomList", "--max-items", "3", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert isinstance(data, list)
    assert len(data) == 3
    assert all("roomName" in room for room in data)


@pytest.mark.usefixtures("env")
def test_json_all_pages_is_one_valid_array() -> None:
    code, out, _ = run("roomList", "--all-pages", "--page-size", "25", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list)
    assert len(data) == 64
    assert all("roomName" in room for room in data)


@pytest.mark.usefixtures("env")
def test_jsonl_all_pages_with_max_items_stops_mid_page() -> None:
    code, out, _ = run(
        "marketplaceJobPostings", "--all-pages", "--max-items", "120", "--format", "jsonl"
    )
    assert code == 0
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert len(ids) == 120
    # The same nodes as two plain calls with Upwork's offset cursors in the filter.
    expected: list[str] = []
    for after, first in (("0", 100), ("100", 20)):
        page_filter = json.dumps({"pagination_eq": {"after": after, "first": first}})
        code, page, _ = run(
            "marketplaceJobPostings", "--var", f"marketPlaceJobFilter={page_filter}"
        )
        assert code == 0
        edges = json.loads(page)["marketplaceJobPostings"]["edges"]
        expected.extend(edge["node"]["id"] for edge in edges)
    assert ids == expected


@pytest.mark.usefixtures("env")
def test_filter_variables_are_kept_on_every_page() -> None:
    job_filter = json.dumps({"searchExpression_eq": "python"})
    code, out, _ = run(
        "marketplaceJobPostings",
        "--var",
        f"marketPlaceJobFilter={job_filter}",
        "--all-pages",
        "--format",
        "jsonl",
    )
    assert code == 0
    jobs = [json.loads(line) for line in out.splitlines()]
    assert 0 < len(jobs) < 1000
    assert all("python" in json.dumps(job).lower() for job in jobs)


# -- tenants and options -------------------------------------------------------------------------


@pytest.mark.usefixtures("env")
def test_tenant_option_and_env_select_the_organization(monkeypatch: pytest.MonkeyPatch) -> None:
    def total(*extra: str) -> int:
        code, out, _ = run("roomList", "--var", 'pagination={"first": 1}', *extra)
        assert code == 0
        return int(json.loads(out)["roomList"]["totalCount"])

    assert total() == 64
    assert total("--tenant", SECOND_ORG_ID) == 72
    monkeypatch.setenv("UPWORK_TENANT_ID", SECOND_ORG_ID)
    assert total() == 72
    assert total("--tenant", DEFAULT_ORG_ID) == 64


def test_api_url_and_token_file_options_override_the_environment(
    sandbox: RunningSandbox, token_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("UPWORK_API_URL", "http://127.0.0.1:9/graphql")  # nothing listens there
    monkeypatch.setenv("UPWORK_TOKEN_FILE", str(tmp_path / "missing.json"))
    code, out, _ = run(
        "contract",
        "--var",
        "id=40001000",
        "--api-url",
        sandbox.graphql_url,
        "--token-file",
        str(token_file),
    )
    assert code == 0
    assert json.loads(out)["contract"]["id"] == "40001000"
    # Without the overrides, the environment's (missing) login is used: one clear line.
    code, _, err = run("contract", "--var", "id=40001000", "--api-url", sandbox.graphql_url)
    assert code == 1
    assert err.startswith("error: ")
    assert err.strip().count("\n") == 0
    assert "upwork-gql auth login" in err


@pytest.mark.usefixtures("env")
def test_missing_scope_is_one_line_naming_the_field(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    limited = save_login(sandbox, tmp_path / "limited.json", LIMITED_CLIENT_ID)
    code, _, err = run("roomList", "--token-file", str(limited))
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "MissingScopeError" in err
    assert "roomList" in err


# -- bad variables: one line naming the variable, nothing sent -------------------------------------


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["contract", "--var", "contractId=1"], "unknown variable $contractId"),
        (["contract"], "missing required variable $id (ID!)"),
        (["roomList", "--var", 'pagination={"first": "ten"}'], "pagination.first"),
        (["roomList", "--var", "sortOrder=5"], "$sortOrder (SortOrder)"),
        (
            ["roomList", "--var", 'filter={"nosuchField": 1}'],
            "filter.nosuchField: is not a field of its input type",
        ),
        (["clientProposals", "--vars", "{not json"], "--vars: not valid JSON"),
        (["contract", "--var", "id"], "expected NAME=VALUE"),
        (["contract", "--var", "id=1", "--all-pages"], "does not return a paginated connection"),
    ],
)
def test_bad_variables_fail_before_sending(
    sandbox: RunningSandbox, args: list[str], expected: str
) -> None:
    before = sandbox.state.graphql_calls
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert expected in err
    assert err.startswith("error: ")
    assert err.strip().count("\n") == 0
    assert sandbox.state.graphql_calls == before


# -- streaming -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_all_pages_jsonl_streams_before_the_walk_ends(tmp_path: Path) -> None:
    """With a slow server, the first nodes reach stdout while later pages are still coming,
    and the progress bar stays off a stderr that is not a terminal."""
    with serve_in_thread(SandboxConfig(latency=0.25)) as slow:
        token = save_login(slow, tmp_path / "token.json")
        env = {**os.environ, **sandbox_env(slow, token)}
        env.pop("UPWORK_TENANT_ID", None)
        command = [
            sys.executable,
            "-m",
            "upwork_gql.cli",
            "call",
            "roomList",
            "--all-pages",
            "--page-size",
            "8",
            "--format",
            "jsonl",
        ]
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            running_after_first_line = proc.poll() is None
            rest = proc.stdout.read()
            stderr = proc.stderr.read() if proc.stderr else ""
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    assert code == 0, stderr
    assert json.loads(first)["id"]
    assert running_after_first_line, "stdout only arrived when the walk had finished"
    assert len([first, *rest.splitlines()]) == 64
    assert stderr == ""


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_all_pages_into_a_reader_that_goes_away_exits_quietly(
    sandbox: RunningSandbox, token_file: Path, fmt: str
) -> None:
    """`... --all-pages | head -1`: the closed pipe ends the walk with exit 0 and no noise."""
    env = {**os.environ, **sandbox_env(sandbox, token_file)}
    env.pop("UPWORK_TENANT_ID", None)
    command = [sys.executable, "-m", "upwork_gql.cli", "call", "marketplaceJobPostings"]
    proc = subprocess.Popen(
        [*command, "--all-pages", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # 1,000 job postings are far more than a pipe buffer holds
        code = proc.wait(timeout=60)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert first.strip()
    assert code == 0, stderr
    assert stderr == ""


def test_module_entry_point_runs_the_cli() -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "upwork_gql.cli", "call", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert "OPERATION" in proc.stdout
    assert time.monotonic() - started < 30

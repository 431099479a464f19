"""`upwork-gql tenants`: the organizations of the login, against the sandbox."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from _sandbox_login import sandbox_env, save_login
from typer.testing import CliRunner

from upwork_gql import UpworkClient
from upwork_gql.cli.tenants import COLUMNS, register, write_organizations
from upwork_gql.sandbox import DEFAULT_ORG_ID, SECOND_ORG_ID, RunningSandbox

ORGS = {DEFAULT_ORG_ID: "Acme Robotics LLC", SECOND_ORG_ID: "Globex Design Studio"}


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """A root with a callback, so that the command keeps its name (as in the real CLI)."""

    register(app)
    return app


@pytest.fixture
def env(
    live_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> RunningSandbox:
    token_file = save_login(live_sandbox, tmp_path / "token.json")
    monkeypatch.delenv("UPWORK_TENANT_ID", raising=False)
    for key, value in sandbox_env(live_sandbox, token_file).items():
        monkeypatch.setenv(key, value)
    return live_sandbox


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_app(), ["tenants", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_generated_client_has_company_selector() -> None:
    """The command's operation is generated: the tests below run, never skip."""
    assert callable(getattr(UpworkClient, "company_selector", None))


def test_writer_formats() -> None:
    items = [
        {"organizationId": "1", "title": "One", "typeTitle": "Client", "photoUrl": "x"},
        {"organizationId": "2", "title": "Two", "legacyEnterpriseOrganization": True},
    ]
    out = io.StringIO()
    write_organizations(items, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == COLUMNS
    assert [(r["organizationId"], r["title"]) for r in rows] == [("1", "One"), ("2", "Two")]
    assert rows[1]["legacyEnterpriseOrganization"] == "true"
    out = io.StringIO()
    write_organizations(items, "json", out)
    assert [o["organizationId"] for o in json.loads(out.getvalue())] == ["1", "2"]
    assert "photoUrl" not in json.loads(out.getvalue())[0]
    out = io.StringIO()
    write_organizations(items, "table", out)
    assert "organizationId" in out.getvalue()
    assert "Two" in out.getvalue()


@pytest.mark.usefixtures("env")
def test_tenants_prints_both_seeded_organizations() -> None:
    code, out, err = run()
    assert code == 0, err
    for org_id, name in ORGS.items():
        assert org_id in out
        assert name in out
    assert "--tenant" in err


@pytest.mark.usefixtures("env")
def test_tenants_as_json() -> None:
    code, out, _ = run("--format", "json")
    assert code == 0
    assert {o["organizationId"]: o["title"] for o in json.loads(out)} == ORGS


def test_tenants_without_login_is_one_line(
    live_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in live_sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("UPWORK_TOKEN_FILE", str(tmp_path / "none.json"))
    code, out, err = run()
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.strip().count("\n") == 0

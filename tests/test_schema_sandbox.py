"""`schema pull` against the embedded sandbox (ariadne/Starlette), the project's own fake API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from upwork_gql.cli.schema import app
from upwork_gql.schema import (
    check_operations,
    collect_query_files,
    load_schema,
    print_sorted,
    pull_schema,
)

sandbox = pytest.importorskip("upwork_gql.sandbox")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema.graphql"


@pytest.fixture(scope="module")
def running() -> Iterator[Any]:
    config = sandbox.SandboxConfig(jobs=10, schema_path=SCHEMA)
    with sandbox.serve_in_thread(config) as running:
        yield running


def _client_credentials(running: Any) -> dict[str, object]:
    response = httpx.post(
        running.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": running.client_id,
            "client_secret": running.client_secret,
        },
        timeout=10,
    )
    response.raise_for_status()
    token: dict[str, object] = response.json()
    return token


async def test_round_trip_from_sandbox(running: Any) -> None:
    token = str(_client_credentials(running)["access_token"])
    schema = await pull_schema(running.graphql_url, token=token)
    expected = print_sorted(load_schema(SCHEMA))
    assert print_sorted(schema) == expected
    # Pulling again gives the same bytes.
    again = await pull_schema(running.graphql_url, token=token)
    assert print_sorted(again) == expected
    # Our operations validate against what the server says.
    report = check_operations(schema, collect_query_files([ROOT / "queries"]), reserved={})
    assert report.ok, report.format_text()
    assert len(report.operations) >= 1


def test_cli_pull_with_saved_login(
    running: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    from upwork_gql.auth import FileTokenStore, Token

    token_file = tmp_path / "token.json"
    store = FileTokenStore(token_file)
    anyio.run(store.save, Token.from_dict(_client_credentials(running)))
    for name, value in running.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("UPWORK_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("UPWORK_TENANT_ID", raising=False)
    monkeypatch.setenv("UPWORK_TOKEN_FILE", str(token_file))
    out = tmp_path / "schema.graphql"
    result = CliRunner().invoke(app, ["pull", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == print_sorted(load_schema(SCHEMA))
    # Without any login, the sandbox answers 401 and the file stays as it was.
    token_file.unlink()
    before = out.read_bytes()
    result = CliRunner().invoke(app, ["pull", "-o", str(out)])
    assert result.exit_code == 1
    assert "HTTP 401" in result.stderr
    assert out.read_bytes() == before

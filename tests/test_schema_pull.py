"""`schema pull`: introspection round trip, deterministic bytes, and every failure mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from _schema_helpers import SERVED_SDL, SchemaServer, refused_url, serve
from graphql import build_schema, parse, print_ast
from graphql.language import DocumentNode
from typer.testing import CliRunner

from upwork_gql._exceptions import SchemaError
from upwork_gql.cli.schema import app
from upwork_gql.schema import introspection_query, print_sorted, pull_schema, pull_to_file

EXPECTED = print_sorted(build_schema(SERVED_SDL))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No saved login, token or tenant leaks in from the machine running the tests."""
    for name in (
        "UPWORK_ACCESS_TOKEN",
        "UPWORK_CLIENT_ID",
        "UPWORK_CLIENT_SECRET",
        "UPWORK_TENANT_ID",
        "UPWORK_API_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UPWORK_TOKEN_FILE", str(tmp_path / "no-such-token.json"))


def _reversed(sdl: str) -> str:
    doc = parse(sdl)
    return print_ast(DocumentNode(definitions=tuple(reversed(doc.definitions))))


def test_expected_output_is_sorted_and_complete() -> None:
    # Sanity of the reference itself: sorted, and the details introspection must carry.
    assert EXPECTED.index("type Contract") < EXPECTED.index("type Query")
    assert '@deprecated(reason: "Use contract.amount.")' in EXPECTED
    assert "directive @cost(weight: Int = 1) on FIELD_DEFINITION | OBJECT" in EXPECTED
    assert '"""Money as a decimal string."""' in EXPECTED
    assert "union SearchResult = Contract | Offer" in EXPECTED
    assert EXPECTED.endswith("\n")
    assert not EXPECTED.endswith("\n\n")


async def test_round_trip_from_graphql_core_server() -> None:
    with serve() as server:
        schema = await pull_schema(server.url)
    assert print_sorted(schema) == EXPECTED
    assert len(server.requests) == 1
    sent = server.requests[0]["body"].decode()
    assert "IntrospectionQuery" in sent
    assert "deprecationReason" in sent
    assert "directives" in sent


async def test_pull_sends_token_and_tenant() -> None:
    with serve(token="s3cret-token") as server:
        schema = await pull_schema(server.url, token="s3cret-token", tenant_id="org-42")
    assert print_sorted(schema) == EXPECTED
    headers = server.requests[0]["headers"]
    assert headers["authorization"] == "Bearer s3cret-token"
    assert headers["x-upwork-api-tenantid"] == "org-42"


async def test_deterministic_bytes_across_pulls_and_server_order(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    with serve() as server:
        first = await pull_to_file(server.url, out)
        first_bytes = out.read_bytes()
        second = await pull_to_file(server.url, out)
    assert first == second
    assert out.read_bytes() == first_bytes == EXPECTED.encode()
    # The same schema listed in the opposite order by the server prints the same bytes.
    with serve(_reversed(SERVED_SDL)) as server:
        third = await pull_to_file(server.url, tmp_path / "again.graphql")
    assert third == first
    assert (tmp_path / "again.graphql").read_bytes() == first_bytes


async def test_falls_back_to_classic_query_on_older_servers() -> None:
    """A server that rejects the newer introspection fields still gets pulled."""

    class OldServer(SchemaServer):
        def respond(self, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
            if b"isRepeatable" in body:
                self.requests.append({"headers": headers, "body": body})
                return (
                    200,
                    "application/json",
                    b'{"errors": [{"message": "Validation error of type FieldUndefined: '
                    b"Field 'isRepeatable' in type '__Directive' is undefined\"}]}",
                )
            return super().respond(headers, body)

    with OldServer(build_schema(SERVED_SDL)) as server:
        schema = await pull_schema(server.url)
    assert print_sorted(schema) == EXPECTED
    assert len(server.requests) == 2
    assert b"isRepeatable" not in server.requests[1]["body"]
    assert "isRepeatable" not in introspection_query(extended=False)


FAILURES = [
    ("unauthorized", "HTTP 401"),
    ("scopes", "missing OAuth2 scopes"),
    ("disabled", "introspection refused"),
    ("partial", "partial introspection result"),
    ("invalid", "invalid introspection result"),
    ("no_schema", "no '__schema'"),
    ("dangling", "invalid introspection result"),
    ("html", "not a JSON object"),
    ("http500", "HTTP 500"),
    ("refused", "cannot connect"),
]


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(("mode", "expected"), FAILURES)
def test_cli_failure_leaves_file_untouched(tmp_path: Path, mode: str, expected: str) -> None:
    out = tmp_path / "schema.graphql"
    old = b"# the schema we had\ntype Query { old: Int }\n"
    out.write_bytes(old)
    out.chmod(0o640)
    token = "tok-DO-NOT-PRINT"
    runner = CliRunner()
    with serve(token="another-token" if mode == "unauthorized" else None) as server:
        server.mode = mode if mode != "unauthorized" else "ok"
        url = refused_url() if mode == "refused" else server.url
        result = runner.invoke(app, ["pull", "--url", url, "-o", str(out), "--token", token])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert token not in result.stderr
    assert token not in result.stdout
    assert out.read_bytes() == old
    assert (out.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.graphql"]


@pytest.mark.usefixtures("clean_env")
def test_cli_pull_writes_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    runner = CliRunner()
    with serve() as server:
        created = runner.invoke(app, ["pull", "--url", server.url, "-o", str(out)])
        again = runner.invoke(app, ["pull", "--url", server.url, "-o", str(out)])
        stdout = runner.invoke(app, ["pull", "--url", server.url, "-o", "-"])
    assert created.exit_code == 0, created.output
    assert "created" in created.stderr
    assert again.exit_code == 0
    assert "unchanged" in again.stderr
    assert out.read_text() == EXPECTED
    assert stdout.exit_code == 0
    assert stdout.stdout == EXPECTED


@pytest.mark.usefixtures("clean_env")
def test_cli_reads_token_and_tenant_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPWORK_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("UPWORK_TENANT_ID", "org-7")
    with serve(token="env-token") as server:
        monkeypatch.setenv("UPWORK_API_URL", server.url)
        result = CliRunner().invoke(app, ["pull", "-o", str(tmp_path / "s.graphql")])
    assert result.exit_code == 0, result.output
    assert server.requests[0]["headers"]["x-upwork-api-tenantid"] == "org-7"


async def test_library_errors_are_schema_errors() -> None:
    with pytest.raises(SchemaError, match="cannot connect"):
        await pull_schema(refused_url())


def test_cli_env_name_matches_constants() -> None:
    from upwork_gql._constants import ENV_ACCESS_TOKEN
    from upwork_gql.cli.schema import _ENV_ACCESS_TOKEN

    assert _ENV_ACCESS_TOKEN == ENV_ACCESS_TOKEN

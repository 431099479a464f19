"""`upwork-gql auth ...` against a loopback token endpoint and GraphQL endpoint."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from _json_server import JSONServer, form_fields
from typer.testing import CliRunner

from upwork_gql.cli import app

runner = CliRunner()


class FakeServer(JSONServer):
    """Loopback token endpoint (all grants, rotation) and GraphQL ``user`` query."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.counter = 0
        self.live_refresh: set[str] = set()
        self.valid_access: set[str] = set()
        self.token_calls: list[dict[str, str]] = []
        self.graphql_status = 200
        self.token_url = self.base_url + "/token"
        self.api_url = self.base_url + "/graphql"

    def respond(self, path: str, headers: Message, raw: str) -> tuple[int, dict[str, Any]]:
        if path.startswith("/token"):
            return self.token(form_fields(raw))
        return self.graphql(headers.get("Authorization", ""), raw)

    def issue(self, *, refresh: bool = True) -> dict[str, Any]:
        self.counter += 1
        data: dict[str, Any] = {
            "access_token": f"at-S3CR3T-{self.counter}",
            "token_type": "Bearer",
            "expires_in": 86400,
        }
        self.valid_access.add(data["access_token"])
        if refresh:
            data["refresh_token"] = f"rt-S3CR3T-{self.counter}"
            self.live_refresh.add(data["refresh_token"])
        return data

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.token_calls.append(form)
            if form.get("client_id") != "cid" or form.get("client_secret") != "csecret-S3CR3T":
                return 401, {"error": "invalid_client"}
            grant = form.get("grant_type")
            if grant == "refresh_token":
                if form.get("refresh_token") not in self.live_refresh:
                    return 400, {"error": "invalid_grant"}
                self.live_refresh.discard(form["refresh_token"])
                return 200, self.issue()
            if grant == "client_credentials":
                return 200, self.issue(refresh=False)
            if grant == "authorization_code" and form.get("code") == "good-code":
                return 200, self.issue()
            return 400, {"error": "invalid_grant"}

    def graphql(self, authorization: str, raw: str) -> tuple[int, dict[str, Any]]:
        if self.graphql_status != 200:
            return self.graphql_status, {"message": "boom"}
        if authorization.removeprefix("Bearer ") not in self.valid_access:
            return 401, {"message": "unauthorized"}
        assert "user" in json.loads(raw)["query"]
        return 200, {"data": {"user": {"id": "42", "nid": "alice7", "name": "Alice L."}}}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def env(server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "UPWORK_CLIENT_ID": "cid",
        "UPWORK_CLIENT_SECRET": "csecret-S3CR3T",
        "UPWORK_TOKEN_FILE": str(tmp_path / "token.json"),
        "UPWORK_TOKEN_URL": server.token_url,
        "UPWORK_AUTHORIZE_URL": "https://auth.example/authorize",
        "UPWORK_API_URL": server.api_url,
        "UPWORK_REDIRECT_URI": "https://app.example/callback",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("UPWORK_TENANT_ID", raising=False)
    return values


def write_token(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def invoke(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, ["auth", *args], input=input)
    assert "S3CR3T" not in result.output, result.output
    return result


def test_status_not_logged_in(env: dict[str, str]) -> None:
    result = invoke("status")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "not logged in" in result.output
    assert "upwork-gql auth login" in result.output


def test_status_shows_who_and_expiry(env: dict[str, str], server: FakeServer) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    write_token(path, {**server.issue(), "expires_at": time.time() + 3 * 3600 + 90})
    result = invoke("status")
    assert result.exit_code == 0, result.output
    assert "User:          Alice L. (alice7, id 42)" in result.output
    assert re.search(r"\(in 3h 1m\)", result.output), result.output
    assert "Refresh token: present" in result.output
    assert str(path) in result.output


def test_status_survives_api_failure(env: dict[str, str], server: FakeServer) -> None:
    write_token(Path(env["UPWORK_TOKEN_FILE"]), {**server.issue(), "expires_at": time.time() - 120})
    server.graphql_status = 502
    result = invoke("status")
    assert result.exit_code == 0, result.output
    assert "unavailable (HTTP 502)" in result.output
    assert "expired 2m" in result.output


def test_status_survives_unreachable_api(
    env: dict[str, str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("UPWORK_API_URL", f"http://127.0.0.1:{port}/graphql")
    write_token(Path(env["UPWORK_TOKEN_FILE"]), server.issue())
    result = invoke("status")
    assert result.exit_code == 0, result.output
    assert "User:          unavailable" in result.output
    assert "expires" in result.output
    offline = invoke("status", "--offline")
    assert offline.exit_code == 0
    assert "User:" not in offline.output


def test_refresh_rotates_and_saves(env: dict[str, str], server: FakeServer) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    write_token(path, server.issue())
    result = invoke("refresh")
    assert result.exit_code == 0, result.output
    assert "Refreshed" in result.output
    saved = json.loads(path.read_text())
    assert saved["refresh_token"] == "rt-S3CR3T-2"
    assert server.token_calls[-1]["refresh_token"] == "rt-S3CR3T-1"


def test_refresh_invalid_grant_one_line_and_file_unchanged(
    env: dict[str, str], server: FakeServer
) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    write_token(path, server.issue())
    server.live_refresh.clear()
    before = path.read_bytes()
    result = invoke("refresh")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "upwork-gql auth login" in result.output
    assert path.read_bytes() == before


def test_client_credentials(env: dict[str, str], server: FakeServer) -> None:
    result = invoke("client-credentials")
    assert result.exit_code == 0, result.output
    saved = json.loads(Path(env["UPWORK_TOKEN_FILE"]).read_text())
    assert saved["grant_type"] == "client_credentials"
    assert server.token_calls[0]["grant_type"] == "client_credentials"


def test_missing_configuration_is_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPWORK_CLIENT_SECRET")
    result = invoke("client-credentials")
    assert result.exit_code == 1
    assert result.output.strip() == "error: missing environment variable(s): UPWORK_CLIENT_SECRET"
    assert not Path(env["UPWORK_TOKEN_FILE"]).exists()


def test_logout(env: dict[str, str], server: FakeServer) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    write_token(path, server.issue())
    result = invoke("logout")
    assert result.exit_code == 0
    assert "Logged out" in result.output
    assert not path.exists()
    assert invoke("logout").exit_code == 0


def test_login_paste_mode(
    env: dict[str, str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Non-loopback redirect URI: the URL the browser landed on is pasted on stdin.
    result = invoke("login", "--no-browser", input="\n")
    assert result.exit_code == 1  # nothing pasted
    assert "no redirect URL" in result.output
    assert not Path(env["UPWORK_TOKEN_FILE"]).exists()

    from upwork_gql.auth import grants

    monkeypatch.setattr(grants, "generate_state", lambda: "fixed-state")
    pasted = "https://app.example/callback?code=good-code&state=fixed-state\n"
    result = invoke("login", "--no-browser", input=pasted)
    assert result.exit_code == 0, result.output
    assert "https://auth.example/authorize?response_type=code&client_id=cid" in result.output
    assert "Logged in" in result.output
    path = Path(env["UPWORK_TOKEN_FILE"])
    saved = json.loads(path.read_text())
    assert saved["grant_type"] == "authorization_code"
    assert path.stat().st_mode & 0o777 == 0o600
    assert server.token_calls[0]["redirect_uri"] == "https://app.example/callback"


def test_login_wrong_state_nothing_written(env: dict[str, str], server: FakeServer) -> None:
    result = invoke(
        "login", "--no-browser", input="https://app.example/callback?code=good-code&state=forged\n"
    )
    assert result.exit_code == 1
    assert "state does not match" in result.output
    assert not Path(env["UPWORK_TOKEN_FILE"]).exists()
    assert server.token_calls == []


def test_cli_literals_match_constants() -> None:
    """The CLI spells some defaults out (so `--help` stays light); they must equal the constants."""
    import inspect
    import typing

    from upwork_gql._constants import ENV_TOKEN_FILE, LOGIN_TIMEOUT
    from upwork_gql.cli import auth as auth_cli

    option = typing.get_args(auth_cli.TokenFileOption)[1]
    assert option.envvar == ENV_TOKEN_FILE
    assert inspect.signature(auth_cli.login).parameters["wait"].default == LOGIN_TIMEOUT


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (PermissionError(13, "Permission denied", "/locked/token.json"), "Permission denied"),
        (OSError(28, "No space left on device"), "No space left on device"),
        (TimeoutError(), "TimeoutError"),
    ],
)
def test_os_errors_are_one_line_and_exit_1(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, error: OSError, expected: str
) -> None:
    from upwork_gql.auth import FileTokenStore

    async def fail(self: FileTokenStore) -> None:
        raise error

    monkeypatch.setattr(FileTokenStore, "load", fail)
    result = invoke("status", "--offline")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # handled, not a traceback
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("error: "), result.output
    assert expected in result.output
    if error.filename:
        assert error.filename in result.output


def test_http_errors_are_one_line_and_exit_1(
    env: dict[str, str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from upwork_gql.auth import TokenManager

    write_token(Path(env["UPWORK_TOKEN_FILE"]), server.issue())

    async def fail(self: TokenManager) -> None:
        raise httpx.RemoteProtocolError("peer closed connection")

    monkeypatch.setattr(TokenManager, "refresh", fail)
    result = invoke("refresh")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output.strip() == "error: RemoteProtocolError: peer closed connection"


def test_logout_with_an_unreadable_token_location_is_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: Path, *args: Any, **kwargs: Any) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", fail)
    monkeypatch.setattr(Path, "read_text", fail)
    monkeypatch.setattr(Path, "open", fail)
    result = invoke("logout")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith("error: ")
    assert "Permission denied" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- a login that cannot be used, token files others can reach, lock files that cannot exist ---


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ({"expires_at": 1_000_000_000}, "the access token has expired and there is no refresh"),
        ({"access_token": "at-revoked"}, "the access token was rejected by the API (HTTP 401)"),
    ],
)
def test_status_with_a_dead_token_exits_1(
    env: dict[str, str], server: FakeServer, token: dict[str, Any], reason: str
) -> None:
    write_token(Path(env["UPWORK_TOKEN_FILE"]), {**server.issue(refresh=False), **token})
    result = invoke("status")
    assert result.exit_code == 1, result.output
    assert "Access token:  expires" in result.output  # the details still come first
    assert f"error: {reason}" in result.output
    assert result.output.strip().splitlines()[-1].endswith("run `upwork-gql auth login`")


def test_status_with_an_expired_but_refreshable_token_exits_0(
    env: dict[str, str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    write_token(path, {**server.issue(), "expires_at": 1_000_000_000})
    assert invoke("status").exit_code == 0
    assert invoke("status", "--offline").exit_code == 0
    # A service-account token is fetched anew with the client secret.
    write_token(
        path,
        {
            **server.issue(refresh=False),
            "expires_at": 1_000_000_000,
            "grant_type": "client_credentials",
        },
    )
    assert invoke("status", "--offline").exit_code == 0
    monkeypatch.delenv("UPWORK_CLIENT_SECRET")
    assert invoke("status", "--offline").exit_code == 1


def test_a_token_file_readable_by_others_is_one_warning_line(
    env: dict[str, str], server: FakeServer
) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    path.write_text(json.dumps(server.issue()))
    path.chmod(0o644)
    result = invoke("status", "--offline")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1
    assert "accessible by others (mode 0644)" in warnings[0]
    assert "UserWarning" not in result.output


def test_strict_mode_refuses_a_token_file_readable_by_others(
    env: dict[str, str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(env["UPWORK_TOKEN_FILE"])
    path.write_text(json.dumps(server.issue()))
    path.chmod(0o604)
    monkeypatch.setenv("UPWORK_TOKEN_FILE_STRICT", "1")
    result = invoke("status", "--offline")
    assert result.exit_code == 1
    assert result.output.startswith("error: refusing the token file: ")
    assert result.output.strip().count("\n") == 0


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_a_lock_file_that_cannot_be_created_fails_at_once(
    env: dict[str, str], server: FakeServer
) -> None:
    started = time.monotonic()
    result = invoke("client-credentials", "--token-file", "/proc/tok.json")
    assert time.monotonic() - started < 30  # not the 120 s lock timeout
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: cannot lock /proc/tok.json.lock: No such file or directory"
    )
    assert server.token_calls == []  # failed before asking for a token


def test_help_shows_no_type_for_flags() -> None:
    result = runner.invoke(app, ["auth", "status", "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--offline" in result.output
    assert "<path>" in result.output  # options with a value keep their type

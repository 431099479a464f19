"""`upwork-gql sandbox serve`: a real process on loopback, its banner, and clean shutdown."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import httpx
import pytest
from typer.testing import CliRunner

from upwork_gql.cli import app

pytestmark = pytest.mark.slow


def _reader(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def test_serve_prints_urls_and_serves() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "upwork_gql.cli",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--access-token-ttl",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    try:
        banner: list[str] = []
        while not any("UPWORK_TOKEN_FILE" in line for line in banner):
            banner.append(lines.get(timeout=30))
        text = "".join(banner)
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", text)
        assert match, text
        base = match.group(1)
        assert f"export UPWORK_API_URL={base}/graphql" in text
        assert "id=sandbox-client secret=sandbox-secret" in text
        # Following the banner keeps the user's real login apart from the sandbox's.
        assert f"export UPWORK_TOKEN_FILE={Path.cwd() / 'sandbox-token.json'}" in text
        assert "limited client (lacks messages:read)" in text
        response = httpx.post(
            f"{base}/api/v3/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
            },
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["expires_in"] == 120
        graphql = httpx.post(
            f"{base}/graphql",
            json={"query": "{ organization { name } }"},
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
            timeout=10,
        )
        assert graphql.json()["data"]["organization"]["name"] == "Acme Robotics LLC"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 0


def test_serve_help_and_bad_plan() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["sandbox", "serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
    bad = runner.invoke(app, ["sandbox", "serve", "--faults", '{"next": [{"status": 1}]}'])
    assert bad.exit_code == 2
    assert "bad --faults plan" in bad.output


@pytest.mark.parametrize(
    ("sdl", "reason"),
    [
        ("type Query { x: Int", "Syntax Error"),
        ("type Query { x: Foo }", "Unknown type 'Foo'"),
    ],
)
def test_serve_with_a_broken_schema_is_one_line(tmp_path: Path, sdl: str, reason: str) -> None:
    schema = tmp_path / "broken.graphql"
    schema.write_text(sdl)
    result = CliRunner().invoke(app, ["sandbox", "serve", "--port", "0", "--schema", str(schema)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot load the schema: ")
    assert reason in result.output
    assert result.output.strip().count("\n") == 0


def run_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """The console script in process: its exit code and what it wrote on stderr."""
    from upwork_gql.cli import main

    monkeypatch.setattr(sys, "argv", ["upwork-gql", *args])
    with pytest.raises(SystemExit) as info:
        main()
    code = info.value.code
    return code if isinstance(code, int) else 1, capsys.readouterr().err


@pytest.mark.parametrize("port", ["70000", "-1", "65536"])
def test_a_port_out_of_range_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    code, err = run_main(monkeypatch, capsys, "sandbox", "serve", "--port", port)
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("error: Invalid value for '--port'")
    assert "Traceback" not in err
    assert "OverflowError" not in err


@pytest.mark.parametrize("host", ["256.1.1.1", "1.2.3", "no-such-host.invalid", "::g"])
def test_an_invalid_host_is_said_to_be_invalid(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    code, err = run_main(monkeypatch, capsys, "sandbox", "serve", "--host", host, "--port", "0")
    assert code == 2
    assert err == (
        f"error: invalid --host {host!r}: not an IP address or a host name this machine resolves\n"
    )


def test_a_busy_port_suggests_port_0_and_nothing_else_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = str(busy.getsockname()[1])
        code, err = run_main(monkeypatch, capsys, "sandbox", "serve", "--port", port)
    assert code == 1
    assert err.startswith(f"error: cannot bind 127.0.0.1:{port}: ")
    assert err.rstrip().endswith("try --port 0)")


def test_serve_help_shows_no_type_for_flags() -> None:
    result = CliRunner().invoke(app, ["sandbox", "serve", "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--deny-consent" in result.output

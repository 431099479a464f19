"""The console script: usage errors are one line and exit 2, like every other failure."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

CLI = [sys.executable, "-c", "from upwork_gql.cli import main; main()"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["call", "contract", "--format", "xml"], "'xml' is not one of"),
        (["auth", "status", "--bogus"], "No such option: --bogus"),
        (["call", "contract", "--max-items", "0"], "--max-items"),
        (["no-such-command"], "No such command"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], fragment: str) -> None:
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]


def test_help_and_bare_group() -> None:
    ok = subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0
    assert "auth" in ok.stdout
    bare = subprocess.run([*CLI, "schema"], capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2
    assert "pull" in bare.stdout + bare.stderr


def _every_command_path() -> list[list[str]]:
    """Every command and group of the CLI, ``call``'s operations included, as argv prefixes."""
    import typer

    from upwork_gql.cli import app

    root = typer.main.get_command(app)
    paths: list[list[str]] = []
    pending: list[tuple[list[str], Any]] = [([], root)]
    while pending:
        path, command = pending.pop()
        paths.append(path)
        if hasattr(command, "list_commands"):  # a group (typer vendors its own click)
            ctx = command.context_class(command, info_name=path[-1] if path else "upwork-gql")
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, [*path, name]
                pending.append(([*path, name], sub))
    return paths


def test_no_help_screen_shows_python_types_for_flags_or_lists() -> None:
    from typer.testing import CliRunner

    from upwork_gql.cli import app

    paths = _every_command_path()
    assert ["schema", "check"] in paths
    assert ["call", "contract"] in paths
    assert len(paths) > 20
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        assert "<list[" not in result.output, (path, result.output)
        assert "<bool>" not in result.output, (path, result.output)
        assert "list[Path]" not in result.output, (path, result.output)

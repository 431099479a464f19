"""The console script: usage errors are one line and exit 2, like every other failure."""

from __future__ import annotations

import subprocess
import sys

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

"""`upwork-gql demo`: the whole mission against the embedded sandbox, in process and as `make demo`
runs it (the console script in a subprocess)."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from upwork_gql._demo import DemoOptions, run_demo
from upwork_gql.sandbox import DEFAULT_ORG_ID, SECOND_ORG_ID, SandboxConfig


async def test_demo_runs_the_mission_and_reports_what_it_did() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    report = await run_demo(DemoOptions(), console)
    text = out.getvalue()

    config = SandboxConfig()
    assert report.jobs == config.jobs
    job_pages = math.ceil(config.jobs / DemoOptions().page_size)
    proposal_pages = max(1, math.ceil(report.proposals / 50))
    room_pages = math.ceil(report.rooms / 25)
    assert report.pages == job_pages + proposal_pages + room_pages + 2
    assert report.proposals > 0
    assert report.rooms == 64
    assert report.diary_cells > 0
    # One injected HTML 502, retried; every other response a 200.
    assert report.retries == 1
    assert report.statuses[502] == 1
    assert set(report.statuses) == {200, 502}
    # A refresh mid-run (short TTL): the token endpoint saw the login plus each refresh.
    assert report.refreshes >= 1
    assert report.token_requests == 1 + report.refreshes
    # The tenant switch saw different data.
    assert report.tenants[DEFAULT_ORG_ID] == 64
    assert report.tenants[SECOND_ORG_ID] == 72
    assert report.elapsed < 60

    for heading in (
        "Sandbox",
        "Login",
        "Job postings",
        "Proposals of one job",
        "A contract",
        "Rooms",
        "A day of the work diary",
        "Tenant switch",
        "Summary",
    ):
        assert heading in text
    assert "access token refreshed mid-run" in text
    assert "HTTP 502 Bad Gateway on marketplaceJobPostings" in text
    assert "Globex Design Studio" in text
    assert "Bearer" not in text
    assert "refresh_token" not in text


async def test_demo_without_fault_has_no_retry() -> None:
    out = io.StringIO()
    report = await run_demo(DemoOptions(inject_fault=False, jobs=200), Console(file=out, width=100))
    assert report.retries == 0
    assert report.jobs == 200
    assert set(report.statuses) == {200}


@pytest.mark.slow
def test_upwork_gql_demo_command_exits_zero(tmp_path: Path) -> None:
    """What `make demo` runs: the console script, exit 0, readable output, well under a minute,
    and the user's token file untouched."""
    script = Path(sys.executable).with_name("upwork-gql")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "upwork_gql.cli"]
    user_token = tmp_path / "user-token.json"
    env = {**os.environ, "UPWORK_TOKEN_FILE": str(user_token), "COLUMNS": "100"}
    started = time.monotonic()
    proc = subprocess.run(
        [*command, "demo"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert elapsed < 60
    out = proc.stdout
    assert "Summary" in out
    for label in ("requests", "pages", "retries", "refreshes", "elapsed"):
        assert label in out
    assert "done" in out
    assert not user_token.exists()

"""A process killed after the token endpoint rotated the pair and before the new pair was saved.

The token file keeps the previous refresh token. Upwork keeps a replaced refresh token valid for
24 hours, so the next process refreshes with it and works; past that grace (here: no grace at
all) the login is lost and the next process is told to log in again. The kill lands at a fixed
point (the store's ``save``, called right after the endpoint answered), not at a racy moment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from upwork_gql.sandbox import RunningSandbox, SandboxConfig, serve_in_thread

pytestmark = pytest.mark.slow

#: Process A: refreshes, and dies (SIGKILL) the moment it would save the new pair.
KILLED_DURING_REFRESH = """
import os, signal, sys
import anyio
from upwork_gql.auth import FileTokenStore, TokenManager

class DiesBeforeSaving(FileTokenStore):
    async def save(self, token):
        print("answered", flush=True)  # the token endpoint has answered: the pair is rotated
        os.kill(os.getpid(), signal.SIGKILL)

async def main():
    manager = TokenManager(os.environ["UPWORK_CLIENT_ID"], os.environ["UPWORK_CLIENT_SECRET"],
                           token_url=os.environ["UPWORK_TOKEN_URL"],
                           store=DiesBeforeSaving(os.environ["UPWORK_TOKEN_FILE"]))
    async with manager:
        await manager.get_token()
    print("survived", flush=True)

anyio.run(main)
"""

#: Process B: an ordinary client started with the token file A left behind.
NEXT_START = """
import anyio
from upwork_gql import UpworkClient
from upwork_gql.types import Pagination

async def main():
    async with UpworkClient.from_env(rate_limit=None) as client:
        result = await client.room_list(pagination=Pagination(first=1))
    print(result.room_list.total_count, flush=True)

anyio.run(main)
"""


def run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )


def serve(grace: float) -> Iterator[RunningSandbox]:
    with serve_in_thread(SandboxConfig(jobs=10, refresh_grace=grace)) as running:
        yield running


@pytest.fixture
def upwork() -> Iterator[RunningSandbox]:
    """Upwork's rule: a replaced refresh token stays valid for 24 hours."""
    yield from serve(86400.0)


@pytest.fixture
def no_grace() -> Iterator[RunningSandbox]:
    """A server that kills a replaced refresh token at once."""
    yield from serve(0.0)


def expired_login(sandbox: RunningSandbox, path: Path) -> dict[str, Any]:
    """A saved login whose access token has expired: the next use must refresh."""
    issued = sandbox.state.issue_tokens()
    data = {**issued.as_response(), "expires_at": time.time() - 60}
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data


def environment(sandbox: RunningSandbox, path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPWORK_")}
    return {**env, **sandbox.env(), "UPWORK_TOKEN_FILE": str(path)}


def kill_during_refresh(sandbox: RunningSandbox, path: Path, env: dict[str, str]) -> None:
    before = path.read_bytes()
    killed = run(KILLED_DURING_REFRESH, env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert killed.stdout.split() == ["answered"]
    assert sandbox.state.refreshes == 1  # the server rotated the pair...
    assert path.read_bytes() == before  # ...and the new pair died with the process


def test_the_next_process_recovers_with_the_replaced_refresh_token(
    upwork: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    old = expired_login(upwork, path)
    env = environment(upwork, path)
    kill_during_refresh(upwork, path, env)
    assert upwork.state.tokens.refresh[old["refresh_token"]].rotated

    nxt = run(NEXT_START, env)
    assert nxt.returncode == 0, nxt.stderr[-2000:]
    assert int(nxt.stdout.strip()) > 0  # a real GraphQL answer
    assert upwork.state.refreshes == 2
    assert upwork.state.tokens.refresh[old["refresh_token"]].uses == 2  # redeemed again
    saved = json.loads(path.read_text())
    assert saved["refresh_token"] != old["refresh_token"]  # a fresh pair, saved this time
    assert upwork.state.tokens.refresh[saved["refresh_token"]].uses == 0
    assert temp_files_left(tmp_path) == []


def test_without_the_grace_period_the_next_process_must_log_in_again(
    no_grace: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    expired_login(no_grace, path)
    env = environment(no_grace, path)
    kill_during_refresh(no_grace, path, env)

    before = path.read_bytes()
    nxt = run(NEXT_START, env)
    assert nxt.returncode == 1
    assert "ReauthenticationRequired" in nxt.stderr
    assert "upwork-gql auth login" in nxt.stderr
    assert path.read_bytes() == before  # nothing saved on failure


def temp_files_left(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))

"""Helpers for tests that point the CLI, the notebook or the examples at a running sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import anyio

from upwork_gql.auth import FileTokenStore, Token
from upwork_gql.sandbox import RunningSandbox


def save_login(
    sandbox: RunningSandbox, path: Path, client_id: str | None = None, *, ttl: float | None = None
) -> Path:
    """Write a token file as ``upwork-gql auth login`` would, for the sandbox's user."""
    issued = sandbox.state.issue_tokens(client_id, access_ttl=ttl)
    token = Token.from_dict(issued.as_response(), now=time.time())
    anyio.run(FileTokenStore(path).save, token)
    return path


def sandbox_env(sandbox: RunningSandbox, token_file: Path) -> dict[str, str]:
    """The ``UPWORK_*`` variables a user would export to use the sandbox with that login."""
    return {**sandbox.env(), "UPWORK_TOKEN_FILE": str(token_file)}

"""Helpers for tests that run the public client against a sandbox served on loopback."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from upwork_gql import UpworkClient
from upwork_gql.sandbox import RunningSandbox

#: ``sandbox_client`` from conftest: keyword arguments -> an ``UpworkClient`` for the sandbox.
ClientFactory = Callable[..., UpworkClient]

#: The request id the sandbox puts in every response (and errors carry).
REQUEST_ID = re.compile(r"[0-9a-f]{32}")


def without_faults(sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    """Fixture body: a shared sandbox with no pending faults before and after the test."""
    sandbox.state.faults.clear()
    yield sandbox
    sandbox.state.faults.clear()


class CounterDelta:
    """Sandbox counters relative to a starting point (a module or session sandbox is shared)."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self._state = sandbox.state
        self._start = dict(self._state.counters)

    def reset(self) -> None:
        """Start counting from now."""
        self._start = dict(self._state.counters)

    def __getitem__(self, name: str) -> int:
        return self._state.counters[name] - self._start.get(name, 0)

"""Shared fixtures: the embedded sandbox as a real server on loopback, and clients for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from _live_sandbox import CounterDelta, without_faults

from upwork_gql import UpworkClient
from upwork_gql.sandbox import RunningSandbox, SandboxConfig, serve_in_thread

if TYPE_CHECKING:
    from _otel_capture import Capture

#: Retry delays small enough to keep fault tests fast, large enough to exercise the backoff.
FAST_RETRIES: dict[str, Any] = {
    "retry_initial_delay": 0.01,
    "retry_max_delay": 0.05,
    "max_retry_after": 2.0,
}


@pytest.fixture(scope="session")
def live_sandbox_server() -> Iterator[RunningSandbox]:
    """One sandbox (default seeded data: 1,000 jobs, two organizations) served by uvicorn on
    127.0.0.1 for the whole session; stopped at the end."""
    with serve_in_thread(SandboxConfig()) as running:
        yield running


@pytest.fixture
def live_sandbox(live_sandbox_server: RunningSandbox) -> Iterator[RunningSandbox]:
    """The session sandbox with no pending faults before and after the test."""
    yield from without_faults(live_sandbox_server)


@pytest.fixture
def sandbox_client(live_sandbox: RunningSandbox) -> Callable[..., UpworkClient]:
    """Factory: an ``UpworkClient`` for the live sandbox with a fresh full-scope access token.

    No client-side rate limit (the tests pace themselves) and fast retries; keyword arguments
    override anything. Use it as ``async with sandbox_client() as client``.
    """

    def make(*, client_id: str | None = None, **kwargs: Any) -> UpworkClient:
        options: dict[str, Any] = {
            "url": live_sandbox.graphql_url,
            "rate_limit": None,
            "max_concurrency": None,
            "timeout": 10.0,
            **FAST_RETRIES,
        }
        if not any(k in kwargs for k in ("auth", "access_token", "client_id", "token_store")):
            options["access_token"] = live_sandbox.state.issue_tokens(client_id).access_token
        options.update(kwargs)
        return UpworkClient(**options)

    return make


@pytest.fixture
def sandbox_counts(live_sandbox: RunningSandbox) -> CounterDelta:
    """``sandbox_counts["graphql_requests"]``: how many since the test started."""
    return CounterDelta(live_sandbox)


@pytest.fixture(autouse=True)
def _fresh_drift_log() -> Iterator[None]:
    """Each test sees schema-drift warnings afresh (they are logged once per process)."""
    from upwork_gql import _models

    _models._drift_seen.clear()
    yield
    _models._drift_seen.clear()


@pytest.fixture(autouse=True)
def _fresh_redactor() -> Iterator[None]:
    """Secrets registered by one test (short fake tokens) do not redact another test's text."""
    from upwork_gql._redact import REDACTOR

    REDACTOR.clear()
    yield
    REDACTOR.clear()


@pytest.fixture(scope="session")
def otel_capture() -> Capture | None:
    """In-memory span exporter and metric reader installed as OpenTelemetry's global providers,
    once per test process (``None`` without opentelemetry-sdk). So every test reports spans and
    metrics, and :func:`_telemetry_scan` checks them."""
    try:
        import _otel_capture
    except ImportError:  # pragma: no cover - the dev extra installs opentelemetry-sdk
        return None
    return _otel_capture.install()


@pytest.fixture
def capture(otel_capture: Capture | None) -> Capture:
    """The in-memory OpenTelemetry capture (spans, events, metrics) of this test."""
    assert otel_capture is not None, "opentelemetry-sdk is part of the dev extra"
    return otel_capture


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the sleeps (backoff, pacing) instead of sleeping: ``anyio.sleep`` is replaced."""
    recorded: list[float] = []

    async def fake_sleep(delay: float) -> None:
        recorded.append(delay)

    monkeypatch.setattr(anyio, "sleep", fake_sleep)
    return recorded


@pytest.fixture(autouse=True)
def _telemetry_scan(_fresh_redactor: None, otel_capture: Capture | None) -> Iterator[None]:
    """After every test: what the library reported as spans, events and metrics holds only the
    documented names and shapes, and none of the secrets the test registered."""
    if otel_capture is None:  # pragma: no cover
        yield
        return
    otel_capture.reset()
    yield
    from upwork_gql._redact import REDACTOR

    leaks = otel_capture.leaks(REDACTOR)
    assert not leaks, "telemetry leaks:\n" + "\n".join(leaks)

"""The sandbox's live state: counters, a request log, tokens, pending faults and the data."""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema

from upwork_gql.sandbox.config import SandboxConfig
from upwork_gql.sandbox.data import SandboxData
from upwork_gql.sandbox.faults import FaultQueues
from upwork_gql.sandbox.tokens import IssuedTokens, TokenStore


@dataclass(frozen=True)
class RequestRecord:
    """One request the sandbox received (no bodies, no tokens)."""

    path: str
    method: str
    status: int
    operation_name: str | None = None
    tenant_id: str | None = None
    grant_type: str | None = None
    fault: str | None = None


class SandboxState:
    """Shared by the app and whoever runs it (tests, the demo): read counters, push faults.

    Counters (``state.counters[name]``):

    - ``token_requests``: every request to the token endpoint (faulted ones too);
      ``token.<grant_type>``: successful grants; ``token_errors``: 4xx answers;
      ``refreshes``: successful refresh_token grants; ``authorize_requests``.
    - ``graphql_requests``: every request to ``/graphql`` (faulted ones too);
      ``graphql_executed``: requests that ran an operation; ``unauthorized``: 401 answers;
      ``rate_limited``: 429 from the rate limit; ``mutations``: executed mutation operations;
      ``mutation.<field>``: executed mutation root fields;
      ``operation.<name>``: executed operations.
    - ``faults_applied``.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.data = SandboxData(config)
        self.tokens = TokenStore(
            clock=config.clock,
            access_ttl=config.access_token_ttl,
            refresh_ttl=config.refresh_token_ttl,
            refresh_grace=config.refresh_grace,
            code_ttl=config.code_ttl,
        )
        self.faults = FaultQueues()
        if config.faults:
            self.faults.push(config.faults)
        self.counters: Counter[str] = Counter()
        self.requests: deque[RequestRecord] = deque(maxlen=10_000)
        #: The executable schema being served (set by ``create_app``).
        self.schema: GraphQLSchema | None = None
        self._lock = threading.Lock()
        self._bucket_level = 0.0
        self._bucket_time = config.clock()

    # Counters.
    def count(self, name: str, amount: int = 1) -> None:
        """Increment a counter."""
        with self._lock:
            self.counters[name] += amount

    def record(self, record: RequestRecord) -> None:
        """Append to the request log."""
        self.requests.append(record)

    @property
    def token_calls(self) -> int:
        """Requests to the token endpoint."""
        return self.counters["token_requests"]

    @property
    def graphql_calls(self) -> int:
        """Requests to ``/graphql``."""
        return self.counters["graphql_requests"]

    @property
    def refreshes(self) -> int:
        """Successful refresh-token grants."""
        return self.counters["refreshes"]

    def graphql_records(self) -> list[RequestRecord]:
        """The log of ``/graphql`` requests."""
        return [r for r in self.requests if r.path == "graphql"]

    def snapshot(self) -> dict[str, Any]:
        """Counters and pending faults as JSON-ready data."""
        return {"counters": dict(self.counters), "pending_faults": self.faults.pending()}

    def reset_counters(self) -> None:
        """Zero the counters and clear the request log."""
        with self._lock:
            self.counters.clear()
            self.requests.clear()

    # Tokens without the HTTP dance, for tests and demos.
    def issue_tokens(
        self,
        client_id: str | None = None,
        *,
        scopes: Iterable[str] | None = None,
        access_ttl: float | None = None,
        with_refresh: bool = True,
    ) -> IssuedTokens:
        """Issue a token pair for the configured user as if the user had logged in."""
        client = self.config.client(client_id) if client_id else self.config.default_client
        if client is None:
            raise KeyError("unknown sandbox client")
        return self.tokens.issue(
            client_id=client.client_id,
            user_id=self.config.user.id,
            scopes=client.scopes if scopes is None else scopes,
            grant="direct",
            with_refresh=with_refresh,
            access_ttl=access_ttl,
        )

    # Rate limit (token bucket on /graphql).
    def rate_limited(self) -> bool:
        """True when this request exceeds ``config.rate_limit`` requests per second."""
        rate = self.config.rate_limit
        if not rate:
            return False
        with self._lock:
            now = self.config.clock()
            self._bucket_level = max(0.0, self._bucket_level - (now - self._bucket_time) * rate)
            self._bucket_time = now
            if self._bucket_level + 1 > max(rate, 1.0):
                return True
            self._bucket_level += 1
            return False

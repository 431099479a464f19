"""The one retry policy, used by the GraphQL request loop and the OAuth2 token endpoint alike.

What is retried (:meth:`RetryPolicy.should_retry`):

* HTTP 408, 429 and 5xx, connection errors and timeouts, for queries (idempotent);
* for a mutation (or any request that is not idempotent), only errors raised before a byte of
  the request left this process (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``): the
  server provably never saw it. ``retry_mutation=True`` opts in to the query rules.

How long to wait (:meth:`RetryPolicy.delay`): the server's ``Retry-After`` when it sends one, up to
``max_retry_after`` (a longer wait is not attempted: the error is raised at once, carrying the
server's ``retry_after``); otherwise exponential backoff from ``initial_delay``, capped at
``max_delay``, with 0-25 % jitter taken off so that clients started together spread out.

Subclass and override either method to plug in another decision (as openai-python's
``_should_retry``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

import httpx

from upwork_gql._constants import (
    DEFAULT_MAX_RETRIES,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRYABLE_STATUS_CODES,
)
from upwork_gql._exceptions import ConfigurationError
from upwork_gql._retry_after import parse_retry_after

__all__ = ["NEVER_SENT_ERRORS", "RetryPolicy"]

#: Errors raised before a single byte of the request left this process.
NEVER_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_JITTER: Final = 0.25


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to retry and how long to wait (see the module docstring)."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = INITIAL_RETRY_DELAY
    max_delay: float = MAX_RETRY_DELAY
    max_retry_after: float = MAX_RETRY_AFTER

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise ConfigurationError("max_retries must be an int >= 0")
        if self.initial_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ConfigurationError("retry delays must be >= 0")

    def should_retry(
        self,
        *,
        idempotent: bool,
        response: httpx.Response | None = None,
        error: BaseException | None = None,
    ) -> bool:
        """Whether a failed attempt may be sent again (the attempt budget is checked apart)."""
        if response is not None:
            return idempotent and response.status_code in RETRYABLE_STATUS_CODES
        if isinstance(error, NEVER_SENT_ERRORS):
            return True
        return idempotent and isinstance(error, httpx.TransportError)

    def delay(self, retries_taken: int, headers: httpx.Headers | None = None) -> float | None:
        """Seconds before the next attempt; ``None`` when the server asks for too long a wait."""
        if headers is not None:
            retry_after = parse_retry_after(headers)
            if retry_after is not None:
                return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.initial_delay * (2.0**retries_taken), self.max_delay)
        return backoff * (1.0 - _JITTER * random.random())

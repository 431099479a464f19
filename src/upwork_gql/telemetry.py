"""Observability: OpenTelemetry spans and metrics, and plain hooks for everything else.

**OpenTelemetry** (``pip install 'upwork-gql[otel]'``, the API only). The client reports to the
application's global tracer and meter providers (``opentelemetry.trace.get_tracer("upwork_gql")``
and ``opentelemetry.metrics.get_meter("upwork_gql")``), looked up lazily: it never imports
OpenTelemetry itself, it starts using it once the application has (setting a provider imports
it), so a process that does not use OpenTelemetry pays nothing, installed or not. Spans:

* ``{type} {name}`` (``query contract``, ``mutation createRoomStoryV2``; ``query`` for an
  anonymous ad-hoc document), kind CLIENT, one per operation call, retries included. Attributes:
  :data:`ATTR_OPERATION_NAME`, :data:`ATTR_OPERATION_TYPE`, ``server.address``,
  ``server.port``, ``http.response.status_code`` (last response), ``upwork.request_id`` (last
  response), ``upwork.retry_count``, ``upwork.rate_limit.wait`` (seconds spent in the rate
  limiter, when one is configured) and, on failure, ``error.type`` (the exception class, e.g.
  ``MissingScopeError`` for a GraphQL error inside an HTTP 200) with status ERROR; status OK on
  success. One event ``upwork.retry`` per retry: ``upwork.retry.attempt`` (the attempt that
  failed, from 1), ``upwork.retry.reason`` (``HTTP 503``, ``ConnectError``) and
  ``upwork.retry.wait`` (seconds).
* ``upwork.oauth2.refresh``, kind INTERNAL, one per token refresh (usually inside the call span
  that needed it): ``upwork.oauth2.grant_type`` (``refresh_token``, ``client_credentials``),
  ``server.address`` of the token endpoint, ``error.type`` and status ERROR on failure.
* ``paginate {name}``, kind INTERNAL, one per walk of a paginator (``async for``, ``pages()``,
  ``to_list()``), parent of each page's call span: :data:`ATTR_OPERATION_NAME`,
  ``upwork.pagination.page_size``, ``upwork.pagination.pages`` and ``upwork.pagination.items``
  (nodes handed out), ``error.type`` on failure. (``await paginator`` and ``next_page()`` are
  single calls: their call span only.)

Metrics (meter ``upwork_gql``):

* ``upwork.client.operations`` (counter) and ``upwork.client.operation.duration`` (histogram,
  seconds, retries included), by ``graphql.operation.name``, ``graphql.operation.type``,
  ``upwork.outcome`` (``success``, ``error``, ``cancelled``) and ``error.type``;
* ``upwork.client.retries`` (counter), by operation and ``upwork.retry.reason``;
* ``upwork.oauth2.refreshes`` (counter), by ``upwork.oauth2.grant_type``, ``upwork.outcome``
  and ``error.type``;
* ``upwork.rate_limit.wait`` (histogram, seconds), the time each attempt waited for the rate
  limiter, by operation;
* ``upwork.rate_limit.daily_budget.remaining`` (observable gauge), the requests left today for
  each :class:`~upwork_gql.limits.RedisRateLimiter` with a daily quota (as of its last request),
  by ``upwork.client_id``.

Never a variable value, a document, a header, a token or a secret in an attribute or an event:
only the names above, with operation names, counts, durations, status codes, exception class
names and request ids as values. Exception messages are left out too (a server may echo a
value in one).

**Hooks**, without OpenTelemetry: ``UpworkClient(hooks=Hooks(...))`` calls each hook with a
typed event, awaited in line (keep them short; hand slow work to a queue)::

    from upwork_gql import Hooks, ResponseEvent, RetryEvent, UpworkClient

    async def log_response(event: ResponseEvent) -> None:
        print(event.operation, event.attempt, event.status_code, f"{event.elapsed:.3f}s")

    async def count_retry(event: RetryEvent) -> None:
        retries[event.operation] += 1

    client = UpworkClient(hooks=Hooks(on_response=log_response, on_retry=count_retry))

* ``on_request`` (:class:`RequestEvent`): before each attempt is sent (after the rate limiter);
* ``on_response`` (:class:`ResponseEvent`): after each attempt, with a response or the
  transport error's class name;
* ``on_retry`` (:class:`RetryEvent`): before the wait that precedes a retry;
* ``on_refresh`` (:class:`RefreshEvent`): after each token refresh, successful or not, done for
  a call of this client, or by a ``TokenManager(hooks=...)``.

Each field takes one callable or a sequence of them; a hook may be ``async`` or not. An
exception raised by a hook is logged (``upwork_gql.telemetry`` logger, warning, with the
hook's name and the exception class, secrets redacted) and never breaks the call. Copies made
by ``with_tenant`` / ``with_options`` share their client's hooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, TypeVar

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ATTR_CLIENT_ID",
    "ATTR_OPERATION_NAME",
    "ATTR_OPERATION_TYPE",
    "ATTR_OUTCOME",
    "EVENT_RETRY",
    "METRIC_BUDGET",
    "METRIC_DURATION",
    "METRIC_LIMITER_WAIT",
    "METRIC_OPERATIONS",
    "METRIC_REFRESHES",
    "METRIC_RETRIES",
    "SPAN_PAGINATE",
    "SPAN_REFRESH",
    "Hook",
    "Hooks",
    "RefreshEvent",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
]

# The names this module's docstring lists (for dashboards and tests).
#: The operation name (``contract``), as in OpenTelemetry's GraphQL conventions.
ATTR_OPERATION_NAME: Final = "graphql.operation.name"
#: ``query``, ``mutation`` or ``subscription``.
ATTR_OPERATION_TYPE: Final = "graphql.operation.type"
#: ``success``, ``error`` or ``cancelled`` (metrics).
ATTR_OUTCOME: Final = "upwork.outcome"
#: The OAuth2 client id whose daily budget a gauge reports.
ATTR_CLIENT_ID: Final = "upwork.client_id"
EVENT_RETRY: Final = "upwork.retry"
SPAN_REFRESH: Final = "upwork.oauth2.refresh"
#: ``paginate {operation}``
SPAN_PAGINATE: Final = "paginate"
METRIC_OPERATIONS: Final = "upwork.client.operations"
METRIC_DURATION: Final = "upwork.client.operation.duration"
METRIC_RETRIES: Final = "upwork.client.retries"
METRIC_REFRESHES: Final = "upwork.oauth2.refreshes"
METRIC_LIMITER_WAIT: Final = "upwork.rate_limit.wait"
METRIC_BUDGET: Final = "upwork.rate_limit.daily_budget.remaining"

EventT = TypeVar("EventT")

#: A hook: called with one event; may be a coroutine function.
Hook = Callable[[EventT], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """An attempt is about to be sent."""

    #: The operation name (``None`` for an anonymous ad-hoc document).
    operation: str | None
    #: ``query``, ``mutation`` or ``subscription``.
    operation_type: str
    #: 1 for the first attempt, 2 for the first retry, ...
    attempt: int
    #: The API host.
    server_address: str


@dataclass(frozen=True, slots=True)
class ResponseEvent:
    """An attempt is over: a response came back, or a transport error was raised."""

    operation: str | None
    operation_type: str
    attempt: int
    #: The HTTP status (``None`` when no response came back).
    status_code: int | None
    #: Upwork's ``vnd.eo.request-id`` header, when a response came back.
    request_id: str | None
    #: Seconds this attempt took (from sending to the response headers and body).
    elapsed: float
    #: The transport error's class name (``ConnectError``, ``ReadTimeout``) when no response.
    error_type: str | None = None
    #: The response itself (headers, ``content``), when one came back.
    response: httpx.Response | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """A failed attempt is about to be retried after ``wait`` seconds."""

    operation: str | None
    operation_type: str
    #: The attempt that failed (1 for the first).
    attempt: int
    #: ``HTTP 503``, or the transport error's class name (``ConnectError``).
    reason: str
    #: Seconds before the next attempt (``Retry-After`` or backoff).
    wait: float


@dataclass(frozen=True, slots=True)
class RefreshEvent:
    """A token refresh is over."""

    #: ``refresh_token`` or ``client_credentials`` (``None``: no way to refresh, e.g. a login
    #: without a refresh token; ``error_type`` is then ``ReauthenticationRequired``).
    grant_type: str | None
    #: Seconds the refresh took (token request, retries and the save to the store).
    elapsed: float
    #: ``None`` on success, else the exception class (``ReauthenticationRequired``, ...).
    error_type: str | None = None


def _as_tuple(value: Hook[EventT] | Sequence[Hook[EventT]] | None) -> tuple[Hook[EventT], ...]:
    if value is None:
        return ()
    if callable(value):
        return (value,)
    hooks = tuple(value)
    for hook in hooks:
        if not callable(hook):
            raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    return hooks


@dataclass(frozen=True, slots=True, init=False)
class Hooks:
    """Callbacks observing requests, responses, retries and refreshes (see the module docs).

    Each argument is a callable (``async`` or not) taking the event, or a sequence of them.
    """

    on_request: tuple[Hook[RequestEvent], ...]
    on_response: tuple[Hook[ResponseEvent], ...]
    on_retry: tuple[Hook[RetryEvent], ...]
    on_refresh: tuple[Hook[RefreshEvent], ...]

    def __init__(
        self,
        *,
        on_request: Hook[RequestEvent] | Sequence[Hook[RequestEvent]] | None = None,
        on_response: Hook[ResponseEvent] | Sequence[Hook[ResponseEvent]] | None = None,
        on_retry: Hook[RetryEvent] | Sequence[Hook[RetryEvent]] | None = None,
        on_refresh: Hook[RefreshEvent] | Sequence[Hook[RefreshEvent]] | None = None,
    ) -> None:
        object.__setattr__(self, "on_request", _as_tuple(on_request))
        object.__setattr__(self, "on_response", _as_tuple(on_response))
        object.__setattr__(self, "on_retry", _as_tuple(on_retry))
        object.__setattr__(self, "on_refresh", _as_tuple(on_refresh))

    def __bool__(self) -> bool:
        return bool(self.on_request or self.on_response or self.on_retry or self.on_refresh)

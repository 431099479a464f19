"""What the runtime calls to report: hooks and OpenTelemetry per call, walk and refresh.

:mod:`upwork_gql.telemetry` documents what is reported. Everything here costs nothing when
nothing observes: :func:`begin_call` and :func:`begin_walk` return ``None`` and
:func:`observe_refresh` a no-op when there are no hooks and the application has not imported
OpenTelemetry (checked with two ``sys.modules`` look-ups until it has; :mod:`._otel` is loaded
then, once per process).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar
from urllib.parse import urlsplit

from upwork_gql._constants import REQUEST_ID_HEADER
from upwork_gql._redact import REDACTOR, get_logger
from upwork_gql.telemetry import (
    ATTR_OPERATION_NAME,
    ATTR_OPERATION_TYPE,
    ATTR_OUTCOME,
    EVENT_RETRY,
    SPAN_PAGINATE,
    SPAN_REFRESH,
    Hook,
    Hooks,
    RefreshEvent,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)

if TYPE_CHECKING:
    import httpx

    from upwork_gql._otel import OTel

__all__ = [
    "CURRENT_HOOKS",
    "Call",
    "Walk",
    "begin_call",
    "begin_walk",
    "budget_sources",
    "observe_refresh",
    "otel",
    "register_budget",
]

log: Final = get_logger("upwork_gql.telemetry")

EventT = TypeVar("EventT")

#: The hooks of the call in progress (a refresh it triggers reports to them).
CURRENT_HOOKS: ContextVar[Hooks | None] = ContextVar("upwork_gql_hooks", default=None)

_TRACE: Final = "opentelemetry.trace"
_METRICS: Final = "opentelemetry.metrics"
_DETAIL_LEN: Final = 200
_state: dict[str, OTel | None] = {"otel": None}
_lock = threading.Lock()


def otel() -> OTel | None:
    """The tracer and instruments, once the application has imported OpenTelemetry."""
    found = _state["otel"]
    if found is not None:
        return found
    modules = sys.modules
    if modules.get(_TRACE) is None and modules.get(_METRICS) is None:
        return None
    with _lock:
        found = _state["otel"]
        if found is None:
            try:
                from upwork_gql._otel import OTel
            except ImportError:  # a partial install: behave as without it
                return None
            found = _state["otel"] = OTel()
    return found


# -- the daily budget gauge ---------------------------------------------------------------------


class BudgetSource(Protocol):
    client_id: str

    @property
    def last_remaining_daily_budget(self) -> int | None: ...


_budgets: weakref.WeakSet[Any] = weakref.WeakSet()
_budgets_lock = threading.Lock()  # the gauge is read from the metric reader's thread


def register_budget(limiter: BudgetSource) -> None:
    """Report ``limiter``'s remaining daily budget in the gauge (for as long as it lives)."""
    with _budgets_lock:
        _budgets.add(limiter)


def budget_sources() -> list[BudgetSource]:
    with _budgets_lock:
        return list(_budgets)


# -- hooks ----------------------------------------------------------------------------------------


def _hook_name(hook: object) -> str:
    return str(getattr(hook, "__qualname__", None) or type(hook).__qualname__)


async def dispatch(hooks: Sequence[Hook[EventT]], event: EventT, kind: str) -> None:
    """Call each hook with ``event``; an exception is logged and goes no further."""
    for hook in hooks:
        try:
            result = hook(event)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            log.warning(
                "%s hook %s raised %s: %s (ignored; the call goes on)",
                kind,
                _hook_name(hook),
                type(exc).__name__,
                REDACTOR.redact(str(exc))[:_DETAIL_LEN],
            )


def _outcome(exc: BaseException | None) -> tuple[str, str | None]:
    if exc is None:
        return "success", None
    if isinstance(exc, Exception):
        return "error", type(exc).__name__
    return "cancelled", None


# -- one operation call ---------------------------------------------------------------------------


class Call:
    """One operation call, retries included: its span (current while it runs), its metrics and
    its hooks. Use as ``with call:`` around the request loop."""

    __slots__ = (
        "_hooks_token",
        "_request_id",
        "_sent",
        "_span",
        "_started",
        "_status",
        "_token",
        "_waited",
        "address",
        "attributes",
        "hooks",
        "kind",
        "operation",
        "otel",
        "port",
        "retries",
    )

    def __init__(
        self,
        hooks: Hooks | None,
        otel: OTel | None,
        operation: str | None,
        kind: str,
        address: str,
        port: int | None,
    ) -> None:
        self.hooks = hooks
        self.otel = otel
        self.operation = operation
        self.kind = kind
        self.address = address
        self.port = port
        self.attributes: dict[str, str] = {ATTR_OPERATION_TYPE: kind}
        if operation:
            self.attributes[ATTR_OPERATION_NAME] = operation
        self.retries = 0
        self._status: int | None = None
        self._request_id: str | None = None
        self._waited = 0.0
        self._started = self._sent = 0.0
        self._span: Any = None
        self._token: object | None = None
        self._hooks_token: Token[Hooks | None] | None = None

    def __enter__(self) -> Call:
        self._started = time.perf_counter()
        if self.otel is not None:
            attributes: dict[str, str | int] = {**self.attributes, "server.address": self.address}
            if self.port is not None:
                attributes["server.port"] = self.port
            name = f"{self.kind} {self.operation}" if self.operation else self.kind
            self._span, self._token = self.otel.start(name, attributes, client=True)
        if self.hooks is not None:
            self._hooks_token = CURRENT_HOOKS.set(self.hooks)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._hooks_token is not None:
            CURRENT_HOOKS.reset(self._hooks_token)
        ot = self.otel
        if ot is None:
            return
        outcome, error_type = _outcome(exc)
        final: dict[str, str | int | float] = {"upwork.retry_count": self.retries}
        if self._status is not None:
            final["http.response.status_code"] = self._status
        if self._request_id is not None:
            final["upwork.request_id"] = self._request_id
        if self._waited:
            final["upwork.rate_limit.wait"] = self._waited
        ot.finish(self._span, self._token, final, error_type, cancelled=outcome == "cancelled")
        metric: dict[str, str] = {**self.attributes, ATTR_OUTCOME: outcome}
        if error_type is not None:
            metric["error.type"] = error_type
        ot.operations.add(1, metric)
        ot.duration.record(time.perf_counter() - self._started, metric)

    def waited(self, seconds: float) -> None:
        """The attempt waited ``seconds`` for the rate limiter."""
        self._waited += seconds
        if self.otel is not None:
            self.otel.limiter_wait.record(seconds, self.attributes)

    async def request(self, attempt: int) -> None:
        """The attempt is about to be sent."""
        hooks = self.hooks
        if hooks is not None and hooks.on_request:
            event = RequestEvent(self.operation, self.kind, attempt, self.address)
            await dispatch(hooks.on_request, event, "on_request")
        self._sent = time.perf_counter()

    async def response(
        self,
        attempt: int,
        response: httpx.Response | None,
        error: BaseException | None,
    ) -> None:
        """The attempt is over: ``response``, or the transport ``error``."""
        elapsed = time.perf_counter() - self._sent
        request_id = None
        if response is not None:
            self._status = response.status_code
            request_id = self._request_id = response.headers.get(REQUEST_ID_HEADER)
        hooks = self.hooks
        if hooks is not None and hooks.on_response:
            event = ResponseEvent(
                self.operation,
                self.kind,
                attempt,
                status_code=response.status_code if response is not None else None,
                request_id=request_id,
                elapsed=elapsed,
                error_type=type(error).__name__ if error is not None else None,
                response=response,
            )
            await dispatch(hooks.on_response, event, "on_response")

    async def retry(
        self,
        attempt: int,
        response: httpx.Response | None,
        error: BaseException | None,
        wait: float,
    ) -> None:
        """The failed attempt will be retried after ``wait`` seconds."""
        self.retries += 1
        reason = f"HTTP {response.status_code}" if response is not None else type(error).__name__
        ot = self.otel
        if ot is not None:
            ot.event(
                self._span,
                EVENT_RETRY,
                {
                    "upwork.retry.attempt": attempt,
                    "upwork.retry.reason": reason,
                    "upwork.retry.wait": wait,
                },
            )
            ot.retries.add(1, {**self.attributes, "upwork.retry.reason": reason})
        hooks = self.hooks
        if hooks is not None and hooks.on_retry:
            event = RetryEvent(self.operation, self.kind, attempt, reason, wait)
            await dispatch(hooks.on_retry, event, "on_retry")


def begin_call(
    hooks: Hooks | None,
    operation: str | None,
    kind: str,
    url: httpx.URL,
    document: str | None = None,
) -> Call | None:
    """A :class:`Call` to report on, or ``None`` when nothing observes. An ad-hoc call without
    an operation name is named after the operation its ``document`` defines, if any."""
    ot = otel()
    if ot is None and hooks is None:
        return None
    if operation is None and document is not None:
        from upwork_gql._operation import document_operation_name

        operation = document_operation_name(document)
    return Call(hooks, ot, operation, kind, url.host, url.port)


# -- a paginator's walk ---------------------------------------------------------------------------


class Walk:
    """The span of one paginator walk: each page's call runs inside :meth:`page`."""

    __slots__ = ("_otel", "_span", "items", "pages")

    def __init__(self, ot: OTel, operation: str, page_size: int) -> None:
        self._otel = ot
        self._span = ot.start_detached(
            f"{SPAN_PAGINATE} {operation}",
            {ATTR_OPERATION_NAME: operation, "upwork.pagination.page_size": page_size},
        )
        self.pages = 0
        self.items = 0

    def page(self) -> contextlib.AbstractContextManager[Any]:
        """Make the walk's span current while one page is fetched."""
        return self._otel.use(self._span)

    def finish(self, exc: BaseException | None) -> None:
        outcome, error_type = _outcome(exc)
        attributes = {"upwork.pagination.pages": self.pages, "upwork.pagination.items": self.items}
        self._otel.finish(
            self._span, None, attributes, error_type, cancelled=outcome == "cancelled"
        )


def begin_walk(operation: str, page_size: int) -> Walk | None:
    ot = otel()
    return None if ot is None else Walk(ot, operation, page_size)


# -- token refreshes ------------------------------------------------------------------------------


class _Refresh:
    __slots__ = ("_hooks", "_otel", "_span", "_started", "_token", "attributes", "grant_type")

    def __init__(
        self,
        ot: OTel | None,
        hooks: list[Hook[RefreshEvent]],
        grant_type: str | None,
        address: str,
    ) -> None:
        self._otel = ot
        self._hooks = hooks
        self.grant_type = grant_type
        self.attributes = {"server.address": address}
        if grant_type is not None:
            self.attributes["upwork.oauth2.grant_type"] = grant_type
        self._span: Any = None
        self._token: object | None = None
        self._started = 0.0

    async def __aenter__(self) -> None:
        self._started = time.perf_counter()
        if self._otel is not None:
            self._span, self._token = self._otel.start(SPAN_REFRESH, self.attributes, client=False)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        elapsed = time.perf_counter() - self._started
        outcome, error_type = _outcome(exc)
        ot = self._otel
        if ot is not None:
            ot.finish(self._span, self._token, {}, error_type, cancelled=outcome == "cancelled")
            metric = {**self.attributes, ATTR_OUTCOME: outcome}
            del metric["server.address"]
            if error_type is not None:
                metric["error.type"] = error_type
            ot.refreshes.add(1, metric)
        if self._hooks and outcome != "cancelled":
            event = RefreshEvent(self.grant_type, elapsed, error_type)
            await dispatch(self._hooks, event, "on_refresh")


def observe_refresh(
    grant_type: str | None, token_url: str, own: Hooks | None
) -> contextlib.AbstractAsyncContextManager[None]:
    """``async with`` around one refresh: its span, its metric, and the ``on_refresh`` hooks of
    ``own`` (the token manager's) and of the call that needed the refresh."""
    hooks: list[Hook[RefreshEvent]] = list(own.on_refresh) if own is not None else []
    current = CURRENT_HOOKS.get()
    if current is not None and current is not own:
        hooks.extend(current.on_refresh)
    ot = otel()
    if ot is None and not hooks:
        return contextlib.nullcontext()
    return _Refresh(ot, hooks, grant_type, urlsplit(token_url).hostname or "")

"""The request loop under the generated client: variables, rate limit, auth, httpx, response.

Each generated method hands its registry entry (:class:`~upwork_gql._operation.Operation`) and
its arguments to :meth:`BaseGraphQLClient._execute_operation`:

1. the variables are validated by pydantic from the generated inputs (:mod:`._variables`);
   nothing is sent when they are wrong;
2. the body is the operation's pre-encoded prefix plus the variables; the shared rate limiter
   paces it; auth (e.g. the OAuth2 ``TokenManager``) applies per request;
3. failures are retried by the one :class:`~upwork_gql._retry.RetryPolicy` (queries on 408/429/5xx,
   connection errors and timeouts; mutations only when the request provably never left);
4. the body is parsed and validated in one pass (:mod:`._response`); HTTP and GraphQL failures
   become the typed exceptions, with secrets and variable values scrubbed;
5. the ``upwork_gql`` logger gets operation, status, attempt, elapsed time and request id, and
   nothing else (no variables, bodies, headers or tokens);
6. when something observes (hooks, or OpenTelemetry imported by the application), each call is
   one span with its metrics and hook events (:mod:`upwork_gql.telemetry`); otherwise that
   costs one check per call.

Per-call options (keyword arguments of every generated method): ``timeout=``, ``max_retries=``,
``extra_headers=`` and ``retry_mutation=``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import operator
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import anyio
import httpx
from pydantic_core import PydanticSerializationError, to_jsonable_python

from upwork_gql._config import check_url, resolve
from upwork_gql._constants import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    REQUEST_ID_HEADER,
    TENANT_HEADER,
    USER_AGENT,
)
from upwork_gql._exceptions import (
    ClientClosedError,
    ConfigurationError,
    InvalidVariablesError,
)
from upwork_gql._operation import Operation, document_kind
from upwork_gql._ratelimit import RateLimiter
from upwork_gql._redact import get_logger
from upwork_gql._response import (
    Scrubber,
    parse_response,
    status_error,
    transport_error,
    where,
)
from upwork_gql._retry import RetryPolicy
from upwork_gql._telemetry import Call, begin_call
from upwork_gql._types import (
    NOT_GIVEN,
    NotGiven,
    RawResponseAccessor,
    ResponseInfo,
    TimeoutTypes,
)
from upwork_gql._variables import cursor_container, prepare_variables, set_cursor

if TYPE_CHECKING:
    from upwork_gql.limits import Limiter
    from upwork_gql.pagination import AsyncPaginator
    from upwork_gql.telemetry import Hooks

__all__ = ["BaseGraphQLClient"]

log: Final = get_logger("upwork_gql")

_SelfT = TypeVar("_SelfT", bound="BaseGraphQLClient")


def _encode_variables(payload: Mapping[str, Any], name: str | None) -> bytes:
    """The variables as compact JSON. JSON has no NaN or infinity: refusing them here is the last
    guard (generated operations refuse them while validating)."""
    try:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        target = f" for operation {name!r}" if name else ""
        raise InvalidVariablesError(
            f"invalid variables{target}: NaN and infinity cannot be sent as JSON ({exc})",
            operation=name,
        ) from None
    return text.encode()


def _make_timeout(value: TimeoutTypes) -> httpx.Timeout:
    timeout = value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)
    if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        raise ConfigurationError("timeouts must be finite (no call may wait forever)")
    return timeout


class _Shared:
    """State shared by a client and every copy made by ``with_tenant`` / ``with_options``."""

    __slots__ = ("closed", "http_client", "owns_http_client", "rate_limiter")

    def __init__(
        self, http_client: httpx.AsyncClient, owns: bool, rate_limiter: Limiter | None
    ) -> None:
        self.http_client = http_client
        self.owns_http_client = owns
        self.rate_limiter = rate_limiter
        self.closed = False


class BaseGraphQLClient:
    """GraphQL over HTTP with typed errors, GraphQL-safe retries, rate limiting and safe logging.

    Args:
        url: the GraphQL endpoint (default: ``UPWORK_API_URL``, else Upwork's).
        headers: extra headers sent with every request.
        http_client: your own ``httpx.AsyncClient`` (proxies, mTLS, ...). Its own headers and
            settings are kept; it is never closed by this client. When omitted, a client is created
            (and closed by :meth:`aclose`).
        auth: an ``httpx.Auth`` applied per request (e.g. the OAuth2 ``TokenManager``). When
            omitted, the http client's own ``auth`` (if any) applies.
        tenant_id: sent as ``X-Upwork-API-TenantId``; no header when ``None``.
        timeout: seconds or ``httpx.Timeout``, always finite. Default: ``DEFAULT_TIMEOUT``, or the
            given http client's timeout when that one is finite.
        max_retries: retries after the first attempt (see :mod:`upwork_gql._retry`).
        rate_limit / max_concurrency: requests per second and in-flight cap of the default
            :class:`RateLimiter` (``None`` disables either; ``rate_limit`` defaults to
            ``UPWORK_RATE_LIMIT``, else 10); ``rate_limiter`` shares one.
        retry_initial_delay / retry_max_delay: exponential backoff bounds (seconds).
        max_retry_after: a ``Retry-After`` up to this many seconds is honoured; a longer one is not
            waited for: the error is raised at once with its ``retry_after``.
        hooks: callbacks observing requests, responses, retries and refreshes
            (:class:`~upwork_gql.telemetry.Hooks`); shared by copies.
        pause_gc: pause CPython's cyclic collector while a response is validated, when it is
            enabled (never enabling one the application disabled); ``False`` leaves it alone.
            See :mod:`upwork_gql._response`.
    """

    def __init__(
        self,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        auth: httpx.Auth | None = None,
        tenant_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: float | None | NotGiven = NOT_GIVEN,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        rate_limiter: Limiter | None = None,
        retry_initial_delay: float = INITIAL_RETRY_DELAY,
        retry_max_delay: float = MAX_RETRY_DELAY,
        max_retry_after: float = MAX_RETRY_AFTER,
        environ: Mapping[str, str] | None = None,
        hooks: Hooks | None = None,
        pause_gc: bool = True,
    ) -> None:
        if isinstance(timeout, NotGiven):
            timeout = DEFAULT_TIMEOUT
            if http_client is not None:
                with contextlib.suppress(ConfigurationError):
                    timeout = _make_timeout(http_client.timeout)
        self.url = resolve("url", url, environ)
        self.headers: dict[str, str] = dict(headers or {})
        self.auth = auth
        self.tenant_id = tenant_id
        self.hooks: Hooks | None = hooks or None  # no hook at all: nothing to call
        self.pause_gc = pause_gc
        self.timeout = _make_timeout(timeout)
        self.retry_policy = RetryPolicy(
            max_retries, retry_initial_delay, retry_max_delay, max_retry_after
        )
        rate: float | None = (
            resolve("rate_limit", None, environ) if isinstance(rate_limit, NotGiven) else rate_limit
        )
        if rate_limiter is None and (rate is not None or max_concurrency is not None):
            rate_limiter = RateLimiter(rate, max_concurrency=max_concurrency)
        owns = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(
                headers={"User-Agent": USER_AGENT}, timeout=self.timeout
            )
        self._shared = _Shared(http_client, owns, rate_limiter)
        self._is_copy = False
        self._rebuild()

    # -- configuration & copies -------------------------------------------------------------

    @property
    def max_retries(self) -> int:
        return self.retry_policy.max_retries

    def _rebuild(self) -> None:
        base = {"Content-Type": "application/json", "Accept": "application/json"}
        base.update(self.headers)
        if self.tenant_id is not None:
            base[TENANT_HEADER] = self.tenant_id
        self._base_headers = base
        self._auth_arg: Any = self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT
        self._secrets: Callable[[str], str] | None = getattr(self.auth, "redact", None)

    @property
    def url(self) -> str:
        """The GraphQL endpoint. Assigning it checks it (an absolute http(s) URL) and the next
        request goes there."""
        return self._url_text

    @url.setter
    def url(self, value: str) -> None:
        self._url_text: str = check_url(value, "url")
        self._url = httpx.URL(value)  # parsed once: httpx would parse a string on every request

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` this client (and its copies) sends through."""
        return self._shared.http_client

    @property
    def rate_limiter(self) -> Limiter | None:
        """The rate limiter shared by this client and its copies."""
        return self._shared.rate_limiter

    def with_options(
        self: _SelfT,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        tenant_id: str | None | NotGiven = NOT_GIVEN,
        retry_initial_delay: float | NotGiven = NOT_GIVEN,
        retry_max_delay: float | NotGiven = NOT_GIVEN,
        max_retry_after: float | NotGiven = NOT_GIVEN,
    ) -> _SelfT:
        """A copy with other defaults, sharing the connection pool, auth and rate limiter.

        Closing a copy does not close the shared pool; close the original client.
        """
        clone = copy.copy(self)
        clone._is_copy = True
        if not isinstance(timeout, NotGiven):
            clone.timeout = _make_timeout(timeout)
        if not isinstance(headers, NotGiven):
            clone.headers = {**self.headers, **headers}
        if not isinstance(tenant_id, NotGiven):
            clone.tenant_id = tenant_id
        policy = self.retry_policy
        clone.retry_policy = RetryPolicy(
            policy.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            policy.initial_delay
            if isinstance(retry_initial_delay, NotGiven)
            else retry_initial_delay,
            policy.max_delay if isinstance(retry_max_delay, NotGiven) else retry_max_delay,
            policy.max_retry_after if isinstance(max_retry_after, NotGiven) else max_retry_after,
        )
        clone._rebuild()
        return clone

    def with_tenant(self: _SelfT, org_id: str | None) -> _SelfT:
        """A copy acting for organization ``org_id`` (``X-Upwork-API-TenantId``), sharing the pool,
        auth and rate limiter. ``None`` removes the header (the user's default organization)."""
        return self.with_options(tenant_id=org_id)

    @property
    def with_raw_response(self) -> RawResponseAccessor:
        """Call an operation and also get status, headers, request id and retries taken."""
        return RawResponseAccessor(self)

    # -- lifecycle ----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool if this client created it (copies never close it)."""
        shared = self._shared
        if self._is_copy or shared.closed:
            return
        shared.closed = True
        if shared.owns_http_client:
            await shared.http_client.aclose()

    async def __aenter__(self: _SelfT) -> _SelfT:
        return self

    async def __aexit__(self, exc_type: object, exc_val: object, exc_tb: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        tenant = f", tenant_id={self.tenant_id!r}" if self.tenant_id is not None else ""
        return f"{type(self).__name__}(url={self.url!r}{tenant})"

    # -- entry points -------------------------------------------------------------------------

    async def _execute_operation(
        self, op: Operation, variables: Mapping[str, Any] | None, **options: Any
    ) -> Any:
        """What every generated method calls: validate, send, parse into the result model."""
        payload = prepare_variables(op, variables)
        return await self._send(op, op.name, op.kind, op.body_prefix(), payload, **options)

    def _paginate(
        self,
        op: Operation,
        variables: Mapping[str, Any] | None,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        after: str | None = None,
        prefetch: bool = False,
        **options: Any,
    ) -> AsyncPaginator[Any, Any]:
        """What every generated ``paginate_*`` method calls (variables validated once, here)."""
        from upwork_gql.pagination import AsyncPaginator

        connection = op.connection
        if connection is None:
            raise TypeError(f"{op.name} is not a paginated operation")
        payload = prepare_variables(op, variables)
        given = cursor_container(payload, connection.cursor_path)
        if after is None and isinstance(given.get("after"), str):
            after = given["after"]
        if page_size is None and isinstance(given.get("first"), int):
            page_size = given["first"]
        prefix = op.body_prefix()
        # One C call from the result to the connection: nothing allocated between validation and
        # the paginator (see AsyncPaginator._release_after_next).
        connection_of: Callable[[Any], Any] = (
            operator.attrgetter(".".join(connection.path)) if connection.path else lambda r: r
        )

        async def fetch(cursor: str | None, first: int) -> Any:
            page_vars = set_cursor(payload, connection.cursor_path, cursor, first)
            return connection_of(
                await self._send(op, op.name, "query", prefix, page_vars, **options)
            )

        paginator: AsyncPaginator[Any, Any] = AsyncPaginator(
            fetch,
            operation=op.name,
            field=connection.root_field,
            page_size=page_size,
            max_items=max_items,
            after=after,
            prefetch=prefetch,
            max_page_size=connection.max_page_size,
        )
        paginator._release_after_next = self.pause_gc
        return paginator

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Any:
        """Send an ad-hoc GraphQL document and return its ``data`` as plain JSON (dicts, lists).

        The result is never validated against a generated model: use the generated methods for
        typed results. A mutation (or a document whose kind cannot be told) is retried only
        when the request provably never left, unless ``retry_mutation=True``. Spans and hook
        events name it ``operation_name``, else the one operation the document names.
        """
        try:
            payload = to_jsonable_python(dict(variables or {}), by_alias=True)
        except PydanticSerializationError as exc:
            raise InvalidVariablesError(
                f"invalid variables: not JSON-serializable ({exc})", operation=operation_name
            ) from None
        prefix = (
            f'{{"query":{json.dumps(query, ensure_ascii=False)},'
            f'"operationName":{json.dumps(operation_name)},"variables":'
        ).encode()
        kind = document_kind(query, operation_name)
        return await self._send(
            None, operation_name, kind, prefix, payload, _document=query, **options
        )

    # -- the request loop ---------------------------------------------------------------------

    async def _send(
        self,
        op: Operation | None,
        name: str | None,
        kind: str,
        prefix: bytes,
        payload: Mapping[str, Any],
        *,
        _document: str | None = None,
        **options: Any,
    ) -> Any:
        call = begin_call(self.hooks, name, kind, self._url, _document)
        if call is None:  # nothing observes: no span, no hooks, no cost
            return await self._request(op, name, kind, prefix, payload, None, **options)
        with call:
            return await self._request(op, name, kind, prefix, payload, call, **options)

    async def _request(
        self,
        op: Operation | None,
        name: str | None,
        kind: str,
        prefix: bytes,
        payload: Mapping[str, Any],
        call: Call | None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,  # noqa: ASYNC109 (httpx timeout per call)
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        retry_mutation: bool = False,
        _response_hook: Callable[[ResponseInfo], Any] | None = None,
    ) -> Any:
        shared = self._shared
        if shared.closed:
            raise ClientClosedError(
                f"the client is closed (aclose() was called){where(name, None)}"
            )
        body = prefix + _encode_variables(payload, name)
        headers = self._base_headers
        if extra_headers:
            headers = {**headers, **extra_headers}
        request = shared.http_client.build_request(
            "POST",
            self._url,
            content=body + b"}",
            headers=headers,
            timeout=self.timeout if isinstance(timeout, NotGiven) else _make_timeout(timeout),
        )
        policy = self.retry_policy
        retries = policy.max_retries if isinstance(max_retries, NotGiven) else max_retries
        idempotent = kind == "query" or retry_mutation
        limiter = shared.rate_limiter
        scrub = Scrubber(payload, self._secrets)
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            error: httpx.TransportError | None = None
            t0 = time.perf_counter()
            if limiter is not None:
                acquire_request = getattr(limiter, "acquire_request", None)
                if acquire_request is not None:  # pacing and slot as one step
                    await acquire_request()
                else:
                    await limiter.acquire()
                    await limiter.acquire_slot()
                if call is not None:
                    call.waited(time.perf_counter() - t0)
            try:
                if call is not None:
                    await call.request(attempt)
                response = await shared.http_client.send(request, auth=self._auth_arg)
            except httpx.TransportError as exc:
                error = exc
            finally:
                if limiter is not None:
                    limiter.release_slot()
            if call is not None:
                await call.response(attempt, response, error)
            if log.isEnabledFor(logging.DEBUG):
                outcome = (
                    f"status={response.status_code} "
                    f"request_id={response.headers.get(REQUEST_ID_HEADER)}"
                    if response is not None
                    else f"error={type(error).__name__}"
                )
                log.debug(
                    "%s attempt=%d %s elapsed=%.3fs",
                    name,
                    attempt,
                    outcome,
                    time.perf_counter() - t0,
                )
            if response is not None and response.is_success:
                break
            delay = None
            if policy.should_retry(idempotent=idempotent, response=response, error=error):
                delay = policy.delay(
                    attempt - 1, response.headers if response is not None else None
                )
            if delay is None or attempt > retries:
                if response is not None:
                    raise status_error(response, name, scrub)
                raise transport_error(error, name, scrub) from error
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s retrying in %.2fs (attempt %d of %d, %s)",
                    name,
                    delay,
                    attempt,
                    retries + 1,
                    f"status={response.status_code}"
                    if response is not None
                    else type(error).__name__,
                )
            if call is not None:
                await call.retry(attempt, response, error, delay)
            await anyio.sleep(delay)

        if response.is_closed:
            # httpx binds each response's stream to the response (a reference cycle). The body is
            # read: swap in a plain stream so the response is freed as soon as it is dropped.
            response.stream = httpx.ByteStream(response.content)
        data = parse_response(response, op, name, scrub, pause_gc=self.pause_gc)
        if _response_hook is not None:
            _response_hook(
                ResponseInfo(
                    operation=name,
                    status_code=response.status_code,
                    headers=response.headers,
                    request_id=response.headers.get(REQUEST_ID_HEADER),
                    retries_taken=attempt - 1,
                    elapsed=time.perf_counter() - started,
                    http_response=response,
                )
            )
        return data

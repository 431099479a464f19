"""The hand-written runtime under the generated client: send, retry, map errors, log.

ariadne-codegen generates ``GeneratedClient(AsyncBaseClient)`` whose methods look like::

    response = await self.execute(query=..., operation_name="contract", variables=..., **kwargs)
    data = self.get_data(response)
    return Contract.model_validate(data)

:class:`BaseGraphQLClient` implements ``execute`` and ``get_data`` so that, for every generated
method:

* the variables are checked against the operation's variable definitions (parsed once per document
  with graphql-core; no schema is loaded) and :class:`InvalidVariablesError` is raised before any
  request is sent; ``UNSET`` optional arguments are dropped, input models dumped by alias;
* queries are retried on 408/429/5xx, connection errors and timeouts with exponential backoff and
  jitter, honouring ``Retry-After`` up to a cap; mutations only on connect-phase errors (the request
  provably never left) or when the call passes ``retry_mutation=True``;
* a shared :class:`~upwork_gql._ratelimit.RateLimiter` paces requests and caps concurrency;
* the body is parsed *and* validated in one pass from bytes (``model_validate_json`` on an envelope
  ``{data: <result model>, errors}``), so ``get_data`` hands the generated method an already
  validated model (``Model.model_validate(instance)`` returns the instance unchanged), with the
  cyclic garbage collector kept out of that call (see :func:`_validate_json`);
* HTTP statuses, GraphQL ``errors`` and malformed bodies become the typed exceptions of
  :mod:`upwork_gql._exceptions`, each carrying the operation name and the request id;
* the ``upwork_gql`` logger gets operation, status, attempt, elapsed time and request id, and
  nothing else (no variables, bodies, headers or tokens).

Per-call options arrive through the generated methods' ``**kwargs``: ``timeout=``,
``max_retries=``, ``extra_headers=`` and ``retry_mutation=``.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import gc
import inspect
import json
import logging
import math
import random
import re
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Generic, ParamSpec, TypeVar

import anyio
import httpx
from pydantic import BaseModel, ValidationError, create_model
from pydantic_core import PydanticSerializationError, to_jsonable_python

from upwork_gql._constants import (
    DEFAULT_API_URL,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RATE_LIMIT_PER_SECOND,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    REQUEST_ID_HEADER,
    RETRYABLE_STATUS_CODES,
    TENANT_HEADER,
    USER_AGENT,
)
from upwork_gql._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GraphQLError,
    GraphQLValidationError,
    InternalServerError,
    InvalidResponseError,
    InvalidVariablesError,
    MissingScopeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseValidationError,
)
from upwork_gql._ratelimit import RateLimiter
from upwork_gql._retry_after import parse_retry_after

__all__ = [
    "NOT_GIVEN",
    "BaseGraphQLClient",
    "GraphQLResponse",
    "NotGiven",
    "RawResponse",
    "ResponseInfo",
]

log: Final = logging.getLogger("upwork_gql")

T = TypeVar("T")
P = ParamSpec("P")
_SelfT = TypeVar("_SelfT", bound="BaseGraphQLClient")

_RETRYABLE_STATUS: Final = RETRYABLE_STATUS_CODES
# Errors raised before a single byte of the request left this process: safe to retry anything.
_NEVER_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_EXCERPT_LEN: Final = 200
_DOC_CACHE_MAX: Final = 1024
_INT_MIN: Final = -(2**31)
_INT_MAX: Final = 2**31 - 1
_SCOPE_RE: Final = re.compile(
    r"doesn't have enough oauth2 permissions/scopes to access:?\s*"
    r"(?:\[(?P<list>[^\]]*)\]|(?P<rest>.*))",
    re.IGNORECASE | re.DOTALL,
)


class NotGiven:
    """Sentinel for "argument not given" where ``None`` means something."""

    _instance: ClassVar[NotGiven | None] = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

TimeoutTypes = float | httpx.Timeout


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What came back for one call: status, headers, request id, retries taken, elapsed time."""

    operation: str | None
    status_code: int
    headers: httpx.Headers
    request_id: str | None
    retries_taken: int
    elapsed: float
    http_response: httpx.Response


@dataclass(frozen=True, slots=True)
class RawResponse(Generic[T]):
    """A parsed result together with the :class:`ResponseInfo` of the call that produced it."""

    parsed: T
    info: ResponseInfo

    @property
    def status_code(self) -> int:
        return self.info.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.info.headers

    @property
    def request_id(self) -> str | None:
        return self.info.request_id

    @property
    def retries_taken(self) -> int:
        return self.info.retries_taken

    @property
    def elapsed(self) -> float:
        return self.info.elapsed

    @property
    def http_response(self) -> httpx.Response:
        return self.info.http_response


@dataclass(frozen=True, slots=True)
class GraphQLResponse:
    """What :meth:`BaseGraphQLClient.execute` returns.

    ``data`` is the validated result model when the operation belongs to a generated method of the
    client, else the ``data`` dict of the response.
    """

    data: Any
    info: ResponseInfo


class RawResponseAccessor:
    """``client.with_raw_response``: call an operation and get a :class:`RawResponse`.

    Typed form: ``await client.with_raw_response(client.contract, id="1")``.
    Short form: ``await client.with_raw_response.contract(id="1")`` (result typed as ``Any``).
    Safe under concurrency: each call gets its own response record, nothing is stored on the client.
    """

    __slots__ = ("_client",)

    def __init__(self, client: BaseGraphQLClient) -> None:
        self._client = client

    async def __call__(
        self, method: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> RawResponse[T]:
        infos: list[ResponseInfo] = []
        kwargs["_response_hook"] = infos.append
        parsed = await method(*args, **kwargs)
        if not infos:
            raise TypeError("with_raw_response expects an operation method of an UpworkClient")
        return RawResponse(parsed=parsed, info=infos[-1])

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return await self(method, *args, **kwargs)

        return call


# --------------------------------------------------------------------------------------------
# Operations: parsed once per document, variables checked without the schema
# --------------------------------------------------------------------------------------------

_Converter = Callable[[Any, str], Any]


class _VariableError(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is_unset(value: Any) -> bool:
    # ariadne-codegen's generated ``UNSET`` (``base_model.UnsetType``); each generated package has
    # its own class, so compare by name.
    return type(value).__name__ == "UnsetType"


def _expect(expected: str, value: Any, path: str) -> _VariableError:
    return _VariableError(path, f"expected {expected}, got {_type_name(value)}")


def _conv_id(value: Any, path: str) -> Any:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _expect("ID (str)", value, path)


def _conv_int(value: Any, path: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if _INT_MIN <= value <= _INT_MAX:
            return value
        raise _VariableError(path, "Int out of the 32-bit range")
    raise _expect("Int (int)", value, path)


def _conv_float(value: Any, path: str) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise _VariableError(path, "Float must be finite")
        return value
    raise _expect("Float (float)", value, path)


def _conv_instance(py_type: type, expected: str) -> _Converter:
    def convert(value: Any, path: str) -> Any:
        if isinstance(value, py_type):
            return value
        raise _expect(expected, value, path)

    return convert


def _conv_any(value: Any, path: str) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    try:
        return to_jsonable_python(value, by_alias=True)
    except PydanticSerializationError:
        raise _VariableError(path, f"cannot serialize {_type_name(value)} to JSON") from None


_SCALARS: Final[dict[str, _Converter]] = {
    "ID": _conv_id,
    "String": _conv_instance(str, "String (str)"),
    "Int": _conv_int,
    "Float": _conv_float,
    "Boolean": _conv_instance(bool, "Boolean (bool)"),
}


def _enum_converter(name: str, cls: type[enum.Enum]) -> _Converter:
    values = frozenset(str(member.value) for member in cls)

    def convert(value: Any, path: str) -> Any:
        if isinstance(value, cls):
            return value.value
        if isinstance(value, str) and value in values:
            return value
        if isinstance(value, str):
            raise _VariableError(path, f"not a value of enum {name}")
        raise _expect(f"{name} ({cls.__name__})", value, path)

    return convert


def _input_converter(name: str, cls: type[BaseModel]) -> _Converter:
    def convert(value: Any, path: str) -> Any:
        if not isinstance(value, cls):
            if not isinstance(value, Mapping):
                raise _expect(f"{name} ({cls.__name__} or a dict)", value, path)
            try:
                value = cls.model_validate(value)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                    for err in exc.errors(include_url=False, include_input=False)[:5]
                )
                raise _VariableError(path, f"invalid {name}: {problems}") from None
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)

    return convert


def _compile_type(node: Any, types: Mapping[str, type]) -> _Converter:
    from graphql.language import NonNullTypeNode

    if isinstance(node, NonNullTypeNode):
        inner = _compile_nullable(node.type, types)

        def non_null(value: Any, path: str) -> Any:
            if value is None or _is_unset(value):
                raise _VariableError(path, "must not be null")
            return inner(value, path)

        return non_null
    inner = _compile_nullable(node, types)

    def nullable(value: Any, path: str) -> Any:
        return None if value is None else inner(value, path)

    return nullable


def _compile_nullable(node: Any, types: Mapping[str, type]) -> _Converter:
    from graphql.language import ListTypeNode

    if isinstance(node, ListTypeNode):
        item = _compile_type(node.type, types)

        def list_of(value: Any, path: str) -> Any:
            if not isinstance(value, list | tuple):
                raise _expect("a list", value, path)
            return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]

        return list_of
    name: str = node.name.value
    scalar = _SCALARS.get(name)
    if scalar is not None:
        return scalar
    cls = types.get(name)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        return _enum_converter(name, cls)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return _input_converter(name, cls)
    return _conv_any  # custom scalar (DateTime, ...) or a type this client does not know


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str
    type_str: str
    required: bool  # non-null without a default: must be given
    convert: _Converter


@dataclass(frozen=True, slots=True)
class _Operation:
    name: str | None
    is_mutation: bool
    variables: dict[str, _Variable]
    checked: bool = True  # False: the document could not be analysed; variables pass through
    prefix: bytes = b""  # the request body up to the variables, encoded once


def _parse_operation(
    document: str, operation_name: str | None, types: Mapping[str, type]
) -> _Operation:
    from graphql.language import NonNullTypeNode, OperationDefinitionNode, OperationType, print_ast
    from graphql.language import parse as gql_parse

    try:
        ast = gql_parse(document, no_location=True)
    except Exception:
        # Not our job to validate documents: the server will say what is wrong. Unknown kind is
        # treated as a mutation (never retried).
        return _Operation(name=operation_name, is_mutation=True, variables={}, checked=False)
    ops = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        ops = [o for o in ops if o.name is not None and o.name.value == operation_name]
    if len(ops) != 1:
        return _Operation(name=operation_name, is_mutation=True, variables={}, checked=False)
    op = ops[0]
    variables: dict[str, _Variable] = {}
    for definition in op.variable_definitions or ():
        var_name = definition.variable.name.value
        variables[var_name] = _Variable(
            name=var_name,
            type_str=print_ast(definition.type),
            required=isinstance(definition.type, NonNullTypeNode)
            and definition.default_value is None,
            convert=_compile_type(definition.type, types),
        )
    return _Operation(
        name=op.name.value if op.name else operation_name,
        is_mutation=op.operation is not OperationType.QUERY,
        variables=variables,
    )


def _normalize(name: str) -> str:
    return name.replace("_", "").lower()


class _ClassState:
    """Everything derived from a client class once: type registry, result models, documents."""

    def __init__(self, cls: type) -> None:
        self.types: dict[str, type] = {}
        self.result_models: dict[str, type[BaseModel]] = {}
        # Input types and enums of the variables are imported by the generated client's module.
        # The most derived class's module wins a name clash.
        for klass in cls.__mro__:
            module = sys.modules.get(klass.__module__)
            for obj in vars(module).values() if module is not None else ():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, BaseModel | enum.Enum)
                    and obj not in (BaseModel, enum.Enum)
                ):
                    self.types.setdefault(obj.__name__, obj)
        # Result model of each operation method, from its return annotation.
        for klass in cls.__mro__:
            for attr, fn in vars(klass).items():
                if attr.startswith("_") or not inspect.iscoroutinefunction(fn):
                    continue
                ret = fn.__annotations__.get("return")
                if isinstance(ret, str):
                    try:
                        ret = inspect.get_annotations(fn, eval_str=True).get("return")
                    except Exception:
                        ret = None
                if isinstance(ret, type) and issubclass(ret, BaseModel):
                    self.result_models.setdefault(_normalize(attr), ret)
        self.operations: dict[tuple[str, str | None], _Operation] = {}
        self.envelopes: dict[str | None, type[BaseModel] | None] = {}
        self.by_operation: dict[str | None, type[BaseModel] | None] = {}

    def operation(self, document: str, operation_name: str | None) -> _Operation:
        key = (document, operation_name)
        op = self.operations.get(key)
        if op is None:
            if len(self.operations) >= _DOC_CACHE_MAX:
                self.operations.clear()
            op = _parse_operation(document, operation_name, self.types)
            prefix = (
                f'{{"query":{json.dumps(document, ensure_ascii=False)},'
                f'"operationName":{json.dumps(op.name, ensure_ascii=False)},"variables":'
            ).encode()
            op = self.operations[key] = dataclasses.replace(op, prefix=prefix)
        return op

    def result_model(self, operation_name: str | None) -> type[BaseModel] | None:
        try:
            return self.by_operation[operation_name]
        except KeyError:
            pass
        model = self.result_models.get(_normalize(operation_name)) if operation_name else None
        self.by_operation[operation_name] = model
        return model

    def envelope(self, operation_name: str | None) -> type[BaseModel] | None:
        try:
            return self.envelopes[operation_name]
        except KeyError:
            pass
        model = self.result_model(operation_name)
        envelope: type[BaseModel] | None = None
        if model is not None:
            envelope = create_model(
                f"{model.__name__}Envelope",
                data=(model, ...),
                errors=(list[dict[str, Any]] | None, None),
            )
        self.envelopes[operation_name] = envelope
        return envelope


_CLASS_STATES: dict[type, _ClassState] = {}


def _class_state(cls: type) -> _ClassState:
    state = _CLASS_STATES.get(cls)
    if state is None:
        state = _CLASS_STATES[cls] = _ClassState(cls)
    return state


# --------------------------------------------------------------------------------------------
# Helpers for responses
# --------------------------------------------------------------------------------------------


def _excerpt(content: bytes) -> str:
    text = content[: _EXCERPT_LEN * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_LEN else text[: _EXCERPT_LEN - 1] + "…"


def _request_id(response: httpx.Response) -> str | None:
    value: str | None = response.headers.get(REQUEST_ID_HEADER)
    return value


def _secret_strings(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        if len(value) >= 4:
            out.add(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            _secret_strings(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _secret_strings(v, out)


def _redact(text: str, variables: Mapping[str, Any] | None) -> str:
    """Hide variable values a server may echo in its messages (they are caller data)."""
    if not variables:
        return text
    values: set[str] = set()
    _secret_strings(variables, values)
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, "***")
    return text


def _where(operation: str | None, request_id: str | None) -> str:
    parts = []
    if operation:
        parts.append(f"operation {operation!r}")
    if request_id:
        parts.append(f"request id {request_id}")
    return f" ({', '.join(parts)})" if parts else ""


_STATUS_CLASSES: Final[dict[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    429: RateLimitError,
}


def _status_error(
    response: httpx.Response, operation: str | None, variables: Mapping[str, Any] | None
) -> APIStatusError:
    status = response.status_code
    request_id = _request_id(response)
    content = response.content
    detail = ""
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            detail = str(errors[0].get("message", ""))
        elif isinstance(body.get("message"), str):
            detail = body["message"]
        elif isinstance(body.get("error_description"), str):
            detail = body["error_description"]
        elif isinstance(body.get("error"), str):
            detail = body["error"]
    excerpt = _redact(_excerpt(content), variables)
    reason = response.reason_phrase or ""
    message = f"HTTP {status} {reason}".rstrip()
    if detail:
        message += f": {_redact(detail[:_EXCERPT_LEN], variables)}"
    message += _where(operation, request_id)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "headers": response.headers,
        "body_excerpt": excerpt,
        "operation": operation,
        "request_id": request_id,
    }
    if status == 429:
        return RateLimitError(message, retry_after=parse_retry_after(response.headers), **kwargs)
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    return cls(message, **kwargs)


def _validation_paths(exc: ValidationError) -> list[str]:
    paths = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = list(err["loc"])
        if loc and loc[0] == "data":
            loc = loc[1:]
        path = ".".join(str(p) for p in loc) or "<root>"
        paths.append(f"{path}: {err['msg']}")
    return paths


def _response_validation_error(
    exc: ValidationError, operation: str | None, request_id: str | None
) -> ResponseValidationError:
    paths = _validation_paths(exc)
    shown = "; ".join(paths[:5]) + (f"; and {len(paths) - 5} more" if len(paths) > 5 else "")
    return ResponseValidationError(
        f"response does not match the generated models: {shown}{_where(operation, request_id)}",
        paths=paths,
        operation=operation,
        request_id=request_id,
    )


def _graphql_error(
    errors: list[Any],
    data: Any,
    operation: str | None,
    request_id: str | None,
    variables: Mapping[str, Any] | None,
) -> GraphQLError:
    dict_errors = [e if isinstance(e, dict) else {"message": str(e)} for e in errors]
    messages = [_redact(str(e.get("message", "")), variables) for e in dict_errors]
    where = _where(operation, request_id)
    common: dict[str, Any] = {
        "errors": dict_errors,
        "data": data,
        "operation": operation,
        "request_id": request_id,
    }
    fields: list[str] = []
    for message in messages:
        match = _SCOPE_RE.search(message)
        if match:
            raw = match.group("list") if match.group("list") is not None else match.group("rest")
            fields.extend(f.strip().rstrip(".") for f in raw.split(",") if f.strip().rstrip("."))
    if fields:
        return MissingScopeError(
            f"the token lacks the OAuth2 scopes to access: {', '.join(fields)}{where}",
            fields=fields,
            **common,
        )

    def classification(error: Mapping[str, Any]) -> Any:
        ext = error.get("extensions")
        return ext.get("classification") if isinstance(ext, dict) else None

    text = "; ".join(m for m in messages if m) or "unknown GraphQL error"
    if all(classification(e) == "ValidationError" for e in dict_errors):
        locations = [
            loc for e in dict_errors for loc in (e.get("locations") or []) if isinstance(loc, dict)
        ]
        return GraphQLValidationError(
            f"the server rejected the document: {text}{where}", locations=locations, **common
        )
    return GraphQLError(f"GraphQL error: {text}{where}", **common)


def _validate_json(envelope: type[BaseModel], content: bytes) -> BaseModel:
    """``envelope.model_validate_json(content)``, with no collector run in the middle of it.

    CPython collects the young generation every ~700 net allocations of tracked objects and,
    every tenth time, the middle one too; whatever the middle generation holds then is promoted
    to the old generation, and each ~25 % growth of that costs a full collection over the whole
    heap. ``json.loads`` builds mostly untracked objects; a validated page of 50 job postings is
    ~1,800 tracked ones (per object of the response: the model, its fields set, often its
    ``__dict__``). Left alone, the collector runs two or three times inside each page's
    validation, and whenever one of those is a middle-generation collection it promotes the
    half-built page: in a walk, that was most of the collector's cost.

    So: a middle-generation collection that is due is run first, before the page exists (it is
    only brought forward); validation then runs with the collector paused; the collection this
    postpones happens at the next allocation as a young-generation one, which moves the page
    to the middle generation, whence it is freed when dropped. The pause covers one synchronous
    call that never awaits (only the generated models' own validators run inside it), and is
    skipped when the collector is off or its thresholds disable it, so a caller's
    ``gc.disable()`` stands.
    """
    threshold0, threshold1, _ = gc.get_threshold()
    if not threshold0 or not gc.isenabled():
        return envelope.model_validate_json(content)
    if gc.get_count()[1] >= threshold1:
        gc.collect(1)
    gc.disable()
    try:
        return envelope.model_validate_json(content)
    finally:
        gc.enable()


def _make_timeout(value: TimeoutTypes) -> httpx.Timeout:
    timeout = value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)
    if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        raise ConfigurationError("timeouts must be finite (no call may wait forever)")
    return timeout


class _Shared:
    """State shared by a client and every copy made by ``with_tenant`` / ``with_options``."""

    __slots__ = ("closed", "http_client", "owns_http_client", "rate_limiter")

    def __init__(
        self, http_client: httpx.AsyncClient, owns: bool, rate_limiter: RateLimiter | None
    ) -> None:
        self.http_client = http_client
        self.owns_http_client = owns
        self.rate_limiter = rate_limiter
        self.closed = False


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class BaseGraphQLClient:
    """GraphQL over HTTP with typed errors, GraphQL-safe retries, rate limiting and safe logging.

    Args:
        url: the GraphQL endpoint.
        headers: extra headers sent with every request.
        http_client: your own ``httpx.AsyncClient`` (proxies, mTLS, ...). Its own headers and
            settings are kept; it is never closed by this client. When omitted, a client is created
            (and closed by :meth:`aclose`).
        auth: an ``httpx.Auth`` applied per request (e.g. the OAuth2 ``TokenManager``). When
            omitted, the http client's own ``auth`` (if any) applies.
        tenant_id: sent as ``X-Upwork-API-TenantId``; no header when ``None``.
        timeout: seconds or ``httpx.Timeout``, always finite. Default: ``DEFAULT_TIMEOUT``, or the
            given http client's timeout when that one is finite.
        max_retries: retries after the first attempt (queries; see the module docstring).
        rate_limit / max_concurrency: requests per second and in-flight cap of the default
            :class:`RateLimiter` (``None`` disables either); ``rate_limiter`` shares one.
        retry_initial_delay / retry_max_delay: exponential backoff bounds (seconds).
        max_retry_after: a ``Retry-After`` up to this many seconds is honoured; a longer one is not
            waited for: the error is raised at once with its ``retry_after``.
    """

    def __init__(
        self,
        url: str = DEFAULT_API_URL,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        auth: httpx.Auth | None = None,
        tenant_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: float | None = DEFAULT_RATE_LIMIT_PER_SECOND,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        rate_limiter: RateLimiter | None = None,
        retry_initial_delay: float = INITIAL_RETRY_DELAY,
        retry_max_delay: float = MAX_RETRY_DELAY,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        if max_retries < 0:
            raise ConfigurationError("max_retries must be >= 0")
        if isinstance(timeout, NotGiven):
            if http_client is not None:
                try:
                    timeout = _make_timeout(http_client.timeout)
                except ConfigurationError:
                    timeout = DEFAULT_TIMEOUT
            else:
                timeout = DEFAULT_TIMEOUT
        self.url = url
        self._parsed_url: tuple[str, httpx.URL] | None = None
        self.headers: dict[str, str] = dict(headers or {})
        self.auth = auth
        self.tenant_id = tenant_id
        self.timeout = _make_timeout(timeout)
        self.max_retries = max_retries
        self.retry_initial_delay = retry_initial_delay
        self.retry_max_delay = retry_max_delay
        self.max_retry_after = max_retry_after
        if rate_limiter is None and (rate_limit is not None or max_concurrency is not None):
            rate_limiter = RateLimiter(rate_limit, max_concurrency=max_concurrency)
        owns = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(
                headers={"User-Agent": USER_AGENT}, timeout=self.timeout
            )
        self._shared = _Shared(http_client, owns, rate_limiter)
        self._is_copy = False
        self._state = _class_state(type(self))
        self._rebuild_headers()

    # -- configuration & copies -------------------------------------------------------------

    def _rebuild_headers(self) -> None:
        base = {"Content-Type": "application/json", "Accept": "application/json"}
        base.update(self.headers)
        if self.tenant_id is not None:
            base[TENANT_HEADER] = self.tenant_id
        self._base_headers = base
        self._auth_arg: Any = self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` this client (and its copies) sends through."""
        return self._shared.http_client

    @property
    def rate_limiter(self) -> RateLimiter | None:
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
        if not isinstance(max_retries, NotGiven):
            if max_retries < 0:
                raise ConfigurationError("max_retries must be >= 0")
            clone.max_retries = max_retries
        if not isinstance(headers, NotGiven):
            clone.headers = {**self.headers, **headers}
        if not isinstance(tenant_id, NotGiven):
            clone.tenant_id = tenant_id
        if not isinstance(retry_initial_delay, NotGiven):
            clone.retry_initial_delay = retry_initial_delay
        if not isinstance(retry_max_delay, NotGiven):
            clone.retry_max_delay = retry_max_delay
        if not isinstance(max_retry_after, NotGiven):
            clone.max_retry_after = max_retry_after
        clone._rebuild_headers()
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

    # -- the request path -----------------------------------------------------------------------

    def _check_variables(
        self, op: _Operation, variables: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not op.checked:
            for name, value in (variables or {}).items():
                if not _is_unset(value):
                    try:
                        out[name] = _conv_any(value, "")
                    except _VariableError as exc:
                        raise InvalidVariablesError(
                            f"invalid variables: ${name}: {exc.problem}", operation=op.name
                        ) from None
            return out
        specs = op.variables
        problem: str | None = None
        if variables:
            for name, value in variables.items():
                if _is_unset(value):
                    continue
                spec = specs.get(name)
                if spec is None:
                    problem = f"${name} is not declared by the operation"
                    break
                try:
                    out[name] = spec.convert(value, "")
                except _VariableError as exc:
                    problem = f"${name}{exc.path} ({spec.type_str}): {exc.problem}"
                    break
        if problem is None:
            for spec in specs.values():
                if spec.required and spec.name not in out:
                    problem = f"missing required ${spec.name} ({spec.type_str})"
                    break
        if problem is not None:
            where = f"operation {op.name!r}" if op.name else "the operation"
            raise InvalidVariablesError(
                f"invalid variables for {where}: {problem}", operation=op.name
            )
        return out

    def _retry_delay(self, retries_taken: int, response: httpx.Response | None) -> float | None:
        """Seconds to sleep before the next attempt, or None when the server asks for too long."""
        if response is not None:
            retry_after = parse_retry_after(response.headers)
            if retry_after is not None:
                return retry_after if retry_after <= self.max_retry_after else None
        delay = min(self.retry_initial_delay * (2.0**retries_taken), self.retry_max_delay)
        return delay * (1.0 - 0.25 * random.random())

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,  # noqa: ASYNC109 (httpx timeout per call)
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        retry_mutation: bool = False,
        _response_hook: Callable[[ResponseInfo], Any] | None = None,
    ) -> GraphQLResponse:
        """Send one GraphQL operation and return its validated data (see the module docstring)."""
        state = self._state
        op = state.operation(query, operation_name)
        name = op.name
        payload_vars = self._check_variables(op, variables)
        body = (
            op.prefix
            + json.dumps(payload_vars, separators=(",", ":"), ensure_ascii=False).encode()
            + b"}"
        )
        headers = self._base_headers
        if extra_headers:
            headers = {**headers, **extra_headers}
        request_timeout = self.timeout if isinstance(timeout, NotGiven) else _make_timeout(timeout)
        retries = self.max_retries if isinstance(max_retries, NotGiven) else max_retries
        retry_anything = not op.is_mutation or retry_mutation
        shared = self._shared
        http_client = shared.http_client
        limiter = shared.rate_limiter
        auth = self._auth_arg
        debug = log.isEnabledFor(logging.DEBUG)

        url = self.url
        parsed_url = self._parsed_url
        if parsed_url is None or parsed_url[0] is not url:
            # httpx parses a URL string on every request; parse it once per value.
            parsed_url = self._parsed_url = (url, httpx.URL(url))
        request = http_client.build_request(
            "POST", parsed_url[1], content=body, headers=headers, timeout=request_timeout
        )
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            error: httpx.TransportError | None = None
            t0 = time.perf_counter()
            if limiter is not None:
                await limiter.acquire()
                await limiter.acquire_slot()
            try:
                response = await http_client.send(request, auth=auth)
            except httpx.TransportError as exc:
                error = exc
            finally:
                if limiter is not None:
                    limiter.release_slot()
            elapsed = time.perf_counter() - t0

            if response is not None:
                status = response.status_code
                if debug:
                    log.debug(
                        "%s attempt=%d status=%d elapsed=%.3fs request_id=%s",
                        name,
                        attempt,
                        status,
                        elapsed,
                        response.headers.get(REQUEST_ID_HEADER),
                    )
                if 200 <= status < 300:
                    break
                can_retry = retry_anything and status in _RETRYABLE_STATUS
            else:
                assert error is not None
                if debug:
                    log.debug(
                        "%s attempt=%d error=%s elapsed=%.3fs",
                        name,
                        attempt,
                        type(error).__name__,
                        elapsed,
                    )
                can_retry = retry_anything or isinstance(error, _NEVER_SENT_ERRORS)
            delay = self._retry_delay(attempt - 1, response) if can_retry else None
            if delay is None or attempt > retries:
                if response is not None:
                    raise _status_error(response, name, payload_vars)
                assert error is not None
                what = type(error).__name__
                detail = _redact(str(error)[:_EXCERPT_LEN], payload_vars)
                if detail:
                    what = f"{what}: {detail}"
                where = _where(name, None)
                if isinstance(error, httpx.TimeoutException):
                    raise APITimeoutError(
                        f"request timed out ({what}){where}", operation=name
                    ) from error
                raise APIConnectionError(
                    f"connection error ({what}){where}", operation=name
                ) from error
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
            await anyio.sleep(delay)

        assert response is not None
        if response.is_closed:
            # httpx binds the stream of each response to the response itself (a reference
            # cycle). Once the body is read and the response closed, swap in a plain stream of
            # the body, so the response and its body are freed as soon as they are dropped
            # instead of waiting for the cyclic collector.
            response.stream = httpx.ByteStream(response.content)
        data = self._parse(response, name, payload_vars)
        info = ResponseInfo(
            operation=name,
            status_code=response.status_code,
            headers=response.headers,
            request_id=response.headers.get(REQUEST_ID_HEADER),
            retries_taken=attempt - 1,
            elapsed=time.perf_counter() - started,
            http_response=response,
        )
        if _response_hook is not None:
            _response_hook(info)
        return GraphQLResponse(data=data, info=info)

    def _parse(
        self, response: httpx.Response, name: str | None, variables: Mapping[str, Any]
    ) -> Any:
        content = response.content
        envelope = self._state.envelope(name)
        if envelope is not None:
            # Fast path: parse and validate in one pass from bytes.
            try:
                parsed = _validate_json(envelope, content)
            except ValidationError:
                pass
            else:
                errors: list[Any] | None = parsed.errors  # type: ignore[attr-defined]
                if not errors:
                    return parsed.data  # type: ignore[attr-defined]
                raise _graphql_error(
                    errors,
                    parsed.data,  # type: ignore[attr-defined]
                    name,
                    response.headers.get(REQUEST_ID_HEADER),
                    variables,
                )
        request_id = response.headers.get(REQUEST_ID_HEADER)
        try:
            body = json.loads(content)
        except ValueError:
            what = "an empty body" if not content.strip() else "a body that is not JSON"
            excerpt = _redact(_excerpt(content), variables)
            raise InvalidResponseError(
                f"HTTP {response.status_code} with {what}{_where(name, request_id)}: {excerpt!r}",
                status_code=response.status_code,
                body_excerpt=excerpt,
                operation=name,
                request_id=request_id,
            ) from None
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise InvalidResponseError(
                f"HTTP {response.status_code} with JSON that is not a GraphQL response "
                f"(no data, no errors){_where(name, request_id)}",
                status_code=response.status_code,
                body_excerpt=_redact(_excerpt(content), variables),
                operation=name,
                request_id=request_id,
            )
        data = body.get("data")
        errors = body.get("errors")
        model = self._state.result_model(name)
        if errors:
            if not isinstance(errors, list):
                errors = [errors]
            typed = data
            if data is not None and model is not None:
                try:
                    typed = model.model_validate(data)
                except ValidationError:
                    typed = data
            raise _graphql_error(errors, typed, name, request_id, variables)
        if data is None:
            raise InvalidResponseError(
                f"HTTP {response.status_code}: the response has neither data nor errors"
                f"{_where(name, request_id)}",
                status_code=response.status_code,
                body_excerpt=_redact(_excerpt(content), variables),
                operation=name,
                request_id=request_id,
            )
        if model is not None:
            try:
                return model.model_validate(data)
            except ValidationError as exc:
                raise _response_validation_error(exc, name, request_id) from exc
        return data

    def get_data(self, response: GraphQLResponse) -> Any:
        """The generated methods' second step: the (already validated) data of the response."""
        return response.data

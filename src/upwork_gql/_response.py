"""Responses: parse and validate in one pass; HTTP and GraphQL failures become the error tree.

* A generated operation's body is parsed *and* validated from bytes in one pass
  (``model_validate_json`` on an envelope ``{data: <result model>, errors}``), never decoded
  twice on the success path.
* An ad-hoc document (``client.execute(...)``) has no model: its ``data`` comes back as plain
  JSON (dicts and lists), never validated against a generated model.
* Non-2xx statuses, ``errors`` inside an HTTP 200 (Upwork's scope message becomes a
  :class:`~upwork_gql.MissingScopeError`), bodies that are not GraphQL responses and results that
  do not match the models each become their exception, carrying the operation and request id.
* Every message, excerpt and stored payload passes through a :class:`Scrubber`: variable values
  and every secret the client knows (tokens, client secret) that a server echoes back become
  ``***``. The response headers kept on a status error and the partial ``data`` kept on a
  GraphQL error have the secrets replaced (not the variable values, which may legitimately be
  part of a result). A status error keeps a copy of the response with the secrets replaced and
  a request holding only the method and URL; no exception keeps the original
  ``httpx.Response`` (its body is raw, and its request carries the ``Authorization`` header),
  nor a parser's exception whose text would quote the body.

The collector during validation
-------------------------------
Validating a page builds its models in one synchronous call; a page of 50 job postings is
about 1,400 objects that CPython's cyclic collector tracks (``json.loads`` of the same bytes:
about 230). Left running, the collector would scan the half-built page two or three times per
page and move it to older generations, which makes full collections over the whole heap come
sooner. So, by default, :func:`validate_json` pauses the collector for exactly that call: only
when it finds the collector enabled (an application that disabled it keeps it disabled; the
library never enables a collector it did not pause), re-enabling it right after, before
anything else runs; the collection that was due then runs once over the new page. Nothing else
is changed (thresholds, frozen objects, other calls). ``UpworkClient(pause_gc=False)`` turns this
off; an application that switches the collector from several threads should do so, since the
switch is process-wide: a thread disabling the collector while a page is validated elsewhere
would find it enabled again afterwards.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import httpx
from pydantic_core import ValidationError  # pydantic's own; pydantic's models load on first use

from upwork_gql._constants import REQUEST_ID_HEADER
from upwork_gql._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    GraphQLError,
    GraphQLValidationError,
    InternalServerError,
    InvalidResponseError,
    MissingScopeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseValidationError,
)
from upwork_gql._operation import Operation
from upwork_gql._redact import redact_text, strings_in
from upwork_gql._retry_after import parse_retry_after

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "Scrubber",
    "fast_loads",
    "parse_response",
    "request_id",
    "status_error",
    "transport_error",
    "validate_json",
    "where",
]

_EXCERPT_LEN: Final = 200
_EXCERPT_WINDOW: Final = 16 * 1024
_SCOPE_RE: Final = re.compile(
    r"doesn't have enough oauth2 permissions/scopes to access:?\s*"
    r"(?:\[(?P<list>[^\]]*)\]|(?P<rest>.*))",
    re.IGNORECASE | re.DOTALL,
)
_STATUS_CLASSES: Final[dict[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    429: RateLimitError,
}


class Scrubber:
    """Replaces secrets and variable values in text a server sent back with ``***``.

    ``secrets`` is a callable returning the redaction function of the client's secrets (tokens,
    client secret, in every encoding), or ``None``; ``values`` are the request's variables.
    """

    __slots__ = ("_secrets", "_values")

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        secrets: Callable[[str], str] | None = None,
    ) -> None:
        self._values = values
        self._secrets = secrets

    def secrets(self, text: str) -> str:
        """``text`` with the client's secrets replaced (variable values are kept)."""
        if self._secrets is not None:
            text = self._secrets(text)
        return redact_text(text)

    def text(self, text: str) -> str:
        """``text`` with the client's secrets and the request's variable values replaced."""
        if self._secrets is not None:
            text = self._secrets(text)
        return redact_text(text, strings_in(self._values) if self._values else ())

    def obj(self, value: Any, *, keep_values: bool = False) -> Any:
        """A copy of a JSON-like ``value`` with every string scrubbed; with ``keep_values``,
        only the secrets. Keys lose only secrets (``"message"`` stays a key whatever the
        variables hold)."""
        if isinstance(value, str):
            return self.secrets(value) if keep_values else self.text(value)
        if isinstance(value, Mapping):
            return {
                self.secrets(k) if isinstance(k, str) else k: self.obj(v, keep_values=keep_values)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.obj(v, keep_values=keep_values) for v in value]
        return value


def request_id(response: httpx.Response) -> str | None:
    value: str | None = response.headers.get(REQUEST_ID_HEADER)
    return value


def where(operation: str | None, request_id: str | None) -> str:
    parts = []
    if operation:
        parts.append(f"operation {operation!r}")
    if request_id:
        parts.append(f"request id {request_id}")
    return f" ({', '.join(parts)})" if parts else ""


def _excerpt(content: bytes, scrub: Scrubber) -> str:
    # Scrubbed before it is cut: a window far longer than the excerpt, so that what is kept
    # never ends in a secret cut in half at the window's edge (replacing secrets by *** shrinks
    # the text, but not from 16 KiB down to 200 characters).
    text = scrub.text(content[:_EXCERPT_WINDOW].decode("utf-8", errors="replace"))
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_LEN else text[: _EXCERPT_LEN - 1] + "…"


def _headers(headers: httpx.Headers, scrub: Scrubber) -> dict[str, str]:
    """The response headers to keep on an error (a ``WWW-Authenticate`` challenge may quote the
    token), with the secrets replaced."""
    return {key: scrub.secrets(value) for key, value in headers.items()}


def _kept_response(response: httpx.Response, scrub: Scrubber) -> httpx.Response:
    """A copy of the response to keep on the error: status, headers and body with the secrets
    replaced, and a request holding only the method and URL (never the ``Authorization`` header
    or the variables)."""
    request = response.request
    body = scrub.secrets(response.content.decode(response.encoding or "utf-8", errors="replace"))
    return httpx.Response(
        response.status_code,
        headers=_headers(response.headers, scrub),
        content=body.encode("utf-8"),
        request=httpx.Request(request.method, request.url),
        extensions={"reason_phrase": response.reason_phrase.encode("ascii", "replace")},
    )


def status_error(
    response: httpx.Response, operation: str | None, scrub: Scrubber
) -> APIStatusError:
    """The exception for a non-2xx response."""
    status = response.status_code
    rid = request_id(response)
    content = response.content
    detail = ""
    body = _json(content)
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            detail = str(errors[0].get("message", ""))
        else:
            for key in ("message", "error_description", "error"):
                if isinstance(body.get(key), str):
                    detail = body[key]
                    break
    message = f"HTTP {status} {response.reason_phrase or ''}".rstrip()
    if detail:
        message += f": {scrub.text(detail)[:_EXCERPT_LEN]}"
    message += where(operation, rid)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "headers": _headers(response.headers, scrub),
        "body_excerpt": _excerpt(content, scrub),
        "response": _kept_response(response, scrub),
        "operation": operation,
        "request_id": rid,
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
        paths.append(f"{'.'.join(str(p) for p in loc) or '<root>'}: {err['msg']}")
    return paths


def _response_validation_error(
    exc: ValidationError, operation: str | None, rid: str | None, scrub: Scrubber
) -> ResponseValidationError:
    paths = [scrub.text(path) for path in _validation_paths(exc)]
    shown = "; ".join(paths[:5]) + (f"; and {len(paths) - 5} more" if len(paths) > 5 else "")
    return ResponseValidationError(
        f"response does not match the generated models: {shown}{where(operation, rid)}",
        paths=paths,
        operation=operation,
        request_id=rid,
    )


def _classification(error: Mapping[str, Any]) -> Any:
    ext = error.get("extensions")
    return ext.get("classification") if isinstance(ext, dict) else None


def graphql_error(
    errors: Iterable[Any], data: Any, operation: str | None, rid: str | None, scrub: Scrubber
) -> GraphQLError:
    """The exception for ``errors`` in a response (``data`` is kept, partial or typed)."""
    dict_errors = [
        scrub.obj(e) if isinstance(e, dict) else {"message": scrub.text(str(e))} for e in errors
    ]
    messages = [str(e.get("message", "")) for e in dict_errors]
    suffix = where(operation, rid)
    common: dict[str, Any] = {
        "errors": dict_errors,
        "data": data,
        "operation": operation,
        "request_id": rid,
    }
    fields: list[str] = []
    for message in messages:
        match = _SCOPE_RE.search(message)
        if match:
            raw = match.group("list") if match.group("list") is not None else match.group("rest")
            fields.extend(f.strip().rstrip(".") for f in raw.split(",") if f.strip().rstrip("."))
    if fields:
        return MissingScopeError(
            f"the token lacks the OAuth2 scopes to access: {', '.join(fields)}{suffix}",
            fields=fields,
            **common,
        )
    text = "; ".join(m for m in messages if m) or "unknown GraphQL error"
    if all(_classification(e) == "ValidationError" for e in dict_errors):
        locations = [
            loc for e in dict_errors for loc in (e.get("locations") or []) if isinstance(loc, dict)
        ]
        return GraphQLValidationError(
            f"the server rejected the document: {text}{suffix}", locations=locations, **common
        )
    return GraphQLError(f"GraphQL error: {text}{suffix}", **common)


def _envelope(op: Operation) -> type[BaseModel]:
    envelope = op._cache.get("envelope")
    if envelope is None:
        from pydantic import create_model

        model = op.result_model()
        envelope = op._cache["envelope"] = create_model(
            f"{model.__name__}Envelope",
            data=(model, ...),
            errors=(list[dict[str, Any]] | None, None),
        )
    return envelope


def _decode_and_validate(model: type[BaseModel], content: bytes) -> Any:
    loads = fast_loads()
    if loads is None:
        return model.model_validate_json(content)
    try:
        decoded = loads(content)
    except ValueError:  # not JSON for orjson (or beyond it, e.g. integers over 64 bits)
        return model.model_validate_json(content)
    return model.model_validate(decoded)


def validate_json(model: type[BaseModel], content: bytes, *, pause_gc: bool = True) -> Any:
    """``content`` (a JSON body) validated into ``model``.

    With orjson installed, the body is decoded by orjson and the result validated by pydantic
    (the strings are reused, not copied: about 15 % less time than ``model_validate_json`` on
    a page of job postings); otherwise ``model.model_validate_json``. The two accept the same
    documents for the generated models (their fields are strings, numbers, booleans, enums,
    lists, models and ``Any``). With ``pause_gc``, the cyclic collector is paused for this one
    call if (and only if) it is enabled, and enabled again right after (see the module
    docstring).
    """
    if not pause_gc or not gc.isenabled():
        return _decode_and_validate(model, content)
    gc.disable()
    try:
        return _decode_and_validate(model, content)
    finally:
        gc.enable()


_UNSET: Final = object()
_loads: Any = _UNSET


def fast_loads() -> Callable[[bytes], Any] | None:
    """``orjson.loads`` when orjson is installed (imported on first use), else ``None``."""
    global _loads
    if _loads is _UNSET:
        try:
            import orjson
        except ImportError:
            _loads = None
        else:
            _loads = orjson.loads
    return _loads  # type: ignore[no-any-return]


def _invalid(response: httpx.Response, what: str, operation: str | None, scrub: Scrubber) -> Any:
    rid = request_id(response)
    excerpt = _excerpt(response.content, scrub)
    return InvalidResponseError(
        f"HTTP {response.status_code} with {what}{where(operation, rid)}",
        status_code=response.status_code,
        body_excerpt=excerpt,
        operation=operation,
        request_id=rid,
    )


def parse_response(
    response: httpx.Response,
    op: Operation | None,
    name: str | None,
    scrub: Scrubber,
    *,
    pause_gc: bool = True,
) -> Any:
    """The ``data`` of a 2xx response: the validated result model of ``op``, or plain JSON.

    ``pause_gc``: see :func:`validate_json`.
    """
    content = response.content
    if op is not None:
        try:
            parsed = validate_json(_envelope(op), content, pause_gc=pause_gc)
        except ValidationError:
            pass  # not the expected shape: diagnose below
        else:
            if not parsed.errors:
                return parsed.data
            # GraphQL errors: the partial data is validated again below, secrets replaced first
    body = _json(content)
    if body is _NOT_JSON:
        what = "an empty body" if not content.strip() else "a body that is not JSON"
        raise _invalid(response, what, name, scrub)
    if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
        raise _invalid(
            response, "JSON that is not a GraphQL response (no data, no errors)", name, scrub
        )
    data = body.get("data")
    errors = body.get("errors")
    rid = request_id(response)
    if errors:
        if not isinstance(errors, list):
            errors = [errors]
        # The partial result is the caller's data (variable values may belong there), but a
        # secret never does: replaced before it is typed.
        typed = scrub.obj(data, keep_values=True)
        if typed is not None and op is not None:
            with contextlib.suppress(ValidationError):
                typed = op.result_model().model_validate(typed)
        raise graphql_error(errors, typed, name, rid, scrub)
    if data is None:
        raise _invalid(response, "neither data nor errors", name, scrub)
    if op is None:
        return data
    failure: ValidationError | None = None
    try:
        return op.result_model().model_validate(data)
    except ValidationError as exc:
        failure = exc
    # Raised outside the handler, without a cause or context: pydantic's error quotes the
    # values it refused (the paths and messages are kept, scrubbed).
    assert failure is not None
    raise _response_validation_error(failure, name, rid, scrub)


_NOT_JSON: Final = object()


def _json(content: bytes) -> Any:
    """The decoded body, or ``_NOT_JSON``. Never raises: an exception raised after a failed
    decode must not carry the decoder's error as its context (it holds the whole body)."""
    if not content:
        return _NOT_JSON
    try:
        return json.loads(content)
    except ValueError:
        return _NOT_JSON


def transport_error(
    error: httpx.TransportError | None, name: str | None, scrub: Scrubber
) -> APIConnectionError:
    """The error for a request that got no response: :class:`~upwork_gql.APITimeoutError` for a
    timeout, else :class:`~upwork_gql.APIConnectionError`; the detail is scrubbed."""
    assert error is not None
    what = type(error).__name__
    detail = scrub.text(str(error))[:_EXCERPT_LEN]
    if detail:
        what = f"{what}: {detail}"
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({what}){where(name, None)}", operation=name)
    return APIConnectionError(f"connection error ({what}){where(name, None)}", operation=name)

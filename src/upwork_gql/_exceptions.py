"""The upwork-gql exception tree.

Every error the library raises derives from :class:`UpworkError`::

    UpworkError
    ├── ConfigurationError            missing/invalid settings (env vars, arguments)
    ├── MissingExtraError             an optional feature's extra is not installed (an ImportError)
    ├── InvalidVariablesError         variables rejected before any request was sent
    ├── ClientClosedError             a call on a client after ``aclose()``
    ├── APIError                      something went wrong talking to the API
    │   ├── APIConnectionError        no usable HTTP response (DNS, refused, reset)
    │   │   └── APITimeoutError       connect/read/write/pool timeout
    │   ├── APIStatusError            non-2xx HTTP status
    │   │   ├── BadRequestError       400
    │   │   ├── AuthenticationError   401
    │   │   ├── PermissionDeniedError 403
    │   │   ├── NotFoundError         404
    │   │   ├── RequestTimeoutError   408
    │   │   ├── RateLimitError        429 (``retry_after``)
    │   │   └── InternalServerError   5xx
    │   ├── InvalidResponseError      body is not JSON / not a GraphQL response
    │   ├── ResponseValidationError   JSON does not match the generated models
    │   └── GraphQLError              ``errors`` inside an HTTP 200 (keeps partial ``data``)
    │       ├── MissingScopeError     "doesn't have enough oauth2 permissions/scopes"
    │       └── GraphQLValidationError  ``extensions.classification == "ValidationError"``
    ├── PaginationError               a connection walk cannot continue (operation, cursor)
    ├── QuotaExceededError            the daily request budget is spent; nothing was sent
    ├── OAuthError                    OAuth2 / token management
    │   ├── TokenEndpointError        the token endpoint failed (after retries)
    │   ├── ReauthenticationRequired  refresh token expired/revoked (``invalid_grant``)
    │   ├── StateMismatchError        authorization ``state`` did not match
    │   └── TokenStoreError           the token store could not be read or written
    └── SchemaError                   schema pull / diff / check failures

Every :class:`APIError` carries ``operation`` (the GraphQL operation name) and ``request_id``
(Upwork's ``vnd.eo.request-id`` header, when a response came back). Status errors add
``status_code``, ``headers``, a short ``body_excerpt`` and the ``response`` (an
``httpx.Response`` copy with the secrets replaced); GraphQL errors keep the raw ``errors``
and the partial ``data`` (the typed result model when it validates, else the raw dict).

Messages never contain tokens, secrets or variable values (values a server echoes back are
replaced by ``***``); neither do ``body_excerpt``, ``errors``, ``paths`` or the kept ``headers``
(secrets only there) and the partial ``data`` (secrets only: variable values may belong to a
result). No exception keeps the original ``httpx.Response`` (its request carries the
``Authorization`` header) or a parser's error that would quote the body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "GraphQLError",
    "GraphQLValidationError",
    "InternalServerError",
    "InvalidResponseError",
    "InvalidVariablesError",
    "MissingExtraError",
    "MissingScopeError",
    "NotFoundError",
    "OAuthError",
    "PaginationError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "ReauthenticationRequired",
    "RequestTimeoutError",
    "ResponseValidationError",
    "SchemaError",
    "StateMismatchError",
    "TokenEndpointError",
    "TokenStoreError",
    "UpworkError",
]


class UpworkError(Exception):
    """Base class of every error raised by upwork-gql."""


class ConfigurationError(UpworkError):
    """A required setting is missing or invalid."""


class ClientClosedError(UpworkError):
    """A call on a client whose connection pool was closed by ``aclose()``."""


class MissingExtraError(UpworkError, ImportError):
    """An optional feature needs packages of an extra that is not installed.

    The message names the extra and the ``pip install`` line that brings it.
    """


class InvalidVariablesError(UpworkError, ValueError):
    """Operation variables were rejected before any request was sent."""

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation


class APIError(UpworkError):
    """An error while talking to the API.

    ``request_id`` is Upwork's ``vnd.eo.request-id`` response header, when a response came back.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.request_id = request_id


class APIConnectionError(APIError):
    """No usable HTTP response was received (connection refused, reset, DNS...)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIStatusError(APIError):
    """The API answered with a non-2xx HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        headers: Mapping[str, str] | None = None,
        body_excerpt: str = "",
        response: httpx.Response | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, request_id=request_id)
        self.status_code = status_code
        self.headers = dict(headers or {})
        self.body_excerpt = body_excerpt
        #: The response, with every secret replaced in its headers and body, and a request that
        #: holds only the method and URL. ``None`` when the error was built by hand.
        self.response = response


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the access token is missing, expired or invalid."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class RequestTimeoutError(APIStatusError):
    """HTTP 408."""


class RateLimitError(APIStatusError):
    """HTTP 429. ``retry_after`` is the server's hint in seconds, if it sent one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


class InvalidResponseError(APIError):
    """The body is not JSON, or not a GraphQL response object."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body_excerpt: str = "",
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, request_id=request_id)
        self.status_code = status_code
        self.body_excerpt = body_excerpt


class ResponseValidationError(APIError):
    """The response JSON does not match the generated models (names operation and field path)."""

    def __init__(
        self,
        message: str,
        *,
        paths: Sequence[str] = (),
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, request_id=request_id)
        self.paths = list(paths)


class GraphQLError(APIError):
    """GraphQL ``errors`` in an HTTP 200 response. ``data`` keeps the partial result."""

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[Mapping[str, Any]] = (),
        data: Any = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, request_id=request_id)
        self.errors = [dict(e) for e in errors]
        self.data = data


class MissingScopeError(GraphQLError):
    """The token lacks OAuth2 scopes for some fields; ``fields`` lists them (``Type.field``)."""

    def __init__(self, message: str, *, fields: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.fields = list(fields)


class GraphQLValidationError(GraphQLError):
    """The server rejected the document (``classification: ValidationError``)."""

    def __init__(
        self,
        message: str,
        *,
        locations: Sequence[Mapping[str, int]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.locations = [dict(loc) for loc in locations]


class PaginationError(UpworkError):
    """A connection walk cannot continue. ``cursor`` is where to resume from."""

    def __init__(self, message: str, *, operation: str, cursor: str | None) -> None:
        super().__init__(message)
        self.operation = operation
        self.cursor = cursor


class QuotaExceededError(UpworkError):
    """The shared daily request budget is spent; the request was not sent.

    ``resets_at`` is when the budget resets (a UNIX timestamp, UTC midnight) and ``retry_after``
    the seconds left until then.
    """

    def __init__(self, message: str, *, resets_at: float, retry_after: float) -> None:
        super().__init__(message)
        self.resets_at = resets_at
        self.retry_after = retry_after


class OAuthError(UpworkError):
    """OAuth2 / token management failure."""


class TokenEndpointError(OAuthError):
    """The token endpoint failed (after retries where retrying was safe)."""

    def __init__(self, message: str, *, status_code: int | None = None, error: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.error = error


class ReauthenticationRequired(OAuthError):
    """The refresh token is expired or revoked; run ``upwork-gql auth login`` again."""


class StateMismatchError(OAuthError):
    """The authorization response's ``state`` does not match the one we sent."""


class TokenStoreError(OAuthError):
    """The token store could not be read or written; nothing was lost."""


class SchemaError(UpworkError):
    """Schema pull, diff or check failed."""

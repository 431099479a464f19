"""upwork-gql: the async, typed Python client for Upwork's GraphQL API.

>>> from upwork_gql import UpworkClient
>>> async with UpworkClient.from_env() as client:          # doctest: +SKIP
...     contract = await client.contract(id="123")

The names below are the whole public surface; everything in a module whose name starts with an
underscore is private. Names are imported on first use, so ``import upwork_gql`` stays cheap and
the generated models load only when a client is built. Generated input types, enums and result
models are public under :mod:`upwork_gql.types`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from upwork_gql._exceptions import (  # light: no third-party imports
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    GraphQLError,
    GraphQLValidationError,
    InternalServerError,
    InvalidResponseError,
    InvalidVariablesError,
    MissingExtraError,
    MissingScopeError,
    NotFoundError,
    OAuthError,
    PaginationError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ReauthenticationRequired,
    RequestTimeoutError,
    ResponseValidationError,
    SchemaError,
    StateMismatchError,
    TokenEndpointError,
    TokenStoreError,
    UpworkError,
)

if TYPE_CHECKING:
    from upwork_gql._client import UpworkClient
    from upwork_gql._ratelimit import RateLimiter
    from upwork_gql._types import (
        NOT_GIVEN,
        NotGiven,
        RawResponse,
        ResponseInfo,
    )
    from upwork_gql.auth import (
        FileTokenStore,
        InsecureTokenFileWarning,
        MemoryTokenStore,
        Token,
        TokenManager,
        TokenStore,
    )
    from upwork_gql.pagination import AsyncPaginator
    from upwork_gql.telemetry import (
        Hooks,
        RefreshEvent,
        RequestEvent,
        ResponseEvent,
        RetryEvent,
    )

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "UpworkClient": "upwork_gql._client",
    "RateLimiter": "upwork_gql._ratelimit",
    "AsyncPaginator": "upwork_gql.pagination",
    "NOT_GIVEN": "upwork_gql._types",
    "NotGiven": "upwork_gql._types",
    "RawResponse": "upwork_gql._types",
    "ResponseInfo": "upwork_gql._types",
    "FileTokenStore": "upwork_gql.auth",
    "InsecureTokenFileWarning": "upwork_gql.auth",
    "MemoryTokenStore": "upwork_gql.auth",
    "Token": "upwork_gql.auth",
    "TokenManager": "upwork_gql.auth",
    "TokenStore": "upwork_gql.auth",
    "Hooks": "upwork_gql.telemetry",
    "RefreshEvent": "upwork_gql.telemetry",
    "RequestEvent": "upwork_gql.telemetry",
    "ResponseEvent": "upwork_gql.telemetry",
    "RetryEvent": "upwork_gql.telemetry",
}

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "FileTokenStore",
    "GraphQLError",
    "GraphQLValidationError",
    "Hooks",
    "InsecureTokenFileWarning",
    "InternalServerError",
    "InvalidResponseError",
    "InvalidVariablesError",
    "MemoryTokenStore",
    "MissingExtraError",
    "MissingScopeError",
    "NotFoundError",
    "NotGiven",
    "OAuthError",
    "PaginationError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "RateLimiter",
    "RawResponse",
    "ReauthenticationRequired",
    "RefreshEvent",
    "RequestEvent",
    "RequestTimeoutError",
    "ResponseEvent",
    "ResponseInfo",
    "ResponseValidationError",
    "RetryEvent",
    "SchemaError",
    "StateMismatchError",
    "Token",
    "TokenEndpointError",
    "TokenManager",
    "TokenStore",
    "TokenStoreError",
    "UpworkClient",
    "UpworkError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'upwork_gql' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

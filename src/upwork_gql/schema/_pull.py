"""Pull a schema from a live GraphQL endpoint by introspection.

Every failure becomes a :class:`~upwork_gql._exceptions.SchemaError` with a one-line reason that
never contains the token; nothing is written unless the whole introspection result is sound.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

import httpx
from graphql import GraphQLSchema, build_client_schema, get_introspection_query, validate_schema

from upwork_gql._constants import DEFAULT_TIMEOUT, TENANT_HEADER, USER_AGENT
from upwork_gql._exceptions import SchemaError
from upwork_gql.schema._printing import print_sorted, write_atomic

__all__ = [
    "auth_headers",
    "build_schema_from_introspection",
    "fetch_introspection",
    "introspection_query",
    "pull_schema",
    "pull_to_file",
]

_SCOPE_MARKER = "permissions/scopes"
# Introspection fields newer than the oldest servers still around; if a server rejects one of
# them, the pull retries once with the classic query (descriptions, deprecations, directives).
_NEWER_INTROSPECTION_FIELDS = re.compile(
    r"isRepeatable|specifiedBy|includeDeprecated|isDeprecated|deprecationReason|isOneOf"
    r"|description|FieldUndefined|Unknown argument|Cannot query field",
)
_EXCERPT = 160


def introspection_query(*, extended: bool = True) -> str:
    """The standard introspection query: descriptions, deprecations and directives.

    ``extended`` adds what newer servers expose (repeatable directives, ``specifiedByURL``,
    schema description, deprecated arguments and input fields).
    """
    return get_introspection_query(
        descriptions=True,
        specified_by_url=extended,
        directive_is_repeatable=extended,
        schema_description=extended,
        input_value_deprecation=extended,
    )


def _safe_url(url: str) -> str:
    """The URL without user info or query string (they could carry secrets)."""
    try:
        parsed = httpx.URL(url)
        return str(parsed.copy_with(userinfo=b"", query=None, fragment=None))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<invalid url>"


def _one_line(text: str, limit: int = _EXCERPT) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _first_error_message(errors: Any) -> str:
    if isinstance(errors, list) and errors:
        first = errors[0]
        if isinstance(first, Mapping):
            return _one_line(str(first.get("message", "")) or json.dumps(first)[:_EXCERPT])
        return _one_line(str(first))
    return "unknown error"


def _scope_error(errors: Any) -> str | None:
    if not isinstance(errors, list):
        return None
    for err in errors:
        message = str(err.get("message", "")) if isinstance(err, Mapping) else str(err)
        if _SCOPE_MARKER in message:
            return _one_line(message)
    return None


async def _post(
    client: httpx.AsyncClient,
    url: str,
    query: str,
    headers: Mapping[str, str],
    auth: httpx.Auth | None,
) -> httpx.Response:
    payload = {"query": query, "operationName": "IntrospectionQuery", "variables": {}}
    try:
        if auth is not None:
            return await client.post(url, json=payload, headers=dict(headers), auth=auth)
        return await client.post(url, json=payload, headers=dict(headers))
    except httpx.TimeoutException:
        raise SchemaError(f"timed out talking to {_safe_url(url)}") from None
    except httpx.ConnectError:
        raise SchemaError(f"cannot connect to {_safe_url(url)} (connection failed)") from None
    except httpx.HTTPError as exc:
        raise SchemaError(
            f"request to {_safe_url(url)} failed: {type(exc).__name__}: {_one_line(str(exc))}"
        ) from None


def _parse(response: httpx.Response, url: str) -> Mapping[str, Any]:
    """Return the GraphQL response object, or raise SchemaError for HTTP / body problems."""
    where = _safe_url(url)
    body: Any = None
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    status = response.status_code
    if status == 401:
        raise SchemaError(
            f"HTTP 401 from {where}: the access token is missing, expired or invalid "
            "(run `upwork-gql auth login` or pass --token)"
        )
    if status == 403:
        detail = _first_error_message(body.get("errors")) if isinstance(body, dict) else ""
        raise SchemaError(
            f"HTTP 403 from {where}: not allowed to introspect" + (f": {detail}" if detail else "")
        )
    if not 200 <= status < 300:
        detail = ""
        if isinstance(body, dict) and body.get("errors"):
            detail = ": " + _first_error_message(body["errors"])
        raise SchemaError(f"HTTP {status} {response.reason_phrase} from {where}{detail}")
    if not isinstance(body, dict):
        kind = response.headers.get("content-type", "unknown content type")
        raise SchemaError(f"invalid response from {where}: the body is not a JSON object ({kind})")
    if "data" not in body and "errors" not in body:
        raise SchemaError(f"invalid response from {where}: neither 'data' nor 'errors' in the body")
    return body


async def fetch_introspection(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    request_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> dict[str, Any]:
    """POST the introspection query and return the validated ``data`` (with ``__schema``).

    Raises :class:`SchemaError` on connection failures, non-2xx statuses, bodies that are not
    GraphQL responses, GraphQL errors (missing scopes, introspection disabled) and partial or
    malformed results.
    """
    all_headers = {
        "Accept": "application/graphql-response+json, application/json",
        "User-Agent": USER_AGENT,
        **dict(headers or {}),
    }
    owns_client = http_client is None
    client = http_client or httpx.AsyncClient(
        timeout=request_timeout, transport=transport, follow_redirects=False
    )
    try:
        query = introspection_query(extended=True)
        body = _parse(await _post(client, url, query, all_headers, auth), url)
        if body.get("errors") and not body.get("data"):
            message = _first_error_message(body["errors"])
            if _scope_error(body["errors"]) is None and _NEWER_INTROSPECTION_FIELDS.search(message):
                query = introspection_query(extended=False)
                body = _parse(await _post(client, url, query, all_headers, auth), url)
    finally:
        if owns_client:
            await client.aclose()
    return _check_result(body, url)


def _check_result(body: Mapping[str, Any], url: str) -> dict[str, Any]:
    where = _safe_url(url)
    errors = body.get("errors")
    data = body.get("data")
    if errors:
        scope = _scope_error(errors)
        if scope is not None:
            raise SchemaError(f"missing OAuth2 scopes for introspection at {where}: {scope}")
        if data:
            count = len(errors) if isinstance(errors, list) else 1
            raise SchemaError(
                f"partial introspection result from {where} ({count} error(s)), refusing to "
                f"write an incomplete schema: {_first_error_message(errors)}"
            )
        raise SchemaError(f"introspection refused by {where}: {_first_error_message(errors)}")
    if not isinstance(data, dict) or not isinstance(data.get("__schema"), dict):
        raise SchemaError(f"invalid introspection result from {where}: no '__schema' object")
    schema = data["__schema"]
    types = schema.get("types")
    if not isinstance(types, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("kind"), str)
        for t in types
    ):
        raise SchemaError(
            f"invalid introspection result from {where}: '__schema.types' is not a list of types"
        )
    query_type = schema.get("queryType")
    if not isinstance(query_type, dict) or not isinstance(query_type.get("name"), str):
        raise SchemaError(f"invalid introspection result from {where}: no query type")
    return data


def build_schema_from_introspection(data: Mapping[str, Any], url: str = "") -> GraphQLSchema:
    """Build and validate a schema from an introspection ``data`` object."""
    where = f" from {_safe_url(url)}" if url else ""
    try:
        schema = build_client_schema(dict(data))  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise SchemaError(f"invalid introspection result{where}: {_one_line(str(exc))}") from None
    problems = validate_schema(schema)
    if problems:
        raise SchemaError(
            f"invalid introspection result{where}: {_one_line(problems[0].message)}"
            + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    return schema


def auth_headers(token: str | None = None, tenant_id: str | None = None) -> dict[str, str]:
    """Headers for a plain bearer token and an optional tenant (organization) id."""
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if tenant_id:
        headers[TENANT_HEADER] = tenant_id
    return headers


async def pull_schema(
    url: str,
    *,
    token: str | None = None,
    tenant_id: str | None = None,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    request_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> GraphQLSchema:
    """Introspect ``url`` and return the schema (raises :class:`SchemaError`)."""
    all_headers = {**auth_headers(token, tenant_id), **dict(headers or {})}
    data = await fetch_introspection(
        url, headers=all_headers, auth=auth, request_timeout=request_timeout, transport=transport
    )
    return build_schema_from_introspection(data, url)


async def pull_to_file(
    url: str,
    output: str | os.PathLike[str],
    **kwargs: Any,
) -> str:
    """Introspect ``url`` and atomically write the sorted SDL to ``output``; return the SDL.

    On any failure the existing ``output`` is left untouched.
    """
    sdl = print_sorted(await pull_schema(url, **kwargs))
    write_atomic(output, sdl)
    return sdl

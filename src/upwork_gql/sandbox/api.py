"""``POST /graphql``: bearer check, tenant, scopes, execution with ariadne, Upwork's error shape."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from upwork_gql._constants import TENANT_HEADER
from upwork_gql.sandbox.config import SandboxConfig
from upwork_gql.sandbox.data import OrgData, SandboxData
from upwork_gql.sandbox.engine import Lazy, named_type
from upwork_gql.sandbox.resolvers import MUTATION_ROOT, QUERY_ROOT
from upwork_gql.sandbox.state import RequestRecord, SandboxState
from upwork_gql.sandbox.tokens import AccessToken

GRAPHQL_PATH = "/graphql"

SCOPE_MESSAGE = (
    "The client or authentication token doesn't have enough oauth2 permissions/scopes "
    "to access: [{fields}]."
)

_quiet_logger = logging.Logger("upwork_gql.sandbox.graphql-errors")
_quiet_logger.addHandler(logging.NullHandler())


class ScopeDeniedError(GraphQLError):
    """Raised by a root field the token has no scope for; folded into one Upwork message."""


@dataclass
class RequestContext:
    """``info.context`` of sandbox resolvers."""

    config: SandboxConfig
    data: SandboxData
    org: OrgData
    token: AccessToken
    fake_list_length: int = 2
    denied: set[str] = field(default_factory=set)

    def page_size_limit(self, field_name: str) -> int:
        """Largest page size for a connection field."""
        return self.config.page_size_limit(field_name)


# --------------------------------------------------------------------------------------------
# Errors in Upwork's shape

_VALIDATION_KINDS: tuple[tuple[str, str], ...] = (
    (r"^Cannot query field", "FieldUndefined"),
    (r"^Unknown argument", "UnknownArgument"),
    (r"argument .* is required, but it was not provided", "MissingFieldArgument"),
    (r"must have a selection of subfields", "SubSelectionRequired"),
    (r"must not have a selection since", "SubSelectionNotAllowed"),
    (r"^Unknown type", "UnknownType"),
    (r"^Unknown fragment", "UndefinedFragment"),
    (r"^Fragment .* is never used", "UnusedFragment"),
    (r"is never used", "UnusedVariable"),
    (r"^Variable .* is not defined", "UndefinedVariable"),
    (r"used in position expecting", "VariableTypeMismatch"),
    (r"of required type .* was not provided", "NullValueForNonNullArgument"),
    (r"got invalid value|cannot represent|Expected value of type", "WrongType"),
    (r"^Unknown directive", "UnknownDirective"),
    (r"^There can be only one", "DuplicateName"),
    (r"must be provided|Must provide operation name", "UnknownOperation"),
)


def _validation_message(message: str) -> str:
    for pattern, kind in _VALIDATION_KINDS:
        if re.search(pattern, message):
            return f"Validation error of type {kind}: {message}"
    return f"Validation error: {message}"


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """Upwork's error shape: ``message``, ``locations``, ``extensions.classification``."""
    original = error.original_error
    if isinstance(original, ScopeDeniedError) or isinstance(error, ScopeDeniedError):
        return {"__scope_denied__": True}
    formatted: dict[str, Any] = {"message": error.message}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path:
        formatted["path"] = list(error.path)
        classification = getattr(original, "classification", None)
        if classification is None:
            classification = (
                "NullValueInNonNullableField"
                if original is None and "non-nullable" in error.message
                else "DataFetchingException"
            )
    elif isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        classification = "InvalidSyntax"
    else:
        classification = getattr(original, "classification", None) or "ValidationError"
        if classification == "ValidationError":
            formatted["message"] = _validation_message(error.message)
    formatted["extensions"] = {"classification": classification}
    return formatted


def _error_body(message: str, classification: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"classification": classification}}]}


# --------------------------------------------------------------------------------------------
# Scopes


def _select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        for op in operations:
            if op.name and op.name.value == operation_name:
                return op
        return None
    return operations[0] if len(operations) == 1 else None


def denied_fields(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    scopes: frozenset[str],
    config: SandboxConfig,
) -> tuple[set[str], list[str]]:
    """Root field names the token may not use, and every ``Type.field`` selected under them."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return set(), []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    denied_roots: set[str] = set()
    names: set[str] = set()

    def walk(
        selection_set: SelectionSetNode, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> None:
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                name = sel.name.value
                if name.startswith("__") or not isinstance(
                    parent, GraphQLObjectType | GraphQLInterfaceType
                ):
                    continue
                field_def = parent.fields.get(name)
                if field_def is None:
                    continue
                names.add(f"{parent.name}.{name}")
                if sel.selection_set:
                    walk(sel.selection_set, named_type(field_def.type), seen)
            elif isinstance(sel, InlineFragmentNode):
                target = parent
                if sel.type_condition:
                    target = schema.get_type(sel.type_condition.name.value) or parent
                walk(sel.selection_set, target, seen)
            elif isinstance(sel, FragmentSpreadNode):
                frag_name = sel.name.value
                frag = fragments.get(frag_name)
                if frag is None or frag_name in seen:
                    continue
                target = schema.get_type(frag.type_condition.name.value) or parent
                walk(frag.selection_set, target, seen | {frag_name})

    def walk_root(selection_set: SelectionSetNode, seen: frozenset[str]) -> None:
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                name = sel.name.value
                if name.startswith("__") or name not in root.fields:
                    continue
                required = config.required_scope(root.name, name)
                if required is None or required in scopes:
                    continue
                denied_roots.add(name)
                names.add(f"{root.name}.{name}")
                if sel.selection_set:
                    walk(sel.selection_set, named_type(root.fields[name].type), frozenset())
            elif isinstance(sel, InlineFragmentNode):
                walk_root(sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments.get(sel.name.value)
                if frag is not None and sel.name.value not in seen:
                    walk_root(frag.selection_set, seen | {sel.name.value})

    walk_root(operation.selection_set, frozenset())
    return denied_roots, sorted(names)


def _deny(info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    raise ScopeDeniedError("scope denied")


_DENY = Lazy(_deny)


def _root_fields(operation: OperationDefinitionNode, document: DocumentNode) -> Iterable[str]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    stack = [operation.selection_set]
    seen: set[str] = set()
    while stack:
        for sel in stack.pop().selections:
            if isinstance(sel, FieldNode):
                yield sel.name.value
            elif isinstance(sel, InlineFragmentNode):
                stack.append(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                seen.add(sel.name.value)
                frag = fragments.get(sel.name.value)
                if frag is not None:
                    stack.append(frag.selection_set)


# --------------------------------------------------------------------------------------------
# The endpoint


def bearer_token(request: Request) -> str | None:
    """The access token from ``Authorization: Bearer`` or the ``access_token`` parameter."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    return request.query_params.get("access_token") or None


def _unauthorized(description: str) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_token", "error_description": description},
        status_code=401,
        headers={
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'
        },
    )


async def graphql_endpoint(request: Request) -> Response:
    """Execute one GraphQL request against the sandbox schema."""
    state: SandboxState = request.app.state.sandbox
    schema: GraphQLSchema = request.app.state.schema
    tenant = request.headers.get(TENANT_HEADER)
    response, op_name = await _handle(request, state, schema, tenant)
    state.record(
        RequestRecord(
            "graphql",
            request.method,
            response.status_code,
            operation_name=op_name,
            tenant_id=tenant,
        )
    )
    return response


async def _handle(
    request: Request, state: SandboxState, schema: GraphQLSchema, tenant: str | None
) -> tuple[Response, str | None]:
    config = state.config
    if state.rate_limited():
        state.count("rate_limited")
        return Response("Too Many Requests", status_code=429, media_type="text/plain"), None
    token_value = bearer_token(request)
    if token_value is None:
        state.count("unauthorized")
        return _unauthorized("missing access token"), None
    token = state.tokens.check_access(token_value)
    if token is None:
        state.count("unauthorized")
        return _unauthorized("access token is invalid or expired"), None
    org = state.data.orgs.get(tenant) if tenant else state.data.default_org
    if org is None:
        return (
            JSONResponse(
                _error_body(
                    f"The user has no access to the organization {tenant!r}", "PermissionDenied"
                ),
                status_code=403,
            ),
            None,
        )
    try:
        raw_body = await request.body()
    except ClientDisconnect:  # the client gave up (e.g. its timeout): nothing to answer
        return Response(status_code=499), None
    try:
        body = json.loads(raw_body)
    except ValueError:
        return JSONResponse(_error_body("Malformed JSON body", "InvalidSyntax"), 400), None
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return JSONResponse(_error_body("The query must be a string.", "InvalidSyntax"), 400), None
    op_name = body.get("operationName") if isinstance(body.get("operationName"), str) else None
    try:
        document = parse(body["query"])
    except GraphQLSyntaxError as exc:
        return JSONResponse({"errors": [format_error(exc)]}), op_name
    operation = _select_operation(document, op_name)
    ctx = RequestContext(
        config=config,
        data=state.data,
        org=org,
        token=token,
        fake_list_length=config.fake_list_length,
    )
    denied_names: list[str] = []
    root_value: dict[str, Any] = dict(QUERY_ROOT)
    if operation is not None:
        if operation.name and op_name is None:
            op_name = operation.name.value
        denied, denied_names = denied_fields(schema, document, operation, token.scopes, config)
        ctx.denied = denied
        if operation.operation == OperationType.MUTATION:
            root_value = dict(MUTATION_ROOT)
        for name in denied:
            root_value[name] = _DENY
    from ariadne import graphql

    _ok, result = await graphql(
        schema,
        body,
        context_value=ctx,
        root_value=root_value,
        query_document=document,
        error_formatter=format_error,
        logger=_quiet_logger,
        debug=False,
    )
    executed = "data" in result
    if executed:
        state.count("graphql_executed")
        if op_name:
            state.count(f"operation.{op_name}")
        if operation is not None and operation.operation == OperationType.MUTATION:
            ran = [n for n in _root_fields(operation, document) if n not in ctx.denied]
            if ran:
                state.count("mutations")
            for name in ran:
                state.count(f"mutation.{name}")
    errors = [e for e in result.get("errors", []) if not e.get("__scope_denied__")]
    if executed and denied_names:
        errors.insert(0, {"message": SCOPE_MESSAGE.format(fields=", ".join(denied_names))})
    out: dict[str, Any] = {}
    if errors:
        out["errors"] = errors
    if executed:
        out["data"] = result["data"]
    if config.latency:
        import anyio

        await anyio.sleep(config.latency)
    return JSONResponse(out), op_name

"""OAuth2 endpoints at Upwork's paths: authorize (auto-consent) and token (three grants)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from upwork_gql.sandbox.config import OAuthClientConfig
from upwork_gql.sandbox.state import RequestRecord, SandboxState
from upwork_gql.sandbox.tokens import InvalidGrant, verify_pkce

AUTHORIZE_PATH = "/ab/account-security/oauth2/authorize"
TOKEN_PATH = "/api/v3/oauth2/token"

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _with_params(uri: str, params: dict[str, str], fragment: bool = False) -> str:
    parts = urlsplit(uri)
    encoded = urlencode(params)
    if fragment:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _scopes_for(client: OAuthClientConfig, requested: str | None) -> frozenset[str]:
    if not requested:
        return client.scopes
    wanted = {s for s in requested.replace(",", " ").split() if s}
    return client.scopes & wanted


async def authorize(request: Request) -> Response:
    """``GET /ab/account-security/oauth2/authorize``: consent for the configured user."""
    state = _state(request)
    state.count("authorize_requests")
    params = request.query_params
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri") or params.get("redirect_url")
    response_type = params.get("response_type", "code")
    client = state.config.client(client_id)
    state.record(RequestRecord("authorize", request.method, 302 if client else 400))
    if client is None:
        return PlainTextResponse("invalid_client: unknown client_id", status_code=400)
    if not redirect_uri:
        return PlainTextResponse("invalid_request: redirect_uri is required", status_code=400)
    if client.redirect_uris and redirect_uri not in client.redirect_uris:
        return PlainTextResponse("invalid_request: redirect_uri is not registered", status_code=400)
    out: dict[str, str] = {}
    if not state.config.auto_consent:
        out["error"] = "access_denied"
        if params.get("state") is not None:
            out["state"] = params["state"]
        return RedirectResponse(_with_params(redirect_uri, out), status_code=302)
    scopes = _scopes_for(client, params.get("scope"))
    if response_type == "token":
        issued = state.tokens.issue(
            client_id=client.client_id,
            user_id=state.config.user.id,
            scopes=scopes,
            grant="implicit",
            with_refresh=False,
        )
        out = {"access_token": issued.access_token, "expires_in": str(issued.expires_in)}
        out["token_type"] = "bearer"
        if params.get("state") is not None:
            out["state"] = params["state"]
        return RedirectResponse(_with_params(redirect_uri, out, fragment=True), status_code=302)
    if response_type != "code":
        return PlainTextResponse("unsupported_response_type", status_code=400)
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if challenge and (method or "plain").upper() not in {"S256", "PLAIN"}:
        return PlainTextResponse("invalid_request: bad code_challenge_method", status_code=400)
    code = state.tokens.issue_code(client.client_id, redirect_uri, scopes, challenge, method)
    out = {"code": code}
    if params.get("state") is not None:
        out["state"] = params["state"]
    return RedirectResponse(_with_params(redirect_uri, out), status_code=302)


def _error(state: SandboxState, status: int, error: str, description: str) -> JSONResponse:
    state.count("token_errors")
    headers = dict(_NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers=headers)


async def token(request: Request) -> Response:
    """``POST /api/v3/oauth2/token``: authorization_code, refresh_token, client_credentials."""
    state = _state(request)
    # application/x-www-form-urlencoded, parsed here (no python-multipart needed).
    raw = (await request.body()).decode("utf-8", "replace")
    fields: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    grant_type = fields.get("grant_type", "")
    response = _token_response(state, fields, grant_type)
    state.record(RequestRecord("token", "POST", response.status_code, grant_type=grant_type))
    return response


def _token_response(state: SandboxState, fields: dict[str, Any], grant_type: str) -> Response:
    client_id = fields.get("client_id", "")
    client_secret = fields.get("client_secret", "")
    if not client_id or not client_secret:
        return _error(
            state,
            401,
            "invalid_client",
            "client_id and client_secret must be sent in the form body",
        )
    client = state.config.client(client_id)
    if client is None or not secrets.compare_digest(client.client_secret, client_secret):
        return _error(state, 401, "invalid_client", "client authentication failed")
    try:
        if grant_type == "authorization_code":
            code = fields.get("code")
            if not code:
                return _error(state, 400, "invalid_request", "code is required")
            record = state.tokens.consume_code(code, client.client_id)
            redirect_uri = fields.get("redirect_uri")
            if record.redirect_uri and redirect_uri and redirect_uri != record.redirect_uri:
                raise InvalidGrant("redirect_uri does not match the authorization request")
            if record.code_challenge and not verify_pkce(
                fields.get("code_verifier"), record.code_challenge, record.code_challenge_method
            ):
                raise InvalidGrant("PKCE verification failed")
            issued = state.tokens.issue(
                client_id=client.client_id,
                user_id=state.config.user.id,
                scopes=record.scopes,
                grant="authorization_code",
            )
        elif grant_type == "refresh_token":
            refresh_token = fields.get("refresh_token")
            if not refresh_token:
                return _error(state, 400, "invalid_request", "refresh_token is required")
            issued = state.tokens.rotate(refresh_token, client.client_id)
            state.count("refreshes")
        elif grant_type == "client_credentials":
            if not client.client_credentials:
                return _error(
                    state, 400, "unauthorized_client", "client_credentials is not allowed"
                )
            issued = state.tokens.issue(
                client_id=client.client_id,
                user_id=f"service-account-{client.client_id}",
                scopes=_scopes_for(client, fields.get("scope")),
                grant="client_credentials",
                with_refresh=False,
            )
        else:
            return _error(state, 400, "unsupported_grant_type", f"grant_type {grant_type!r}")
    except InvalidGrant as exc:
        return _error(state, 400, "invalid_grant", exc.description)
    state.count(f"token.{grant_type}")
    return JSONResponse(issued.as_response(), headers=_NO_STORE)

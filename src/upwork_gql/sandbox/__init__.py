"""The embedded sandbox: a fake Upwork API that runs the project's own ``schema.graphql``.

It serves ``POST /graphql`` (ariadne), Upwork's OAuth2 endpoints
(``GET /ab/account-security/oauth2/authorize``, ``POST /api/v3/oauth2/token``), seeded
deterministic data for two organizations, Upwork's scope and pagination rules, and injectable
faults (``POST /_sandbox/faults``). Use it in process::

    app = create_app(SandboxConfig(seed=7))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        ...

or as a real server on loopback::

    with serve_in_thread(SandboxConfig(access_token_ttl=5)) as sandbox:
        sandbox.graphql_url, sandbox.token_url, sandbox.authorize_url, sandbox.state.counters
"""

from upwork_gql.sandbox.app import create_app, get_state
from upwork_gql.sandbox.config import (
    ALL_SCOPES,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ORG_ID,
    DEFAULT_REDIRECT_URI,
    LIMITED_CLIENT_ID,
    LIMITED_CLIENT_SECRET,
    SECOND_ORG_ID,
    OAuthClientConfig,
    OrganizationConfig,
    SandboxConfig,
    UserConfig,
)
from upwork_gql.sandbox.faults import Fault, FaultPlanError
from upwork_gql.sandbox.server import RunningSandbox, serve_async, serve_in_thread
from upwork_gql.sandbox.state import RequestRecord, SandboxState

__all__ = [
    "ALL_SCOPES",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_ORG_ID",
    "DEFAULT_REDIRECT_URI",
    "LIMITED_CLIENT_ID",
    "LIMITED_CLIENT_SECRET",
    "SECOND_ORG_ID",
    "Fault",
    "FaultPlanError",
    "OAuthClientConfig",
    "OrganizationConfig",
    "RequestRecord",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "UserConfig",
    "create_app",
    "get_state",
    "serve_async",
    "serve_in_thread",
]

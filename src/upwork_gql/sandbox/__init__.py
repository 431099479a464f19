"""The embedded sandbox: a fake Upwork API that runs the project's own ``schema.graphql``.

Endpoints (Upwork's paths):

- ``POST /graphql``: ariadne executing the schema. Bearer token required (401 when missing or
  expired); ``X-Upwork-API-TenantId`` picks the organization (default: the first one; 403 for an
  unknown one). Seeded, deterministic data (``SandboxConfig.seed``): 1,000 marketplace job
  postings with 0-200 client proposals, two organizations (``companySelector``) with their own
  rooms (60+, with stories served newest first; the first room of each has 120),
  hourly and fixed contracts (milestones), 7 days of 10-minute work diary cells per hourly
  contract and the time report derived from them (``contractTimeReport``). The mutation
  ``createRoomStoryV2`` stores the message: the next ``roomStories`` returns it first. Some enums
  accept and return values the documentation does not show (``SortOrder`` ``DESC``), as the
  live API does. Every other field resolves to plausible typed values generated from the
  schema. Relay connections with offset cursors as strings (``after: "0"`` is the first item;
  ``pagination`` or ``marketPlaceJobFilter.pagination_eq``); page sizes above the maxima are
  errors. Errors carry ``extensions.classification``; missing scopes give Upwork's message with
  partial data.
- ``GET /ab/account-security/oauth2/authorize``: consents for the configured user and redirects
  with ``code`` and ``state`` (or ``#access_token`` for ``response_type=token``).
- ``POST /api/v3/oauth2/token``: ``authorization_code`` (PKCE checked when a challenge was
  given), ``refresh_token`` (rotation: a new refresh token each time, the old one cut to
  ``refresh_grace``; a dead one gets ``invalid_grant``), ``client_credentials``. Client id and
  secret in the form body.
- ``/_sandbox/faults`` (GET, POST a plan, DELETE), ``GET /_sandbox/state``,
  ``POST /_sandbox/reset``, ``POST /_sandbox/expire-tokens[?kind=refresh]``: test controls.
  Fault plans are described in :mod:`upwork_gql.sandbox.faults`; counters in
  :class:`SandboxState`.

In process::

    app = create_app(SandboxConfig(seed=7))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        token = get_state(app).issue_tokens().access_token
        ...

As a real server on loopback (a free port, uvicorn in a background thread)::

    with serve_in_thread(SandboxConfig(access_token_ttl=5)) as sandbox:
        sandbox.graphql_url, sandbox.token_url, sandbox.authorize_url, sandbox.env()
        sandbox.push_faults({"next": [{"status": 429, "retry_after": 1}]})
        sandbox.state.counters["refreshes"]

Needs the ``sandbox`` extra (``pip install 'upwork-gql[sandbox]'``).
"""

from upwork_gql._extras import missing_extra

if (_missing := missing_extra("sandbox", "the embedded sandbox")) is not None:
    raise _missing

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

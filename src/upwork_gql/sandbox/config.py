"""Configuration of the sandbox: clients, users, organizations, token lifetimes, faults, limits."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from upwork_gql._constants import DEFAULT_MAX_PAGE_SIZE, MAX_PAGE_SIZES

# Scope names carried by sandbox access tokens. Upwork's scopes are named in its key settings
# ("Messaging - Read-Only Access", "Read marketplace Job Postings", ...); the sandbox uses short
# identifiers for the same groups.
SCOPE_COMMON = "common:read"
SCOPE_JOBS = "jobs:read"
SCOPE_PROPOSALS = "proposals:read"
SCOPE_CONTRACTS = "contracts:read"
SCOPE_MESSAGES = "messages:read"
SCOPE_WORKDIARY = "workdiary:read"
SCOPE_WRITE = "common:write"

ALL_SCOPES: tuple[str, ...] = (
    SCOPE_COMMON,
    SCOPE_JOBS,
    SCOPE_PROPOSALS,
    SCOPE_CONTRACTS,
    SCOPE_MESSAGES,
    SCOPE_WORKDIARY,
    SCOPE_WRITE,
)

#: Which root fields need which scope. A key is ``Type.field`` or ``Type.*``; root fields that are
#: not listed need no scope.
DEFAULT_FIELD_SCOPES: Mapping[str, str] = {
    "Query.marketplaceJobPostings": SCOPE_JOBS,
    "Query.marketplaceJobPostingsSearch": SCOPE_JOBS,
    "Query.marketplaceJobPosting": SCOPE_JOBS,
    "Query.clientProposals": SCOPE_PROPOSALS,
    "Query.clientProposal": SCOPE_PROPOSALS,
    "Query.contract": SCOPE_CONTRACTS,
    "Query.contractList": SCOPE_CONTRACTS,
    "Query.roomList": SCOPE_MESSAGES,
    "Query.room": SCOPE_MESSAGES,
    "Query.roomStories": SCOPE_MESSAGES,
    "Query.offerRoom": SCOPE_MESSAGES,
    "Query.proposalRoom": SCOPE_MESSAGES,
    "Query.workDiaryContract": SCOPE_WORKDIARY,
    "Query.workDiaryCompany": SCOPE_WORKDIARY,
    "Query.contractTimeReport": SCOPE_WORKDIARY,
    "Query.timeReport": SCOPE_WORKDIARY,
    "Query.organization": SCOPE_COMMON,
    "Query.user": SCOPE_COMMON,
    "Query.companySelector": SCOPE_COMMON,
    "Mutation.*": SCOPE_WRITE,
}

#: Page-size maxima per connection field ("*" is the default): the client's own table
#: (``_constants.MAX_PAGE_SIZES``), so the sandbox enforces exactly what the paginators assume.
DEFAULT_PAGE_SIZE_LIMITS: Mapping[str, int] = {**MAX_PAGE_SIZES, "*": DEFAULT_MAX_PAGE_SIZE}

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
LIMITED_CLIENT_ID = "sandbox-limited-client"
LIMITED_CLIENT_SECRET = "sandbox-limited-secret"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"

DEFAULT_ORG_ID = "584000000000000176"
SECOND_ORG_ID = "470000000000000197"


@dataclass(frozen=True)
class OAuthClientConfig:
    """An OAuth2 client (an API key) registered in the sandbox."""

    client_id: str
    client_secret: str
    scopes: frozenset[str] = frozenset(ALL_SCOPES)
    #: Allowed redirect URIs; empty means any.
    redirect_uris: tuple[str, ...] = ()
    #: Whether the client may use the client_credentials grant (Upwork: enterprise keys only).
    client_credentials: bool = True

    def __repr__(self) -> str:
        return f"OAuthClientConfig(client_id={self.client_id!r}, client_secret='***')"


@dataclass(frozen=True)
class OrganizationConfig:
    """An organization (tenant) the sandbox user belongs to; its data is seeded from ``seed``."""

    id: str
    name: str
    rooms: int = 64
    hourly_contracts: int = 6
    fixed_contracts: int = 4


@dataclass(frozen=True)
class UserConfig:
    """The resource owner that the authorize endpoint consents for."""

    id: str = "1130000000000000042"
    nid: str = "adalovelace"
    name: str = "Ada Lovelace"
    email: str = "ada@example.com"


def _default_clients() -> tuple[OAuthClientConfig, ...]:
    return (
        OAuthClientConfig(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        OAuthClientConfig(
            LIMITED_CLIENT_ID,
            LIMITED_CLIENT_SECRET,
            scopes=frozenset(ALL_SCOPES) - {SCOPE_MESSAGES},
        ),
    )


def _default_orgs() -> tuple[OrganizationConfig, ...]:
    return (
        OrganizationConfig(DEFAULT_ORG_ID, "Acme Robotics LLC", rooms=64),
        OrganizationConfig(
            SECOND_ORG_ID, "Globex Design Studio", rooms=72, hourly_contracts=4, fixed_contracts=5
        ),
    )


@dataclass
class SandboxConfig:
    """Everything the sandbox can be told. All defaults give a working, deterministic sandbox."""

    seed: int = 42
    #: Number of marketplace job postings.
    jobs: int = 1000
    #: The data's "today": work diaries cover the 7 days ending here. Fixed for determinism.
    anchor_date: dt.date = dt.date(2026, 11, 16)
    organizations: tuple[OrganizationConfig, ...] = field(default_factory=_default_orgs)
    user: UserConfig = field(default_factory=UserConfig)
    clients: tuple[OAuthClientConfig, ...] = field(default_factory=_default_clients)

    # OAuth2.
    access_token_ttl: float = 86400.0
    refresh_token_ttl: float = 14 * 86400.0
    #: Life left to a refresh token once it has been rotated (Upwork: 24 hours).
    refresh_grace: float = 86400.0
    code_ttl: float = 600.0
    #: The authorize endpoint consents automatically; when False it redirects with access_denied.
    auto_consent: bool = True
    #: Clock for token lifetimes (seconds since the epoch); tests may pass a fake one.
    clock: Callable[[], float] = time.time

    # GraphQL.
    #: Path of the schema SDL; default: the package copy, else the repository's schema.graphql.
    schema_path: Path | None = None
    #: The schema SDL itself (wins over ``schema_path``).
    schema_sdl: str | None = None
    field_scopes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELD_SCOPES))
    page_size_limits: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_PAGE_SIZE_LIMITS)
    )
    #: Items in lists that have no seeded data.
    fake_list_length: int = 2

    # Behaviour and faults.
    #: Seconds added to every GraphQL response.
    latency: float = 0.0
    #: Requests per second allowed on /graphql before 429 (None: unlimited).
    rate_limit: float | None = None
    #: Initial fault plan, same shape as the JSON accepted by ``POST /_sandbox/faults``.
    faults: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
    #: Serve the ``/_sandbox/...`` control endpoints.
    control_endpoints: bool = True

    def client(self, client_id: str) -> OAuthClientConfig | None:
        """The registered client with this id, if any."""
        for c in self.clients:
            if c.client_id == client_id:
                return c
        return None

    def organization(self, org_id: str) -> OrganizationConfig | None:
        """The organization with this id, if any."""
        for o in self.organizations:
            if o.id == org_id:
                return o
        return None

    @property
    def default_client(self) -> OAuthClientConfig:
        """The first registered client (full scopes by default)."""
        return self.clients[0]

    def page_size_limit(self, root_field: str) -> int:
        """Largest ``first`` allowed on a connection under ``root_field``."""
        limits = self.page_size_limits
        return int(limits.get(root_field, limits.get("*", 50)))

    def required_scope(self, type_name: str, field_name: str) -> str | None:
        """The scope a root field needs, or None."""
        scopes = self.field_scopes
        return scopes.get(f"{type_name}.{field_name}") or scopes.get(f"{type_name}.*")

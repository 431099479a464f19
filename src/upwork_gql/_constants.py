"""Every default of upwork-gql in one place. Nothing here means "wait forever"."""

from __future__ import annotations

import httpx

# Endpoints (each overridable: UPWORK_API_URL, UPWORK_TOKEN_URL, UPWORK_AUTHORIZE_URL).
DEFAULT_API_URL = "https://api.upwork.com/graphql"
DEFAULT_TOKEN_URL = "https://www.upwork.com/api/v3/oauth2/token"
DEFAULT_AUTHORIZE_URL = "https://www.upwork.com/ab/account-security/oauth2/authorize"

# Headers.
TENANT_HEADER = "X-Upwork-API-TenantId"
REQUEST_ID_HEADER = "vnd.eo.request-id"

# Timeouts (seconds): finite everywhere.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

# Retries.
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
#: HTTP statuses retried, by the API client (queries) and the token endpoint alike.
RETRYABLE_STATUS_CODES: frozenset[int] = frozenset({408, 429, *range(500, 600)})

# Client-side rate limiting (Upwork documents ~10 requests/second per IP).
DEFAULT_RATE_LIMIT_PER_SECOND = 10.0
#: Requests the limiter lets through back to back: 1 means evenly spaced, never a burst.
DEFAULT_RATE_LIMIT_BURST = 1
#: Seconds added to every one-second window: `rate` requests span (1 + this) seconds, so that
#: network and scheduling jitter up to this much between the client and the server cannot put
#: one request too many into a second as the server counts it. The same for the in-process and
#: the shared (Redis) limiter; it costs about 9 % of the configured rate.
RATE_LIMIT_JITTER_MARGIN = 0.1
DEFAULT_MAX_CONCURRENCY = 16
#: Requests per day per API key (Upwork's documented quota); the budget resets at 00:00 UTC.
DEFAULT_DAILY_QUOTA = 40_000

# OAuth2 token management.
TOKEN_ENDPOINT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
TOKEN_ENDPOINT_MAX_RETRIES = 3
#: Overall bound on one token request, retries and backoff included (the cross-process lock is
#: held that long at most, so TOKEN_FILE_LOCK_TIMEOUT must be longer).
TOKEN_ENDPOINT_DEADLINE = 90.0
TOKEN_REFRESH_LEEWAY_MAX = 300.0  # refresh at most this many seconds before expiry...
TOKEN_REFRESH_LEEWAY_FRACTION = 0.1  # ...and at most this fraction of the token's lifetime
TOKEN_FILE_LOCK_TIMEOUT = 120.0  # > TOKEN_ENDPOINT_DEADLINE: waiters outlast a refresh
TOKEN_FILE_NAME = "token.json"
CONFIG_DIR_NAME = "upwork-gql"
LOGIN_TIMEOUT = 300.0

# Cursor pagination. Upwork documents a page-size maximum only for the job search's
# `marketPlaceJobFilter.pagination_eq` ("Page size is restricted to be <= 100"), which both job
# search roots take; for every other connection we assume a conservative 50 (the bound Upwork
# documents for its freelancer search). The embedded sandbox enforces the same table.
DEFAULT_PAGE_SIZE = 50
MIN_PAGE_SIZE = 1
DEFAULT_MAX_PAGE_SIZE = 50
MAX_PAGE_SIZES: dict[str, int] = {  # root field -> max `first`
    "marketplaceJobPostings": 100,
    "marketplaceJobPostingsSearch": 100,
}

# Environment variables.
ENV_CLIENT_ID = "UPWORK_CLIENT_ID"
ENV_CLIENT_SECRET = "UPWORK_CLIENT_SECRET"
ENV_REDIRECT_URI = "UPWORK_REDIRECT_URI"
ENV_TOKEN_FILE = "UPWORK_TOKEN_FILE"
ENV_TENANT_ID = "UPWORK_TENANT_ID"
ENV_API_URL = "UPWORK_API_URL"
ENV_TOKEN_URL = "UPWORK_TOKEN_URL"
ENV_AUTHORIZE_URL = "UPWORK_AUTHORIZE_URL"
ENV_REDIS_URL = "UPWORK_REDIS_URL"
ENV_RATE_LIMIT = "UPWORK_RATE_LIMIT"
ENV_DAILY_QUOTA = "UPWORK_DAILY_QUOTA"
#: "1" (or true/yes/on): refuse a token file others can read or replace, instead of warning.
ENV_TOKEN_FILE_STRICT = "UPWORK_TOKEN_FILE_STRICT"
#: A plain bearer access token (``upwork-gql schema pull``), instead of the saved login.
ENV_ACCESS_TOKEN = "UPWORK_ACCESS_TOKEN"

USER_AGENT = "upwork-gql"

#: Secrets (tokens, client secrets) the process-wide redactor keeps, most recently added first.
REDACT_MAX_SECRETS = 64
# Several replicas on one credential (Redis, extra `redis`).
#: Every Redis key of this library starts with this prefix, then the client id.
REDIS_KEY_PREFIX = "upwork-gql"
#: Connect and per-command timeouts: an unreachable Redis fails fast instead of hanging calls.
REDIS_CONNECT_TIMEOUT = 5.0
REDIS_SOCKET_TIMEOUT = 5.0
#: Expiry of the cross-replica refresh lock: longer than one token request may take
#: (TOKEN_ENDPOINT_DEADLINE), so a live holder never loses it, short enough that a holder that
#: died only delays the others this long.
REDIS_TOKEN_LOCK_TTL = 120.0
#: How long a replica waits for another replica's refresh (> REDIS_TOKEN_LOCK_TTL).
REDIS_TOKEN_LOCK_WAIT = 150.0
#: How often a waiting replica looks at the stored token (and tries the lock).
REDIS_TOKEN_POLL_INTERVAL = 0.05
#: The shared limiter's spacing slack (see RATE_LIMIT_JITTER_MARGIN).
REDIS_RATE_JITTER_ALLOWANCE = RATE_LIMIT_JITTER_MARGIN
#: A waiter that wakes up too late for its slot takes a new one, at most this many times.
REDIS_RATE_MAX_RETAKES = 3
#: After Redis failed, the shared rate limiter paces requests in-process for this long before
#: trying Redis again.
REDIS_RETRY_INTERVAL = 5.0

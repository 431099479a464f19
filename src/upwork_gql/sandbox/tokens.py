"""The sandbox's token store: authorization codes, access tokens, rotating refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class AuthorizationCode:
    """A one-time code issued by the authorize endpoint."""

    client_id: str
    redirect_uri: str | None
    scopes: frozenset[str]
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@dataclass
class AccessToken:
    """An issued access token (the value itself is the store's key)."""

    client_id: str
    user_id: str
    scopes: frozenset[str]
    expires_at: float
    grant: str


@dataclass
class RefreshToken:
    """An issued refresh token; ``rotated`` once it has been used."""

    client_id: str
    user_id: str
    scopes: frozenset[str]
    expires_at: float
    rotated: bool = False
    uses: int = 0


@dataclass
class IssuedTokens:
    """What the token endpoint returns."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    def as_response(self) -> dict[str, object]:
        """The token endpoint's JSON body (Upwork's shape)."""
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        return body

    def __repr__(self) -> str:
        return f"IssuedTokens(access_token='***', expires_in={self.expires_in})"


class InvalidGrant(Exception):
    """The code or refresh token is unknown, used, expired, or bound to another client."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def verify_pkce(verifier: str | None, challenge: str, method: str | None) -> bool:
    """Check a PKCE ``code_verifier`` against the stored challenge (S256 or plain)."""
    if not verifier:
        return False
    if (method or "plain").upper() == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "strict")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        return secrets.compare_digest(computed, challenge)
    return secrets.compare_digest(verifier, challenge)


def _new_token() -> str:
    return "oauth2v2_" + secrets.token_hex(16)


class TokenStore:
    """Thread-safe token bookkeeping with Upwork's rotation rules."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        access_ttl: float,
        refresh_ttl: float,
        refresh_grace: float,
        code_ttl: float,
    ) -> None:
        self.clock = clock
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.refresh_grace = refresh_grace
        self.code_ttl = code_ttl
        self._lock = threading.Lock()
        self.codes: dict[str, AuthorizationCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    # Authorization codes.
    def issue_code(
        self,
        client_id: str,
        redirect_uri: str | None,
        scopes: Iterable[str],
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> str:
        """A new single-use authorization code."""
        code = secrets.token_hex(16)
        with self._lock:
            self.codes[code] = AuthorizationCode(
                client_id=client_id,
                redirect_uri=redirect_uri,
                scopes=frozenset(scopes),
                expires_at=self.clock() + self.code_ttl,
                code_challenge=code_challenge,
                code_challenge_method=code_challenge_method,
            )
        return code

    def consume_code(self, code: str, client_id: str) -> AuthorizationCode:
        """Take a code (single use); raises :class:`InvalidGrant`."""
        with self._lock:
            record = self.codes.pop(code, None)
        if record is None:
            raise InvalidGrant("authorization code is invalid or was already used")
        if record.client_id != client_id:
            raise InvalidGrant("authorization code was issued to another client")
        if record.expires_at <= self.clock():
            raise InvalidGrant("authorization code expired")
        return record

    # Access and refresh tokens.
    def issue(
        self,
        *,
        client_id: str,
        user_id: str,
        scopes: Iterable[str],
        grant: str,
        with_refresh: bool = True,
        access_ttl: float | None = None,
    ) -> IssuedTokens:
        """A new access token, and a refresh token unless ``with_refresh`` is False."""
        ttl = self.access_ttl if access_ttl is None else access_ttl
        now = self.clock()
        scope_set = frozenset(scopes)
        access = _new_token()
        refresh = _new_token() if with_refresh else None
        with self._lock:
            self.access[access] = AccessToken(client_id, user_id, scope_set, now + ttl, grant)
            if refresh is not None:
                self.refresh[refresh] = RefreshToken(
                    client_id, user_id, scope_set, now + self.refresh_ttl
                )
        return IssuedTokens(access, max(math.ceil(ttl), 0), refresh, scope_set)

    def rotate(self, refresh_token: str, client_id: str) -> IssuedTokens:
        """Upwork's refresh: a new pair; the old refresh token's life is cut to the grace period."""
        now = self.clock()
        with self._lock:
            record = self.refresh.get(refresh_token)
            if record is None or record.expires_at <= now:
                raise InvalidGrant("refresh token is invalid or expired")
            if record.client_id != client_id:
                raise InvalidGrant("refresh token was issued to another client")
            record.uses += 1
            if not record.rotated:
                record.rotated = True
                record.expires_at = min(record.expires_at, now + self.refresh_grace)
            user_id, scopes = record.user_id, record.scopes
        return self.issue(
            client_id=client_id, user_id=user_id, scopes=scopes, grant="refresh_token"
        )

    def check_access(self, token: str) -> AccessToken | None:
        """The live access token record, or None when unknown or expired."""
        record = self.access.get(token)
        if record is None or record.expires_at <= self.clock():
            return None
        return record

    def expire_access_tokens(self) -> int:
        """Expire every access token now (forces clients through their refresh path)."""
        return self._expire_all(self.access)

    def expire_refresh_tokens(self) -> int:
        """Expire every refresh token now (the next refresh gets invalid_grant)."""
        return self._expire_all(self.refresh)

    def _expire_all(self, records: Mapping[str, AccessToken | RefreshToken]) -> int:
        now = self.clock()
        with self._lock:
            for record in records.values():
                record.expires_at = min(record.expires_at, now)
            return len(records)

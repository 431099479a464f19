"""The token pair, held as secrets.

:class:`Token` reads the token dict that ``python-upwork-oauth2`` (and authlib's ``OAuth2Token``)
users already have (``access_token``, ``refresh_token``, ``token_type``, ``expires_in``,
``expires_at``) and writes the same shape back, so a saved login moves over unchanged.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import SecretStr

from upwork_gql._constants import TOKEN_REFRESH_LEEWAY_FRACTION, TOKEN_REFRESH_LEEWAY_MAX
from upwork_gql._exceptions import OAuthError

__all__ = ["Token", "expires_in", "refresh_digest", "refresh_leeway", "same_access"]

_KNOWN_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "expires_at",
        "scope",
        "grant_type",
    }
)


def refresh_leeway(lifetime: float | None) -> float:
    """Seconds before expiry at which a token is refreshed, scaled to its lifetime.

    A 24-hour token is refreshed 5 minutes early; a 60-second token 6 seconds early (never
    "born expired").
    """
    if lifetime is None or lifetime <= 0:
        return TOKEN_REFRESH_LEEWAY_MAX if lifetime is None else 0.0
    return min(TOKEN_REFRESH_LEEWAY_MAX, lifetime * TOKEN_REFRESH_LEEWAY_FRACTION)


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise OAuthError(f"token field {name!r} is not a number") from None
    if not math.isfinite(number):
        raise OAuthError(f"token field {name!r} is not a finite number")
    return number


def _secret(value: Any, name: str, *, required: bool) -> SecretStr | None:
    if value is None or value == "":
        if required:
            raise OAuthError(f"token has no {name!r}")
        return None
    if isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise OAuthError(f"token field {name!r} is not a string")
    return SecretStr(value)


@dataclass(frozen=True, repr=False)
class Token:
    """An OAuth2 token pair. ``repr``/``str`` never show the secrets.

    ``expires_at`` is a UNIX timestamp (seconds); ``expires_in`` the lifetime the server granted,
    used to scale the refresh leeway. A token without ``expires_at`` never expires proactively:
    it is refreshed only when the API rejects it.
    """

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    token_type: str = "Bearer"
    expires_at: float | None = None
    expires_in: float | None = None
    scope: str | None = None
    grant_type: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, now: float | None = None) -> Token:
        """Build a token from a token-endpoint response or a saved token dict.

        ``expires_at`` wins when present; otherwise it is computed as ``now + expires_in``.
        """
        if not isinstance(data, Mapping):
            raise OAuthError("token data is not an object")
        now = time.time() if now is None else now
        access = _secret(data.get("access_token"), "access_token", required=True)
        assert access is not None
        refresh = _secret(data.get("refresh_token"), "refresh_token", required=False)
        expires_in = _number(data.get("expires_in"), "expires_in")
        expires_at = _number(data.get("expires_at"), "expires_at")
        if expires_at is None and expires_in is not None:
            expires_at = now + expires_in
        if expires_at is not None:
            expires_at = round(expires_at, 3)  # what the store keeps: round-trips exactly
        token_type = data.get("token_type") or "Bearer"
        scope = data.get("scope")
        if isinstance(scope, list | tuple):
            scope = " ".join(str(s) for s in scope)
        grant_type = data.get("grant_type")
        extra = {k: v for k, v in data.items() if k not in _KNOWN_KEYS}
        return cls(
            access_token=access,
            refresh_token=refresh,
            token_type=str(token_type),
            expires_at=expires_at,
            expires_in=expires_in,
            scope=str(scope) if scope is not None else None,
            grant_type=str(grant_type) if grant_type is not None else None,
            extra=extra,
        )

    def to_dict(self) -> dict[str, Any]:
        """The plaintext dict (python-upwork-oauth2 shape) for storage. Handle as a secret."""
        data: dict[str, Any] = {
            "access_token": self.access_token.get_secret_value(),
            "token_type": self.token_type,
        }
        if self.refresh_token is not None:
            data["refresh_token"] = self.refresh_token.get_secret_value()
        if self.expires_in is not None:
            data["expires_in"] = (
                int(self.expires_in) if self.expires_in.is_integer() else self.expires_in
            )
        if self.expires_at is not None:
            data["expires_at"] = round(self.expires_at, 3)
        if self.scope is not None:
            data["scope"] = self.scope
        if self.grant_type is not None:
            data["grant_type"] = self.grant_type
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return data

    def with_refresh_token(self, refresh_token: SecretStr | None) -> Token:
        return replace(self, refresh_token=refresh_token)

    def with_grant_type(self, grant_type: str | None) -> Token:
        return replace(self, grant_type=grant_type)

    # -- expiry ------------------------------------------------------------------------------

    @property
    def access(self) -> str:
        """The access token value (a secret: never log it)."""
        return self.access_token.get_secret_value()

    @property
    def lifetime(self) -> float | None:
        return self.expires_in

    @property
    def leeway(self) -> float:
        return refresh_leeway(self.expires_in)

    def seconds_left(self, now: float | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    def is_expired(self, now: float | None = None) -> bool:
        """Actually past ``expires_at`` (no leeway)."""
        left = self.seconds_left(now)
        return left is not None and left <= 0

    def needs_refresh(self, now: float | None = None) -> bool:
        """Within the (lifetime-scaled) leeway of expiry, or past it."""
        left = self.seconds_left(now)
        return left is not None and left <= self.leeway

    # -- secrecy -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        refresh = "'***'" if self.refresh_token is not None else "None"
        return (
            f"Token(token_type={self.token_type!r}, access_token='***', refresh_token={refresh}, "
            f"expires_at={self.expires_at!r}, scope={self.scope!r})"
        )

    __str__ = __repr__


def refresh_digest(secret: SecretStr | None) -> str | None:
    """A digest of a refresh token, to remember it without keeping it."""
    if secret is None:
        return None
    return hashlib.sha256(secret.get_secret_value().encode()).hexdigest()


def same_access(a: Token | None, b: Token | None) -> bool:
    """Whether two tokens hold the same access token (two ``None`` count as the same)."""
    if a is None or b is None:
        return a is b
    return a.access_token == b.access_token


def expires_in(token: Token, now: float) -> str:
    """``123s``, or ``never (no expiry)``, for log lines."""
    left = token.seconds_left(now)
    return "never (no expiry)" if left is None else f"{left:.0f}s"

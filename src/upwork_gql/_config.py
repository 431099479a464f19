"""One resolution of every setting: the explicit argument, then the environment, then the default.

``UpworkClient(...)``, ``UpworkClient.from_env(...)``, ``TokenManager(...)`` and the CLI all call
:func:`resolve`, so a setting means the same wherever it is given. An empty environment value
counts as unset. Values are checked here (URLs must be absolute http(s) URLs, numbers positive),
so a bad setting is a :class:`~upwork_gql.ConfigurationError` naming its source before anything
is sent.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from upwork_gql._constants import (
    DEFAULT_API_URL,
    DEFAULT_AUTHORIZE_URL,
    DEFAULT_DAILY_QUOTA,
    DEFAULT_RATE_LIMIT_PER_SECOND,
    DEFAULT_TOKEN_URL,
    ENV_API_URL,
    ENV_AUTHORIZE_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_DAILY_QUOTA,
    ENV_RATE_LIMIT,
    ENV_REDIRECT_URI,
    ENV_REDIS_URL,
    ENV_TENANT_ID,
    ENV_TOKEN_FILE,
    ENV_TOKEN_URL,
)
from upwork_gql._exceptions import ConfigurationError

__all__ = ["SETTINGS", "check_url", "resolve"]


def check_url(value: str, source: str) -> str:
    """``value`` if it is an absolute http(s) URL with a host, else a ConfigurationError."""
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{source} must be an absolute http(s) URL such as https://api.upwork.com/graphql, "
            f"got {value!r}"
        )
    del port
    return value


def _text(value: str, source: str) -> str:
    return value


def _positive_float(value: str | float, source: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{source} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ConfigurationError(f"{source} must be a positive number, got {value!r}")
    return number


def _positive_int(value: str | int, source: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{source} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise ConfigurationError(f"{source} must be a positive whole number, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Setting:
    """A setting: its environment variable, default and parser (``parse(value, source)``)."""

    env: str
    default: Any
    parse: Callable[[Any, str], Any] = _text


SETTINGS: Final[dict[str, Setting]] = {
    "url": Setting(ENV_API_URL, DEFAULT_API_URL, check_url),
    "token_url": Setting(ENV_TOKEN_URL, DEFAULT_TOKEN_URL, check_url),
    "authorize_url": Setting(ENV_AUTHORIZE_URL, DEFAULT_AUTHORIZE_URL, check_url),
    "tenant_id": Setting(ENV_TENANT_ID, None),
    "client_id": Setting(ENV_CLIENT_ID, None),
    "client_secret": Setting(ENV_CLIENT_SECRET, None),
    "redirect_uri": Setting(ENV_REDIRECT_URI, None),
    "token_file": Setting(ENV_TOKEN_FILE, None),
    "redis_url": Setting(ENV_REDIS_URL, None),
    "rate_limit": Setting(ENV_RATE_LIMIT, DEFAULT_RATE_LIMIT_PER_SECOND, _positive_float),
    "daily_quota": Setting(ENV_DAILY_QUOTA, DEFAULT_DAILY_QUOTA, _positive_int),
}


def resolve(name: str, explicit: Any = None, environ: Mapping[str, str] | None = None) -> Any:
    """The value of setting ``name``: ``explicit`` if not ``None``, else its environment
    variable if set and non-empty, else its default; checked by the setting's parser."""
    setting = SETTINGS[name]
    if explicit is not None:
        return setting.parse(explicit, f"{name}=") if explicit != "" else setting.default
    env = os.environ if environ is None else environ
    raw = env.get(setting.env, "")
    value = raw.strip() if name != "client_secret" else raw
    if value:
        return setting.parse(value, setting.env)
    return setting.default

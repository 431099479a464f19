"""OAuth2 for upwork-gql: the token manager (an ``httpx.Auth``), token stores and grant helpers.

::

    from upwork_gql.auth import FileTokenStore, TokenManager

    manager = TokenManager(client_id, client_secret, store=FileTokenStore("token.json"))
    async with httpx.AsyncClient(auth=manager) as http:
        ...
"""

from __future__ import annotations

from upwork_gql.auth._token import Token, refresh_leeway
from upwork_gql.auth.grants import (
    build_authorization_url,
    generate_code_verifier,
    generate_state,
    parse_authorization_response,
    parse_implicit_redirect,
)
from upwork_gql.auth.manager import LOGIN_HINT, TokenManager, TokenUpdateHook
from upwork_gql.auth.redis_store import (
    RedisTokenStore,
    import_token_file,
    redis_token_store_from_url,
)
from upwork_gql.auth.stores import (
    FileTokenStore,
    InsecureTokenFileWarning,
    LockableTokenStore,
    MemoryTokenStore,
    TokenStore,
    default_token_path,
)

__all__ = [
    "LOGIN_HINT",
    "FileTokenStore",
    "InsecureTokenFileWarning",
    "LockableTokenStore",
    "MemoryTokenStore",
    "RedisTokenStore",
    "Token",
    "TokenManager",
    "TokenStore",
    "TokenUpdateHook",
    "build_authorization_url",
    "default_token_path",
    "generate_code_verifier",
    "generate_state",
    "import_token_file",
    "parse_authorization_response",
    "parse_implicit_redirect",
    "redis_token_store_from_url",
    "refresh_leeway",
]

"""Hooks as mypy --strict sees them: typed events, sync or async callables, one or several.

Never executed; ``make lint`` type-checks it (mypy ``files`` in pyproject.toml).
"""

from __future__ import annotations

from collections import Counter
from typing import assert_type

from upwork_gql import (
    Hooks,
    RefreshEvent,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    TokenManager,
    UpworkClient,
)

retries: Counter[str | None] = Counter()


async def on_response(event: ResponseEvent) -> None:
    assert_type(event.status_code, int | None)
    assert_type(event.elapsed, float)
    assert_type(event.request_id, str | None)


def on_retry(event: RetryEvent) -> None:  # a plain function works too
    retries[event.operation] += 1
    assert_type(event.wait, float)


async def on_request(event: RequestEvent) -> None:
    assert_type(event.attempt, int)


async def on_refresh(event: RefreshEvent) -> None:
    assert_type(event.error_type, str | None)


hooks = Hooks(
    on_request=on_request,
    on_response=[on_response],
    on_retry=(on_retry,),
    on_refresh=on_refresh,
)
client = UpworkClient(access_token="token", hooks=hooks)
manager = TokenManager("client-id", hooks=Hooks(on_refresh=on_refresh))

"""The hand-written runtime under the generated client: send, retry, map errors, log.

(Placeholder: minimal implementation until the runtime lands.)
"""

from __future__ import annotations

from typing import Any

import httpx


class BaseGraphQLClient:
    """Minimal GraphQL-over-HTTP base used by the generated client."""

    def __init__(
        self,
        url: str = "",
        headers: dict[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.headers = headers or {}
        self.http_client = http_client or httpx.AsyncClient(headers=self.headers)

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        payload = {"query": query, "operationName": operation_name, "variables": variables or {}}
        return await self.http_client.post(self.url, json=payload, **kwargs)

    def get_data(self, response: httpx.Response) -> dict[str, Any]:
        body = response.json()
        data: dict[str, Any] = body["data"]
        return data

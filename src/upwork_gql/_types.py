"""Result types of the runtime: ``NOT_GIVEN``, raw responses, the ``with_raw_response`` accessor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, ParamSpec, TypeVar

import httpx

if TYPE_CHECKING:
    from upwork_gql._base_client import BaseGraphQLClient

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "RawResponse",
    "RawResponseAccessor",
    "ResponseInfo",
    "TimeoutTypes",
]

T = TypeVar("T")
P = ParamSpec("P")


class NotGiven:
    """Sentinel for "argument not given" where ``None`` means something."""

    _instance: ClassVar[NotGiven | None] = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

TimeoutTypes = float | httpx.Timeout


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What came back for one call: status, headers, request id, retries taken, elapsed time."""

    operation: str | None
    status_code: int
    headers: httpx.Headers
    request_id: str | None
    retries_taken: int
    elapsed: float
    http_response: httpx.Response


@dataclass(frozen=True, slots=True)
class RawResponse(Generic[T]):
    """A parsed result together with the :class:`ResponseInfo` of the call that produced it."""

    parsed: T
    info: ResponseInfo

    @property
    def status_code(self) -> int:
        return self.info.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.info.headers

    @property
    def request_id(self) -> str | None:
        return self.info.request_id

    @property
    def retries_taken(self) -> int:
        return self.info.retries_taken

    @property
    def elapsed(self) -> float:
        return self.info.elapsed

    @property
    def http_response(self) -> httpx.Response:
        return self.info.http_response


class RawResponseAccessor:
    """``client.with_raw_response``: call an operation and get a :class:`RawResponse`.

    Typed form: ``await client.with_raw_response(client.contract, id="1")``.
    Short form: ``await client.with_raw_response.contract(id="1")`` (result typed as ``Any``).
    Safe under concurrency: each call gets its own response record, nothing is stored on the client.
    """

    __slots__ = ("_client",)

    def __init__(self, client: BaseGraphQLClient) -> None:
        self._client = client

    async def __call__(
        self, method: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> RawResponse[T]:
        infos: list[ResponseInfo] = []
        kwargs["_response_hook"] = infos.append
        parsed = await method(*args, **kwargs)
        if not infos:
            raise TypeError("with_raw_response expects an operation method of an UpworkClient")
        return RawResponse(parsed=parsed, info=infos[-1])

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return await self(method, *args, **kwargs)

        return call

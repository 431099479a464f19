"""A hand-written package shaped exactly like the generated one, for runtime tests.

It exercises :class:`upwork_gql._base_client.BaseGraphQLClient` independently of the real schema:
an operation registry (``operations.py``), input objects and enums built on the runtime's bases,
result models, and a client whose methods are as thin as the generated ones (one
``_execute_operation`` call each). Its variables cover scalar, list, enum, custom-scalar and
input-object types, optional ``UNSET`` arguments, a query returning a connection and a mutation.
"""

from typing import Any

from upwork_gql._base_client import BaseGraphQLClient

from . import operations as _operations
from .base_model import UNSET, UnsetType
from .contract import Contract, ContractContract
from .enums import SortOrder
from .input_types import Pagination, PayInput, RoomFilter
from .operations import CONTRACT_QUERY, PAY_MUTATION, ROOMS_QUERY
from .pay import Pay
from .rooms import Rooms, RoomsRooms, RoomsRoomsEdges, RoomsRoomsEdgesNode

__all__ = [
    "CONTRACT_QUERY",
    "PAY_MUTATION",
    "ROOMS_QUERY",
    "UNSET",
    "Contract",
    "ContractContract",
    "FakeGeneratedClient",
    "Pagination",
    "Pay",
    "PayInput",
    "RoomFilter",
    "Rooms",
    "RoomsRooms",
    "RoomsRoomsEdges",
    "RoomsRoomsEdgesNode",
    "SortOrder",
    "UnsetType",
]


class FakeGeneratedClient(BaseGraphQLClient):
    async def contract(self, id: str, **kwargs: Any) -> Contract:
        variables: dict[str, object] = {"id": id}
        return await self._execute_operation(_operations.CONTRACT, variables, **kwargs)  # type: ignore[no-any-return]

    async def rooms(
        self,
        filter_: RoomFilter | None | UnsetType = UNSET,
        pagination: Pagination | None | UnsetType = UNSET,
        sort: SortOrder | None | UnsetType = UNSET,
        ids: list[str] | None | UnsetType = UNSET,
        since: Any | None | UnsetType = UNSET,
        limit: int | None | UnsetType = UNSET,
        ratio: float | None | UnsetType = UNSET,
        flag: bool | None | UnsetType = UNSET,
        **kwargs: Any,
    ) -> Rooms:
        variables: dict[str, object] = {
            "filter": filter_,
            "pagination": pagination,
            "sort": sort,
            "ids": ids,
            "since": since,
            "limit": limit,
            "ratio": ratio,
            "flag": flag,
        }
        return await self._execute_operation(_operations.ROOMS, variables, **kwargs)  # type: ignore[no-any-return]

    async def pay(self, input: PayInput, **kwargs: Any) -> Pay:
        variables: dict[str, object] = {"input": input}
        return await self._execute_operation(_operations.PAY, variables, **kwargs)  # type: ignore[no-any-return]

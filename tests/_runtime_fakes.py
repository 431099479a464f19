"""A hand-written client shaped exactly like ariadne-codegen's async output, for runtime tests.

It exercises :class:`upwork_gql._base_client.BaseGraphQLClient` independently of the real schema:
scalar, list, enum, custom-scalar and input-object variables, optional ``UNSET`` arguments, a
query returning a connection and a mutation.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel as PydanticBaseModel
from pydantic import ConfigDict, Field

from upwork_gql._base_client import BaseGraphQLClient


class UnsetType:
    def __bool__(self) -> bool:
        return False


UNSET = UnsetType()


class BaseModel(PydanticBaseModel):
    model_config = ConfigDict(
        populate_by_name=True,
        validate_assignment=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
    )


class SortOrder(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class Pagination(BaseModel):
    after: str | None = None
    first: int | None = None


class RoomFilter(BaseModel):
    ids_any: list[str] | None = None
    kind: SortOrder | None = None
    pagination_eq: Pagination | None = None


class PayInput(BaseModel):
    amount: float
    note: str | None = None
    contract_id: str = Field(alias="contractId")


class ContractContract(BaseModel):
    id: str
    title: str | None
    created_at: Any | None = Field(alias="createdAt")
    amount: float | None
    count: int | None


class Contract(BaseModel):
    contract: ContractContract | None


class RoomsRoomsEdgesNode(BaseModel):
    id: str


class RoomsRoomsEdges(BaseModel):
    cursor: str | None
    node: RoomsRoomsEdgesNode | None


class RoomsRooms(BaseModel):
    total_count: int | None = Field(alias="totalCount")
    edges: list[RoomsRoomsEdges | None] | None


class Rooms(BaseModel):
    rooms: RoomsRooms


class Pay(BaseModel):
    pay: bool | None


def gql(q: str) -> str:
    return q


CONTRACT_QUERY = """
            query contract($id: ID!) {
              contract(id: $id) {
                id
                title
                createdAt
                amount
                count
              }
            }
            """

ROOMS_QUERY = """
            query rooms($filter: RoomFilter, $pagination: Pagination, $sort: SortOrder, $ids: [ID!], $since: DateTime, $limit: Int, $ratio: Float, $flag: Boolean) {
              rooms(filter: $filter, pagination: $pagination, sort: $sort, ids: $ids, since: $since, limit: $limit, ratio: $ratio, flag: $flag) {
                totalCount
                edges {
                  cursor
                  node {
                    id
                  }
                }
              }
            }
            """  # noqa: E501

PAY_MUTATION = """
            mutation pay($input: PayInput!) {
              pay(input: $input)
            }
            """


class FakeGeneratedClient(BaseGraphQLClient):
    async def contract(self, id: str, **kwargs: Any) -> Contract:
        query = gql(CONTRACT_QUERY)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="contract", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Contract.model_validate(data)

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
        query = gql(ROOMS_QUERY)
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
        response = await self.execute(
            query=query, operation_name="rooms", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Rooms.model_validate(data)

    async def pay(self, input: PayInput, **kwargs: Any) -> Pay:
        query = gql(PAY_MUTATION)
        variables: dict[str, object] = {"input": input}
        response = await self.execute(
            query=query, operation_name="pay", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Pay.model_validate(data)

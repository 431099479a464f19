"""Input objects of the fake package (generated shape: ``BaseInputModel``, aliases, and the
scalar types that apply GraphQL's input coercion)."""

from pydantic import Field

from .base_model import (
    BaseInputModel,
    GraphQLCustomScalar,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
)
from .enums import SortOrder


class Pagination(BaseInputModel):
    after: GraphQLString | None = None
    first: GraphQLInt | None = None


class RoomFilter(BaseInputModel):
    ids_any: list[GraphQLID] | None = None
    kind: SortOrder | None = None
    pagination_eq: Pagination | None = None


class PayInput(BaseInputModel):
    amount: GraphQLFloat
    note: GraphQLString | None = None
    contract_id: GraphQLID = Field(alias="contractId")
    meta: GraphQLCustomScalar | None = None

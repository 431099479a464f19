"""Input objects of the fake package (generated shape: ``BaseInputModel``, aliases)."""

from pydantic import Field

from .base_model import BaseInputModel
from .enums import SortOrder


class Pagination(BaseInputModel):
    after: str | None = None
    first: int | None = None


class RoomFilter(BaseInputModel):
    ids_any: list[str] | None = None
    kind: SortOrder | None = None
    pagination_eq: Pagination | None = None


class PayInput(BaseInputModel):
    amount: float
    note: str | None = None
    contract_id: str = Field(alias="contractId")

"""Input objects of the fake package (generated shape: ``BaseInputModel``, aliases)."""

from typing import Optional

from pydantic import Field

from .base_model import BaseInputModel
from .enums import SortOrder


class Pagination(BaseInputModel):
    after: Optional[str] = None
    first: Optional[int] = None


class RoomFilter(BaseInputModel):
    ids_any: Optional[list[str]] = None
    kind: Optional[SortOrder] = None
    pagination_eq: Optional[Pagination] = None


class PayInput(BaseInputModel):
    amount: float
    note: Optional[str] = None
    contract_id: str = Field(alias="contractId")

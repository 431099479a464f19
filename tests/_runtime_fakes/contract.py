"""Result models of ``query contract`` (generated shape)."""

from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel


class ContractContract(BaseModel):
    id: str
    title: Optional[str]
    created_at: Optional[Any] = Field(alias="createdAt")
    amount: Optional[float]
    count: Optional[int]


class Contract(BaseModel):
    contract: Optional[ContractContract]

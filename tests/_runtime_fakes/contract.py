"""Result models of ``query contract`` (generated shape)."""

from typing import Any

from pydantic import Field

from .base_model import BaseModel


class ContractContract(BaseModel):
    id: str
    title: str | None
    created_at: Any | None = Field(alias="createdAt")
    amount: float | None
    count: int | None


class Contract(BaseModel):
    contract: ContractContract | None

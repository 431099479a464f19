"""Result model of ``mutation pay`` (generated shape)."""

from .base_model import BaseModel


class Pay(BaseModel):
    pay: bool | None

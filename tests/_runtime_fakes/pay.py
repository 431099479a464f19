"""Result model of ``mutation pay`` (generated shape)."""

from typing import Optional

from .base_model import BaseModel


class Pay(BaseModel):
    pay: Optional[bool]

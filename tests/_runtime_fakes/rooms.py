"""Result models of ``query rooms`` (generated shape)."""

from typing import Optional

from pydantic import Field

from .base_model import BaseModel


class RoomsRoomsEdgesNode(BaseModel):
    id: str


class RoomsRoomsEdges(BaseModel):
    cursor: Optional[str]
    node: Optional[RoomsRoomsEdgesNode]


class RoomsRooms(BaseModel):
    total_count: Optional[int] = Field(alias="totalCount")
    edges: Optional[list[Optional[RoomsRoomsEdges]]]


class Rooms(BaseModel):
    rooms: RoomsRooms

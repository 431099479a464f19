"""Result models of ``query rooms`` (generated shape)."""

from pydantic import Field

from .base_model import BaseModel


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

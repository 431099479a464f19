"""A room's messages (stories): the seeded ones plus those posted with ``createRoomStoryV2``.

Stories are served newest first, as Upwork's ``roomStories`` does: a story just posted is the
first item of the next page 1. Cursors stay offsets, so a story posted while a client pages
shifts the older ones by one, like any offset-paginated API.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from upwork_gql.sandbox.engine import SEED_KEY, SandboxGraphQLError

#: Longest message ``createRoomStoryV2`` accepts (characters).
MAX_MESSAGE_LENGTH = 10_000


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_iso(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=dt.UTC)


class RoomStories(Sequence[Any]):
    """The stories of one room, newest first: posted ones (newest first), then seeded ones.

    ``seeded`` is oldest first (index ``k`` is the ``k``-th story of the room).
    """

    def __init__(self, seeded: Sequence[Any], clock: Callable[[], float]) -> None:
        self._seeded = seeded
        self._clock = clock
        self._posted: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._posted) + len(self._seeded)

    def _get(self, index: int) -> Any:
        total = len(self)
        if index < 0:
            index += total
        if not 0 <= index < total:
            raise IndexError(index)
        posted = len(self._posted)
        if index < posted:
            return self._posted[posted - 1 - index]
        return self._seeded[len(self._seeded) - 1 - (index - posted)]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._get(i) for i in range(*index.indices(len(self)))]
        return self._get(int(index))

    @property
    def posted(self) -> int:
        """How many stories were posted to this room since the sandbox started."""
        return len(self._posted)

    def post(
        self,
        room: Mapping[str, Any],
        message: str,
        user: Mapping[str, Any],
        organization: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Store a new story (the newest) and return it."""
        text = message.strip()
        if not text:
            raise SandboxGraphQLError("The message must not be empty", "ValidationError")
        if len(message) > MAX_MESSAGE_LENGTH:
            raise SandboxGraphQLError(
                f"The message is longer than {MAX_MESSAGE_LENGTH} characters", "ValidationError"
            )
        with self._lock:
            now = dt.datetime.fromtimestamp(self._clock(), dt.UTC).replace(microsecond=0)
            if len(self):
                # Never older than the newest story, whatever the clock says.
                newest = _parse_iso(self._get(0)["createdDateTime"])
                now = max(now, newest + dt.timedelta(seconds=1))
            number = len(self._seeded) + len(self._posted)
            story_id = f"{room['id']}_s{number:03d}"
            story: dict[str, Any] = {
                "id": story_id,
                "room": room,
                "createdDateTime": _iso(now),
                "updatedDateTime": _iso(now),
                "user": dict(user),
                "organization": dict(organization),
                "message": message,
                "systemStory": False,
                "roomStoryNote": None,
                "attachments": [],
                SEED_KEY: number,
            }
            self._posted.append(story)
        return story

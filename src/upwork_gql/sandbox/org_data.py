"""One organization's seeded private data: rooms, messages, contracts, work diaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from upwork_gql.sandbox._seed import (
    _APPS,
    _EPOCH,
    _MESSAGES,
    _ROOM_TOPICS,
    _THINGS,
    CONTRACT_ID_BASE,
    FREELANCER_POOL,
    STORIES_IN_FIRST_ROOM,
    _rng,
    freelancer_profile,
    hash_text,
    iso,
    money,
    parse_date,
)
from upwork_gql.sandbox.config import OrganizationConfig
from upwork_gql.sandbox.engine import SEED_KEY, Lazy, LazySeq, SandboxGraphQLError, paginate
from upwork_gql.sandbox.messages import RoomStories

if TYPE_CHECKING:
    from upwork_gql.sandbox.data import SandboxData


class OrgData:
    """One organization's private data: its rooms, contracts and work diaries."""

    def __init__(self, world: SandboxData, config: OrganizationConfig, index: int) -> None:
        self.world = world
        self.config = config
        self.index = index
        self.seed = hash_text(f"{world.seed}:{config.id}")
        self.rooms: LazySeq = LazySeq(config.rooms, self._make_room)
        n_contracts = config.hourly_contracts + config.fixed_contracts
        self.contracts: LazySeq = LazySeq(n_contracts, self._make_contract)
        self._room_ids = {self.room_id(i): i for i in range(config.rooms)}
        self._contract_ids = {
            str(CONTRACT_ID_BASE + 1000 * (index + 1) + i): i for i in range(n_contracts)
        }

    @property
    def id(self) -> str:
        """The organization id (the tenant id)."""
        return self.config.id

    @cached_property
    def organization(self) -> dict[str, Any]:
        """The ``organization`` query's value for this tenant."""
        created = self.world.anchor - dt.timedelta(days=900 + 200 * self.index)
        return {
            "id": self.id,
            "rid": str(9_000_000 + self.index),
            "legacyId": str(1_000_000 + self.index),
            "name": self.config.name,
            "type": "CLIENT",
            "legacyType": "ENTERPRISE" if self.index == 0 else "REGULAR",
            "active": True,
            "hidden": False,
            "photoUrl": f"https://www.upwork.com/org-logos/{self.id}.png",
            "creationDate": iso(created)[:10],
            "childOrganizations": [],
            "parentOrganization": None,
            "userId": self.world.config.user.id,
        }

    @cached_property
    def company_selector_item(self) -> dict[str, Any]:
        """This organization's entry in ``companySelector.items``."""
        return {
            "title": self.config.name,
            "photoUrl": self.organization["photoUrl"],
            "organizationId": self.id,
            "organizationRid": self.organization["rid"],
            "organizationType": "CLIENT",
            "organizationLegacyType": self.organization["legacyType"],
            "organizationEnterpriseType": "ENTERPRISE" if self.index == 0 else "NONE",
            "typeTitle": "Client",
            "legacyEnterpriseOrganization": self.index == 0,
        }

    def member(self, index: int) -> dict[str, Any]:
        """A room participant: the sandbox user (index 0) or a freelancer."""
        if index == 0:
            user = self.world.user
            org = {"id": self.id, "name": self.config.name}
        else:
            user = self.world.freelancers[(self.seed + index) % FREELANCER_POOL]
            org = {"id": str(1_500_000_000_000_000_000 + index), "name": user["name"]}
        return {"user": user, "organization": org, "role": "OWNER" if index == 0 else "MEMBER"}

    # Rooms.
    def room_id(self, index: int) -> str:
        """The id of room ``index``."""
        return f"room_{self.seed % 0xFFFFFF:06x}{index:04d}"

    def _make_room(self, index: int) -> dict[str, Any]:
        r = _rng(self.seed, "room", index)
        room_id = self.room_id(index)
        n_users = r.randint(2, 6)
        members = [self.member(0)] + [self.member(r.randint(1, 500)) for _ in range(n_users - 1)]
        room_type = "ONE_ON_ONE" if n_users == 2 else r.choice(("GROUP", "INTERVIEW"))
        created = self.world.anchor - dt.timedelta(hours=6 * index + r.randint(1, 5), days=2)
        n_stories = r.randint(3, 40)
        if index == 0:
            n_stories = STORIES_IN_FIRST_ROOM
        seeded = LazySeq(n_stories, lambda k: self._make_story(index, k, n_stories))
        stories = RoomStories(seeded, self.world.config.clock)
        topic = r.choice(_ROOM_TOPICS)
        other = members[1]["user"]["name"]
        room: dict[str, Any] = {
            "id": room_id,
            "roomName": f"{topic} - {other}" if room_type != "ONE_ON_ONE" else other,
            "topic": topic,
            "roomType": room_type,
            "organization": self.organization,
            "creator": members[0],
            "owner": members[0],
            "roomUsers": members,
            "numUsers": n_users,
            "numUnread": r.choice((0, 0, 0, 1, 2, 5)),
            "numUnreadMentions": r.choice((0, 0, 1)),
            "favorite": r.random() < 0.2,
            "public": False,
            "readOnly": False,
            "hidden": False,
            "muted": False,
            "createdAtDateTime": iso(created),
            "joinDateTime": iso(created),
            "lastVisitedDateTime": iso(self.world.anchor - dt.timedelta(hours=index)),
            "lastReadDateTime": iso(self.world.anchor - dt.timedelta(hours=index)),
            "roomNotePresent": False,
            "offerIds": [],
            "recruiters": [],
            "contractId": None,
            "latestStory": Lazy(lambda info, args: stories[0]),
            "stories": Lazy(lambda info, args: paginate(stories, info, args)),
        }
        room["_stories"] = stories
        return room

    def _make_story(self, room_index: int, k: int, total: int) -> dict[str, Any]:
        r = _rng(self.seed, "story", room_index, k)
        room = self.rooms[room_index]
        author = room["roomUsers"][r.randrange(len(room["roomUsers"]))]
        created = self.world.anchor - dt.timedelta(
            hours=6 * room_index, minutes=(total - k) * 17 + r.randint(0, 9)
        )
        return {
            "id": f"{room['id']}_s{k:03d}",
            "room": room,
            "createdDateTime": iso(created),
            "updatedDateTime": iso(created),
            "user": author["user"],
            "organization": author["organization"],
            "message": r.choice(_MESSAGES),
            "systemStory": k == 0,
        }

    def room(self, room_id: Any) -> dict[str, Any]:
        """A room by id; not-found error otherwise."""
        index = self._room_ids.get(str(room_id))
        if index is None:
            raise SandboxGraphQLError(f"Room {room_id} not found")
        room: dict[str, Any] = self.rooms[index]
        return room

    def stories(self, room_id: Any) -> RoomStories:
        """The stories of a room, newest first; not-found error for an unknown room."""
        stories: RoomStories = self.room(room_id)["_stories"]
        return stories

    def post_story(self, room_id: Any, message: str) -> dict[str, Any]:
        """Post a message to a room as the sandbox user, in this organization."""
        room = self.room(room_id)
        author = self.member(0)
        stories: RoomStories = room["_stories"]
        return stories.post(room, message, author["user"], author["organization"])

    # Contracts.
    def contract_ids(self) -> list[str]:
        """Every contract id of this organization (hourly first)."""
        return list(self._contract_ids)

    def hourly_contract_ids(self) -> list[str]:
        """Ids of the hourly contracts (the ones with work diaries)."""
        return self.contract_ids()[: self.config.hourly_contracts]

    def diary_dates(self) -> list[str]:
        """The 7 days (YYYY-MM-DD, oldest first) that have work diary data."""
        end = self.world.config.anchor_date
        return [(end - dt.timedelta(days=d)).isoformat() for d in range(6, -1, -1)]

    def contract(self, contract_id: Any) -> dict[str, Any]:
        """A contract by id; not-found error otherwise (also for other tenants' contracts)."""
        index = self._contract_ids.get(str(contract_id))
        if index is None:
            raise SandboxGraphQLError(f"Contract {contract_id} not found")
        contract: dict[str, Any] = self.contracts[index]
        return contract

    def _make_contract(self, index: int) -> dict[str, Any]:
        r = _rng(self.seed, "contract", index)
        hourly = index < self.config.hourly_contracts
        contract_id = str(CONTRACT_ID_BASE + 1000 * (self.index + 1) + index)
        freelancer = self.world.freelancers[(self.seed // 7 + index * 13) % FREELANCER_POOL]
        job_index = (self.seed + index * 31) % len(self.world.jobs)
        job = self.world.jobs[job_index]
        start = self.world.anchor - dt.timedelta(days=20 + 9 * index)
        rate = float(r.choice((25, 35, 45, 55, 70, 85)))
        hours_limit = float(r.choice((10, 20, 30, 40)))
        title = f"{job['title']} ({'hourly' if hourly else 'fixed price'})"
        milestones: list[dict[str, Any]] = []
        if not hourly:
            for m in range(r.randint(2, 4)):
                amount = float(r.choice((200, 350, 500, 750, 1000)))
                state = "PAID" if m == 0 else ("ACTIVE" if m == 1 else "NOT_FUNDED")
                due = start + dt.timedelta(days=14 * (m + 1))
                milestones.append(
                    {
                        "id": str(70_000_000 + 100 * index + m + 1000 * self.index),
                        "description": f"Milestone {m + 1}: {r.choice(_THINGS)}",
                        "state": state,
                        "dueDateTime": iso(due),
                        "depositAmount": money(amount),
                        "fundedAmount": money(amount if state != "NOT_FUNDED" else 0.0),
                        "currentEscrowAmount": money(amount if state == "ACTIVE" else 0.0),
                        "paid": money(amount if state == "PAID" else 0.0),
                        "overpayment": money(0.0),
                        "bonus": money(0.0),
                        "sequenceId": m + 1,
                        "submissionCount": 1 if state == "PAID" else 0,
                        "createdDateTime": iso(start),
                        "modifiedDateTime": iso(start + dt.timedelta(days=m)),
                        "instructions": "Deliver the source code and a short report.",
                        "payComments": None,
                        "submissionEvents": [],
                    }
                )
        contract: dict[str, Any] = {
            "id": contract_id,
            "contractId": contract_id,
            "title": title,
            "contractType": "HOURLY" if hourly else "FIXED_PRICE",
            "status": "ACTIVE" if index % 5 != 4 else "PAUSED",
            "paused": index % 5 == 4,
            "suspended": False,
            "hasAgency": False,
            "last": False,
            "manualTimeAllowed": hourly,
            "hideScreenshots": False,
            "job": job,
            "freelancer": freelancer_profile(freelancer),
            "clientCompany": {"id": self.id, "name": self.config.name},
            "hourlyChargeRate": money(rate) if hourly else None,
            "weeklyHoursLimit": hours_limit if hourly else None,
            "weeklyChargeAmount": money(rate * hours_limit) if hourly else None,
            "weeklyStipendHours": None,
            "createdDateTime": iso(start - dt.timedelta(days=1)),
            "firstContractStartDateTime": iso(start),
            "startDateTime": iso(start),
            "modifiedDateTime": iso(self.world.anchor - dt.timedelta(days=index)),
            "endDateTime": None,
            "estimatedDuration": {"id": "2", "label": job["durationLabel"]},
            "milestones": milestones,
            "workDays": [{"date": d} for d in self.diary_dates()] if hourly else [],
            "workDiaryTimeCells": Lazy(lambda info, args: self._cells_for_args(contract_id, args)),
            "feedback": None,
        }
        return contract

    def _cells_for_args(self, contract_id: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
        date = args.get("date") or self.diary_dates()[-1]
        return self.diary_cells(contract_id, str(date))

    def diary_cells(self, contract_id: str, date: str) -> list[dict[str, Any]]:
        """The 10-minute work diary cells of an hourly contract on a date (empty off-range)."""
        contract = self.contract(contract_id)
        if contract["contractType"] != "HOURLY":
            return []
        day = parse_date(date)
        if day.isoformat() not in self.diary_dates():
            return []
        r = _rng(self.seed, "diary", contract_id, day.isoformat())
        midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
        cells: list[dict[str, Any]] = []
        slot = r.randint(8 * 6, 10 * 6)  # start between 08:00 and 10:00
        for _block in range(r.randint(2, 3)):
            length = r.randint(9, 24)  # 1.5 to 4 hours
            for s in range(slot, min(slot + length, 144)):
                at = midnight + dt.timedelta(minutes=10 * s)
                shot = at + dt.timedelta(minutes=r.randint(0, 9))
                cid = f"{contract_id}-{day:%Y%m%d}-{s:03d}"
                cells.append(
                    {
                        "cellDateTime": {
                            "rawValue": str(int((at - _EPOCH).total_seconds() * 1000)),
                            "displayValue": iso(at),
                        },
                        "snapshotDateTime": {
                            "rawValue": str(int((shot - _EPOCH).total_seconds() * 1000)),
                            "displayValue": iso(shot),
                        },
                        "overtime": False,
                        "manual": False,
                        "activityLevel": r.randint(3, 10),
                        "memo": r.choice(
                            ("Implementing feature", "Code review", "Testing", "Meeting")
                        ),
                        "task": {"id": str(s), "code": f"T-{s}", "description": "Contract work"},
                        "mouseEventsCount": r.randint(20, 400),
                        "keyboardEventsCount": r.randint(50, 900),
                        "activeWindowTitle": r.choice(_APPS),
                        "hideScreenshots": False,
                        "hasScreenshot": True,
                        "screenshotImageUrl": f"https://snapshots.sandbox.upwork.test/{cid}.png",
                        "screenshotImageUrlMedium": f"https://snapshots.sandbox.upwork.test/{cid}-m.png",
                        "screenshotImageThumbnail": f"https://snapshots.sandbox.upwork.test/{cid}-t.png",
                        "webcamEnabled": False,
                        "webcamImageUrl": None,
                        "webcamImageThumbnail": None,
                        "snapshotExpired": False,
                        SEED_KEY: hash_text(cid) & 0xFFFFFFFF,
                    }
                )
            slot += length + r.randint(3, 12)
        return cells

    @cached_property
    def time_report_rows(self) -> list[dict[str, Any]]:
        """The organization's time report (``contractTimeReport``), oldest day first."""
        from upwork_gql.sandbox.reports import build_rows

        return build_rows(self)

    def work_diary(self, contract_id: str, date: str) -> dict[str, Any]:
        """The ``workDiaryContract`` value."""
        contract = self.contract(contract_id)
        day = parse_date(date)
        return {
            "id": contract_id,
            "workDiaryMetadata": {
                "user": contract["freelancer"]["userDetails"],
                "timezoneOffset": "0",
                "archivingDateTime": iso(
                    dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(days=30)
                ),
            },
            "workDiaryTimeCells": self.diary_cells(contract_id, date),
        }

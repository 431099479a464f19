"""Deterministic seeded data: job postings, proposals, organizations, rooms, contracts, diaries.

Everything is generated lazily from ``(seed, kind, index)``, so creating the data costs nothing
and any item is the same in every run and every process. Values are plain dicts keyed by the
field names of Upwork's documentation; :mod:`engine` adapts them to whatever the schema declares.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from graphql import GraphQLResolveInfo

from upwork_gql.sandbox.config import OrganizationConfig, SandboxConfig
from upwork_gql.sandbox.engine import SEED_KEY, Lazy, LazySeq, SandboxGraphQLError, paginate
from upwork_gql.sandbox.messages import RoomStories

_FIRST = (
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Radia",
    "Tim",
    "Frances",
    "Guido",
    "Hedy",
    "Edsger",
    "Sophie",
    "Yukihiro",
    "Annie",
    "Bjarne",
    "Joan",
)
_LAST = (
    "Nakamura",
    "Okafor",
    "Silva",
    "Kowalski",
    "Haddad",
    "Larsen",
    "Moreau",
    "Novak",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Varga",
    "Walsh",
    "Yilmaz",
    "Zhang",
    "Ibrahim",
    "Garcia",
    "Dubois",
    "Kim",
)
_COUNTRIES = (
    ("United States", "New York", "America/New_York"),
    ("United Kingdom", "London", "Europe/London"),
    ("Germany", "Berlin", "Europe/Berlin"),
    ("India", "Bengaluru", "Asia/Kolkata"),
    ("Brazil", "Sao Paulo", "America/Sao_Paulo"),
    ("Poland", "Warsaw", "Europe/Warsaw"),
    ("Philippines", "Manila", "Asia/Manila"),
    ("Canada", "Toronto", "America/Toronto"),
    ("Australia", "Sydney", "Australia/Sydney"),
    ("Kenya", "Nairobi", "Africa/Nairobi"),
)
_CATEGORIES = (
    (
        "Web, Mobile & Software Dev",
        ("Web Development", "Mobile Development", "Scripts & Utilities"),
    ),
    ("Data Science & Analytics", ("Data Analysis", "Machine Learning", "Data Extraction")),
    ("Design & Creative", ("Graphic Design", "Product Design", "Illustration")),
    ("Writing", ("Content Writing", "Copywriting", "Technical Writing")),
    ("Sales & Marketing", ("SEO", "Social Media Marketing", "Email Marketing")),
    ("IT & Networking", ("DevOps", "Network Administration", "Cloud Engineering")),
)
_SKILLS = (
    "Python",
    "Django",
    "FastAPI",
    "React",
    "TypeScript",
    "GraphQL",
    "PostgreSQL",
    "AWS",
    "Kubernetes",
    "Docker",
    "Flutter",
    "Swift",
    "Kotlin",
    "Figma",
    "Illustrator",
    "SEO",
    "Copywriting",
    "Data Analysis",
    "Machine Learning",
    "pandas",
    "Tableau",
    "Excel",
    "Shopify",
    "WordPress",
    "Go",
    "Rust",
    "Node.js",
    "Scrapy",
    "Terraform",
    "Video Editing",
)
_VERBS = ("Build", "Fix", "Design", "Migrate", "Optimize", "Automate", "Audit", "Extend", "Write")
_THINGS = (
    "a dashboard",
    "our API integration",
    "a landing page",
    "a data pipeline",
    "the checkout flow",
    "an internal tool",
    "a mobile app",
    "a reporting script",
    "the onboarding emails",
    "a scraper",
    "our CI pipeline",
    "a pitch deck",
)
_DURATIONS = (
    ("WEEK", "Less than 1 month"),
    ("MONTH", "1 to 3 months"),
    ("QUARTER", "3 to 6 months"),
    ("SEMESTER", "More than 6 months"),
    ("ONGOING", "More than 6 months"),
)
_LEVELS = ("ENTRY_LEVEL", "INTERMEDIATE", "EXPERT")
_ROOM_TOPICS = (
    "Kickoff",
    "Weekly sync",
    "Design review",
    "Invoices",
    "Bug triage",
    "Release planning",
    "Interview",
    "Contract questions",
)
_MESSAGES = (
    "Thanks, that looks great!",
    "Could you share an update on the milestone?",
    "I pushed the changes to the staging branch.",
    "Let's move the call to tomorrow at 10am.",
    "The invoice has been approved.",
    "I have a question about the requirements.",
    "Attached is the latest draft.",
    "Please review the pull request when you can.",
    "All tests pass now.",
    "Happy to start on the next part.",
)
_APPS = ("VS Code", "Figma", "Chrome - GitHub", "Terminal", "Slack", "Google Docs", "PyCharm")

JOB_ID_BASE = 1_700_000_000_000_000_000
CONTRACT_ID_BASE = 40_000_000
PROPOSAL_ID_BASE = 1_600_000_000_000_000_000
FREELANCER_POOL = 400
#: Stories of each organization's first room (several pages at the largest page size).
STORIES_IN_FIRST_ROOM = 120
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def iso(moment: dt.datetime) -> str:
    """Upwork's date-time format (ISO-8601, milliseconds, UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def money(amount: float, currency: str = "USD") -> dict[str, Any]:
    """A ``Money`` object."""
    return {"rawValue": f"{amount:.2f}", "currency": currency, "displayValue": f"${amount:,.2f}"}


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(str(p) for p in parts))


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` or ``YYYYMMDD``."""
    cleaned = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise SandboxGraphQLError(
        f"Invalid date '{text}': expected YYYY-MM-DD or YYYYMMDD", "ValidationError"
    )


class SandboxData:
    """The whole seeded world: the marketplace plus one :class:`OrgData` per organization."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.seed = config.seed
        self.anchor = dt.datetime.combine(config.anchor_date, dt.time(18, 0), tzinfo=dt.UTC)
        self.jobs: LazySeq = LazySeq(config.jobs, self._make_job)
        self.freelancers: LazySeq = LazySeq(FREELANCER_POOL, self._make_freelancer)
        self.orgs: dict[str, OrgData] = {
            org.id: OrgData(self, org, index) for index, org in enumerate(config.organizations)
        }
        self._proposals: dict[int, LazySeq] = {}
        self._search_index: list[tuple[str, str, str]] | None = None

    @property
    def default_org(self) -> OrgData:
        """The organization used when no tenant header is sent."""
        return next(iter(self.orgs.values()))

    @cached_property
    def user(self) -> dict[str, Any]:
        """The resource owner (``query { user }``)."""
        u = self.config.user
        first, _, last = u.name.partition(" ")
        return {
            "id": u.id,
            "nid": u.nid,
            "rid": str(int(u.id) % 10_000_000) if u.id.isdigit() else u.id,
            "name": u.name,
            "firstName": first,
            "lastName": last,
            "email": u.email,
            "photoUrl": f"https://www.upwork.com/profile-portraits/{u.nid}.jpg",
            "publicUrl": f"https://www.upwork.com/freelancers/{u.nid}",
            "ciphertext": f"~01{abs(hash_text(u.id)):016x}"[:19],
        }

    # Freelancers.
    def _make_freelancer(self, index: int) -> dict[str, Any]:
        r = _rng(self.seed, "freelancer", index)
        first, last = r.choice(_FIRST), r.choice(_LAST)
        country, city, tz = r.choice(_COUNTRIES)
        nid = f"{first.lower()}{last.lower()}{index}"
        return {
            "id": str(1_200_000_000_000_000_000 + index),
            "nid": nid,
            "rid": str(3_000_000 + index),
            "name": f"{first} {last[0]}.",
            "firstName": first,
            "lastName": last,
            "photoUrl": f"https://www.upwork.com/profile-portraits/{nid}.jpg",
            "publicUrl": f"https://www.upwork.com/freelancers/~01{index:016x}",
            "ciphertext": f"~01{index:016x}",
            "location": {"country": country, "city": city, "timezone": tz},
        }

    # Marketplace job postings.
    def _make_job(self, index: int) -> dict[str, Any]:
        r = _rng(self.seed, "job", index)
        job_id = str(JOB_ID_BASE + index)
        skills = r.sample(_SKILLS, k=r.randint(2, 5))
        verb, thing = r.choice(_VERBS), r.choice(_THINGS)
        title = f"{verb} {thing} with {skills[0]}"
        category, subcategories = r.choice(_CATEGORIES)
        hourly = r.random() < 0.55
        duration, duration_label = r.choice(_DURATIONS)
        level = r.choice(_LEVELS)
        created = self.anchor - dt.timedelta(minutes=37 * index + r.randint(0, 30))
        country, city, tz = r.choice(_COUNTRIES)
        proposals = self.proposal_count(index)
        low = float(r.choice((15, 20, 25, 30, 40, 50)))
        budget = float(r.choice((150, 300, 500, 800, 1200, 2500, 5000)))
        job: dict[str, Any] = {
            "id": job_id,
            "ciphertext": f"~02{index + 1:016x}",
            "title": title,
            "description": (
                f"We are looking for a freelancer to {verb.lower()} {thing}. "
                f"Required skills: {', '.join(skills)}. Please describe similar work you did."
            ),
            "duration": duration,
            "durationLabel": duration_label,
            "engagement": r.choice(("Less than 30 hrs/week", "30+ hrs/week")),
            "jobType": "HOURLY" if hourly else "FIXED",
            "amount": money(0.0 if hourly else budget),
            "recordNumber": str(index + 1),
            "experienceLevel": level,
            "category": category,
            "subcategory": r.choice(subcategories),
            "freelancersToHire": 1 + (index % 7 == 0),
            "totalFreelancersToHire": 1 + (index % 7 == 0),
            "relevance": {
                "id": job_id,
                "effectiveCandidates": proposals,
                "recommendedEffectiveCandidates": 0,
            },
            "relevanceEncoded": f"rel{index}",
            "enterprise": r.random() < 0.1,
            "premium": r.random() < 0.2,
            "applied": False,
            "totalApplicants": proposals,
            "preferredFreelancerLocation": [],
            "preferredFreelancerLocationMandatory": False,
            "clientNotSureFields": [],
            "clientPrivateFields": [],
            "createdDateTime": iso(created),
            "publishedDateTime": iso(created + dt.timedelta(minutes=2)),
            "renewedDateTime": None,
            "client": {
                "totalHires": r.randint(0, 120),
                "totalPostedJobs": r.randint(1, 200),
                "totalSpent": money(float(r.randint(0, 250_000))),
                "verificationStatus": "VERIFIED" if r.random() < 0.8 else "NOT_VERIFIED",
                "location": {"country": country, "city": city, "timezone": tz, "state": None},
                "totalReviews": r.randint(0, 90),
                "totalFeedback": round(r.uniform(3.5, 5.0), 2),
                "companyName": None,
                "edcUserId": None,
                "lastContractPlatform": None,
                "lastContractRid": None,
                "lastContractTitle": None,
                "hasFinancialPrivacy": False,
            },
            "skills": [
                {"name": s.lower().replace(" ", "-"), "prettyName": s, "highlighted": i == 0}
                for i, s in enumerate(skills)
            ],
            "hourlyBudgetType": "DEFAULT" if hourly else None,
            "hourlyBudgetMin": money(low) if hourly else None,
            "hourlyBudgetMax": money(low * 2) if hourly else None,
            "weeklyBudget": money(low * 30) if hourly else None,
            "localJobUserDistance": None,
            "teamId": None,
            "freelancerClientRelation": None,
            "content": {"title": title, "description": f"{verb} {thing}."},
            "classification": {
                "category": {"id": str(531770282580668000 + index % 6), "preferredLabel": category},
                "subCategory": {"id": str(531770282584862000 + index % 18), "preferredLabel": ""},
                "skills": [
                    {"id": str(1031626000000000000 + i), "preferredLabel": s}
                    for i, s in enumerate(skills)
                ],
            },
            "contractTerms": {
                "contractType": "HOURLY" if hourly else "FIXED",
                "personsToHire": 1,
                "experienceLevel": level,
            },
            "canClientReceiveContractProposal": True,
            "organizationIds": [],
        }
        job["job"] = job
        job["clientProposals"] = Lazy(lambda info, args: self.proposal_page(index, info, args))
        return job

    def proposal_count(self, index: int) -> int:
        """How many client proposals job ``index`` has (0 to 200)."""
        if index == 0:
            return 137
        if index == 1:
            return 0
        r = _rng(self.seed, "proposals", index)
        if r.random() < 0.15:
            return 0
        return min(200, int(r.expovariate(1 / 25)))

    def job_index(self, job_id: Any) -> int:
        """The index of a job posting id; a not-found error otherwise."""
        try:
            index = int(str(job_id)) - JOB_ID_BASE
        except ValueError:
            index = -1
        if not 0 <= index < len(self.jobs):
            raise SandboxGraphQLError(f"Job posting {job_id} not found")
        return index

    def proposals(self, index: int) -> LazySeq:
        """The client proposals of job ``index``."""
        seq = self._proposals.get(index)
        if seq is None:
            seq = self._proposals[index] = LazySeq(
                self.proposal_count(index), lambda k: self._make_proposal(index, k)
            )
        return seq

    def _make_proposal(self, job_index: int, k: int) -> dict[str, Any]:
        r = _rng(self.seed, "proposal", job_index, k)
        freelancer = self.freelancers[r.randrange(FREELANCER_POOL)]
        job = self.jobs[job_index]
        created = self.anchor - dt.timedelta(minutes=job_index * 37 - 5 * k - 30)
        rate = float(r.choice((18, 25, 30, 35, 45, 60, 75, 90)))
        status = r.choice(("Created", "Created", "Created", "Activated", "Declined", "Withdrawn"))
        return {
            "id": str(PROPOSAL_ID_BASE + job_index * 1000 + k),
            "user": freelancer,
            "organization": {
                "id": str(1_500_000_000_000_000_000 + r.randrange(10_000)),
                "name": f"{freelancer['firstName']} {freelancer['lastName']}",
                "rid": str(r.randrange(10**7)),
                "legacyId": str(r.randrange(10**7)),
                "type": "FREELANCER",
            },
            "job": job,
            "terms": {
                "chargeRate": money(rate),
                "upfrontPaymentPercent": 0 if job["jobType"] == "HOURLY" else r.choice((0, 10, 20)),
                "estimatedDuration": {"id": str(k % 5 + 1), "label": job["durationLabel"]},
            },
            "coverLetter": (
                f"Hi! I have {r.randint(2, 15)} years of experience with "
                f"{job['skills'][0]['prettyName']}. I can start right away."
            ),
            "status": {"status": status, "reason": None},
            "annotations": ["Recommended"] if r.random() < 0.1 else [],
            "auditDetails": {
                "createdDateTime": {"rawValue": iso(created), "displayValue": iso(created)},
                "modifiedDateTime": {"rawValue": iso(created), "displayValue": iso(created)},
            },
            "createdDateTime": iso(created),
        }

    def proposal_page(
        self, index: int, info: GraphQLResolveInfo, args: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A connection page of job ``index``'s proposals, honouring a status filter."""
        items: Sequence[Any] = self.proposals(index)
        flt = args.get("filter")
        wanted = None
        if isinstance(flt, Mapping):
            wanted = flt.get("status_eq") or flt.get("status")
        if wanted:
            wanted_text = str(wanted).upper()
            items = [p for p in items if p["status"]["status"].upper() == wanted_text]
        return paginate(items, info, args)

    def search_jobs(self, filt: Mapping[str, Any] | None) -> Sequence[Any]:
        """Job postings matching the supported parts of a ``MarketplaceJobFilter``."""
        if not filt:
            return self.jobs
        text = (
            filt.get("searchExpression_eq")
            or filt.get("titleExpression_eq")
            or filt.get("skillExpression_eq")
        )
        job_type = filt.get("jobType_eq")
        level = filt.get("experienceLevel_eq")
        if not (text or job_type or level):
            return self.jobs
        if self._search_index is None:
            self._search_index = [
                (
                    (j["title"] + " " + " ".join(s["prettyName"] for s in j["skills"])).lower(),
                    j["jobType"],
                    j["experienceLevel"],
                )
                for j in self.jobs
            ]
        needle = str(text).lower() if text else None
        wanted_type = str(job_type).upper()[:5] if job_type else None
        found = [
            i
            for i, (hay, kind, lvl) in enumerate(self._search_index)
            if (needle is None or needle in hay)
            and (wanted_type is None or kind[:5] == wanted_type)
            and (level is None or lvl == str(level))
        ]
        return LazySeq(len(found), lambda k: self.jobs[found[k]])


def freelancer_profile(user: Mapping[str, Any]) -> dict[str, Any]:
    """A ``FreelancerProfile`` around a freelancer's user record."""
    location = user.get("location") or {}
    return {
        "id": user["id"],
        "user": user,
        "userDetails": user,
        "fullName": f"{user['firstName']} {user['lastName']}",
        "firstName": user["firstName"],
        "lastName": user["lastName"],
        "countryDetails": {
            "id": str(hash_text(location.get("country", "")) % 1000),
            "name": location.get("country"),
        },
    }


def hash_text(text: str) -> int:
    """A stable 64-bit hash of a string."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


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

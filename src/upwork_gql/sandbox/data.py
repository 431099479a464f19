"""Deterministic seeded data: job postings, proposals, organizations, rooms, contracts, diaries.

Everything is generated lazily from ``(seed, kind, index)``, so creating the data costs nothing
and any item is the same in every run and every process. Values are plain dicts keyed by the
field names of Upwork's documentation; :mod:`engine` adapts them to whatever the schema declares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from graphql import GraphQLResolveInfo

from upwork_gql.sandbox._seed import (
    _CATEGORIES,
    _COUNTRIES,
    _DURATIONS,
    _FIRST,
    _LAST,
    _LEVELS,
    _SKILLS,
    _THINGS,
    _VERBS,
    FREELANCER_POOL,
    JOB_ID_BASE,
    PROPOSAL_ID_BASE,
    STORIES_IN_FIRST_ROOM,
    _rng,
    freelancer_profile,
    hash_text,
    iso,
    money,
)
from upwork_gql.sandbox.config import SandboxConfig
from upwork_gql.sandbox.engine import Lazy, LazySeq, SandboxGraphQLError, paginate
from upwork_gql.sandbox.org_data import OrgData

__all__ = [
    "PROPOSAL_ID_BASE",
    "STORIES_IN_FIRST_ROOM",
    "OrgData",
    "SandboxData",
    "freelancer_profile",
    "hash_text",
]


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

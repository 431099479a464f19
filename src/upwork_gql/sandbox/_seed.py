"""The sandbox's seeded vocabulary and helpers: names, skills, topics, id bases, dates, money."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Mapping
from typing import Any

from upwork_gql.sandbox.engine import SandboxGraphQLError

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
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")

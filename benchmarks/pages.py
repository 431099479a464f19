"""The response bodies every benchmarked client receives, generated once per run.

Pages follow one of this project's own operations (``queries/marketplaceJobPostings.graphql`` by
default): the nodes are built from the generated result models (every selected field, under its
GraphQL name, in selection order), with values that look like Upwork's (titles, budgets,
clients, skills), nullable fields null about a quarter of the time, lists of varied length, and
a description sized so that each node weighs between 1.6 and 1.9 KB of JSON. A fixed seed makes
the bytes identical from run to run.

The bodies are written to one file (``benchmarks/.work/pages/<operation>.bin`` with a JSON index
beside it) that the server (:mod:`benchmarks.server`) loads and serves as they are, so that every
client in a comparison reads exactly the same bytes.

A *connection* here is a slice of the generated nodes ``[start, end)``: a walk asks for
``after=str(start)`` first and follows ``endCursor`` (the offset of the next node, as Upwork's
job search uses offsets) until ``hasNextPage`` is false at ``end``.
"""

from __future__ import annotations

import enum
import hashlib
import importlib
import inspect
import json
import random
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from upwork_gql._operation import Operation

WORK = Path(__file__).resolve().parent / ".work" / "pages"
NODE_BYTES = (1600, 1900)
NULL_RATE = 0.25
MIN_DESCRIPTION = 200  # characters
SEED = 20261125

_TEXT = (
    "We are looking for an experienced developer to build and maintain an async Python client "
    "for a GraphQL API with typed models, cursor pagination, retries, rate limiting and OAuth2 "
    "token refresh. You will work with our data team on ETL jobs, schedulers and dashboards, "
    "write tests against a local sandbox, profile the hot path, document the public interface "
    "and review pull requests. Experience with httpx, pydantic, asyncio, FastAPI, PostgreSQL, "
    "Redis, Docker and CI pipelines is a plus; clear written English and overlap with European "
    "business hours are required. Please include links to similar work in your proposal."
)
_WORDS = tuple(_TEXT.split(" "))
_TITLES = (
    "Senior Python developer for an async GraphQL client",
    "Data engineer: nightly ETL from a marketplace API",
    "Build a FastAPI backend with OAuth2 login",
    "Scrape and normalise job postings into PostgreSQL",
    "React dashboard for freelance hiring metrics",
    "Fix flaky integration tests in a Django project",
    "Machine learning engineer to rank job matches",
    "DevOps: move our workers to Kubernetes",
)
_SKILLS = (
    "Python",
    "GraphQL",
    "FastAPI",
    "PostgreSQL",
    "Django",
    "React",
    "TypeScript",
    "Docker",
    "Kubernetes",
    "Redis",
    "Data Engineering",
    "Web Scraping",
    "Machine Learning",
    "Amazon Web Services",
)
_CATEGORIES = (
    ("Web, Mobile & Software Dev", "Web Development"),
    ("Data Science & Analytics", "Data Engineering"),
    ("IT & Networking", "DevOps & Solutions Architecture"),
    ("Web, Mobile & Software Dev", "Scripts & Utilities"),
)
_PLACES = (
    ("Berlin", "Germany", "UTC+01:00"),
    ("Austin", "United States", "UTC-06:00"),
    ("Toronto", "Canada", "UTC-05:00"),
    ("Sydney", "Australia", "UTC+10:00"),
    ("Lisbon", "Portugal", "UTC+00:00"),
)
_COMPANIES = ("Acme Robotics", "Northwind Data", "Globex Labs", "Initech", "Umbrella Analytics")
_CURRENCIES = ("USD", "EUR", "GBP")


@dataclass(frozen=True)
class PageSet:
    """The generated bodies of one operation, by ``(after, end)``."""

    operation: str
    root_key: str
    bodies: dict[tuple[int, int], bytes]
    node_sizes: tuple[int, int, float]  # min, max, mean bytes per node
    null_share: float  # share of nullable fields that are null
    digest: str

    @property
    def page_bytes(self) -> float:
        return sum(len(b) for b in self.bodies.values()) / max(len(self.bodies), 1)


def node_model(op: Operation) -> type[BaseModel]:
    if op.connection is None:
        raise LookupError(f"{op.name} is not a connection")
    module = importlib.import_module(f"{op.package}.{op.result_module}")
    model: type[BaseModel] = getattr(module, op.connection.node_type)
    return model


class _Faker:
    """Values by field name, nulls for nullable fields, counts of what was generated."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.hints: dict[type[BaseModel], dict[str, Any]] = {}
        self.nullable = 0
        self.nulls = 0

    def money(self, low: float, high: float) -> dict[str, str]:
        value = round(self.rng.uniform(low, high), 2)
        currency = self.rng.choice(_CURRENCIES)
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}[currency]
        return {
            "rawValue": f"{value}",
            "currency": currency,
            "displayValue": f"{symbol}{value:,.2f}",
        }

    def string(self, name: str, index: int) -> str:
        rng = self.rng
        lowered = name.lower()
        if lowered == "id":
            return str(1_700_000_000_000_000_000 + index * 7919 + rng.randrange(7919))
        if lowered == "ciphertext":
            return f"~01{rng.getrandbits(64):016x}"
        if lowered == "title":
            return rng.choice(_TITLES)
        if "datetime" in lowered:
            return (
                f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T"
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}."
                f"{rng.randint(0, 999):03d}Z"
            )
        table: dict[str, Any] = {
            "category": lambda: rng.choice(_CATEGORIES)[0],
            "subcategory": lambda: rng.choice(_CATEGORIES)[1],
            "durationlabel": lambda: rng.choice(
                ("Less than 1 month", "1 to 3 months", "3 to 6 months", "More than 6 months")
            ),
            "engagement": lambda: rng.choice(
                ("Less than 30 hrs/week", "More than 30 hrs/week", "Hours to be determined")
            ),
            "experiencelevel": lambda: rng.choice(("ENTRY_LEVEL", "INTERMEDIATE", "EXPERT")),
            "recordnumber": lambda: str(rng.randint(10_000, 99_999)),
            "hourlybudgettype": lambda: rng.choice(("DEFAULT", "MANUAL", "NOT_PROVIDED")),
            "verificationstatus": lambda: rng.choice(("VERIFIED", "NOT_VERIFIED")),
            "companyname": lambda: rng.choice(_COMPANIES),
            "city": lambda: rng.choice(_PLACES)[0],
            "country": lambda: rng.choice(_PLACES)[1],
            "timezone": lambda: rng.choice(_PLACES)[2],
            "name": lambda: rng.choice(_SKILLS),
            "prettyname": lambda: rng.choice(_SKILLS),
        }
        make = table.get(lowered)
        return make() if make is not None else f"{name} {rng.randint(1, 999)}"

    def value(self, annotation: Any, name: str, index: int) -> Any:
        rng = self.rng
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.value(args[0], name, index)
        if origin in (typing.Union, types.UnionType):
            inner = [a for a in args if a is not type(None)]
            if len(inner) < len(args):
                self.nullable += 1
                if rng.random() < NULL_RATE:
                    self.nulls += 1
                    return None
            return self.value(inner[0], name, index)
        if origin is list:
            count = rng.randint(1, 6) if name == "skills" else rng.randint(1, 3)
            return [self.value(args[0], name, index) for _ in range(count)]
        if isinstance(annotation, type):
            if issubclass(annotation, BaseModel):
                if {"rawValue", "currency", "displayValue"} <= {
                    f.alias or n for n, f in annotation.model_fields.items()
                }:
                    return self.money(5, 150) if "hourly" in name.lower() else self.money(50, 9000)
                return self.model(annotation, index)
            if issubclass(annotation, enum.Enum):
                return rng.choice(list(annotation)).value
            if issubclass(annotation, bool):
                return rng.random() < 0.3
            if issubclass(annotation, int):
                return rng.randint(0, 60)
            if issubclass(annotation, float):
                return round(rng.uniform(0, 5), 2)
            if issubclass(annotation, str):
                return self.string(name, index)
        return None

    def model(self, model: type[BaseModel], index: int) -> dict[str, Any]:
        hints = self.hints.get(model)
        if hints is None:  # resolves the generated forward references
            hints = self.hints[model] = typing.get_type_hints(model)
        out: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            key = info.alias or name
            out[key] = self.value(hints[name], key, index)
        return out


def _description(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size].rstrip() or "x"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def generate_nodes(op: Operation, count: int, seed: int = SEED) -> tuple[list[str], _Faker]:
    """``count`` node JSON texts (1.6-1.9 KB each) for ``op``'s connection."""
    rng = random.Random(seed)
    faker = _Faker(rng)
    model = node_model(op)
    nodes: list[str] = []
    for index in range(count):
        node = faker.model(model, index)
        target = rng.randint(*NODE_BYTES)
        if "description" in node:
            node["description"] = ""
            room = target - len(_dumps(node).encode())
            skills = node.get("skills")
            while room < MIN_DESCRIPTION and isinstance(skills, list) and len(skills) > 1:
                skills.pop()  # a long skill list leaves less room for the description
                room = target - len(_dumps(node).encode())
            node["description"] = _description(rng, max(room, 1))
            # multi-byte characters (€, £) or a trimmed word: settle on the exact size
            while len(_dumps(node).encode()) > target and len(node["description"]) > 1:
                node["description"] = node["description"][:-1]
        nodes.append(_dumps(node))
    return nodes, faker


SMALL_PAGE = 10  # the page of the token-expiry burst (``/graphql/small``)


def connections(pages: int, page_size: int, walks: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the sequential walk and of each concurrent walk (the same nodes)."""
    total = pages * page_size
    per_walk = total // walks
    return [(0, total)] + [(k * per_walk, (k + 1) * per_walk) for k in range(walks)]


def _body(root: str, nodes: list[str], after: int, stop: int, start: int, end: int) -> bytes:
    edges = ",".join(f'{{"cursor":"{i + 1}","node":{nodes[i]}}}' for i in range(after, stop))
    has_next = "true" if stop < end else "false"
    return (
        f'{{"data":{{"{root}":{{"totalCount":{end - start},"edges":[{edges}],'
        f'"pageInfo":{{"hasNextPage":{has_next},"endCursor":"{stop}"}}}}}}}}'
    ).encode()


def build(op: Operation, pages: int, page_size: int, walks: int, seed: int = SEED) -> PageSet:
    """Every page body of the sequential walk, of the ``walks`` concurrent walks and the small
    page of the burst."""
    assert op.connection is not None
    root = op.connection.root_field
    total = pages * page_size
    nodes, faker = generate_nodes(op, max(total, SMALL_PAGE), seed)
    sizes = [len(n.encode()) for n in nodes[:total]]
    bodies: dict[tuple[int, int], bytes] = {}
    for start, end in connections(pages, page_size, walks):
        for after in range(start, end, page_size):
            stop = min(after + page_size, end)
            bodies[(after, end)] = _body(root, nodes, after, stop, start, end)
    small = _body(root, nodes, 0, SMALL_PAGE, 0, SMALL_PAGE)
    digest = hashlib.sha256()
    for key in sorted(bodies):
        digest.update(bodies[key])
    bodies[(0, -SMALL_PAGE)] = small  # served at /graphql/small, outside the digest
    return PageSet(
        operation=op.name,
        root_key=root,
        bodies=bodies,
        node_sizes=(min(sizes), max(sizes), sum(sizes) / len(sizes)),
        null_share=faker.nulls / max(faker.nullable, 1),
        digest=digest.hexdigest()[:16],
    )


def fingerprint(op: Operation, pages: int, page_size: int, walks: int, seed: int = SEED) -> str:
    """What the bodies depend on: this generator, the node model's source, the sizes."""
    digest = hashlib.sha256()
    digest.update(inspect.getsource(inspect.getmodule(build) or build).encode())
    model = node_model(op)
    for cls in model.__mro__:
        module = inspect.getmodule(cls)
        if module is not None and module.__name__.startswith(op.package):
            digest.update(inspect.getsource(module).encode())
    digest.update(f"{op.name} {pages} {page_size} {walks} {seed}".encode())
    return digest.hexdigest()[:16]


def prepare(
    op: Operation, pages: int, page_size: int, walks: int, directory: Path = WORK
) -> tuple[Path, PageSet]:
    """Generate and write the bodies, or reuse the ones written before for the same inputs."""
    key = fingerprint(op, pages, page_size, walks)
    index = directory / f"{op.name}-{key}.json"
    if index.exists():
        return index, load(index)
    pageset = build(op, pages, page_size, walks)
    return write(pageset, directory, f"{op.name}-{key}"), pageset


def write(pageset: PageSet, directory: Path, stem: str) -> Path:
    """Write the bodies (one ``.bin``) and their index (``.json``); return the index path."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(f"{pageset.operation}-*"):
        old.unlink()
    data = directory / f"{stem}.bin"
    index: dict[str, Any] = {
        "operation": pageset.operation,
        "root_key": pageset.root_key,
        "node_sizes": list(pageset.node_sizes),
        "null_share": pageset.null_share,
        "digest": pageset.digest,
        "pages": [],
    }
    offset = 0
    with data.open("wb") as out:
        for (after, end), body in sorted(pageset.bodies.items()):
            out.write(body)
            index["pages"].append([after, end, offset, len(body)])
            offset += len(body)
    path = directory / f"{stem}.json"
    path.write_text(json.dumps(index))
    return path


def load(index_path: Path) -> PageSet:
    """Read back what :func:`write` wrote."""
    index = json.loads(index_path.read_text())
    raw = index_path.with_suffix(".bin").read_bytes()
    bodies = {
        (after, end): raw[offset : offset + length] for after, end, offset, length in index["pages"]
    }
    low, high, mean = index["node_sizes"]
    return PageSet(
        operation=index["operation"],
        root_key=index["root_key"],
        bodies=bodies,
        node_sizes=(int(low), int(high), float(mean)),
        null_share=float(index["null_share"]),
        digest=index["digest"],
    )

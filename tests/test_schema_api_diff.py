"""scripts/api_diff.py: the regenerate summary of methods, models and enums that changed."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def api_diff() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_diff", ROOT / "scripts" / "api_diff.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _registry(*operations: tuple[str, str]) -> str:
    """A generated ``operations.py`` listing these (name, method) query operations."""
    entries = "".join(f"    {name!r}: _op({name!r}, {method!r}),\n" for name, method in operations)
    return (
        "from upwork_gql._operation import Operation\n"
        "def _op(name, method):\n"
        '    return Operation(name, "query", method, "", (), "models", "Contract")\n'
        f"OPERATIONS = {{\n{entries}}}\n"
    )


BEFORE = {
    "operations.py": _registry(
        ("contract", "contract"), ("roomList", "room_list"), ("oldThing", "old_thing")
    ),
    "client.py": """
from .models import Contract, Room
class GeneratedClient:
    async def contract(self, id: str) -> Contract: ...
    async def room_list(self, first: int = 10) -> list[Room]: ...
    async def old_thing(self) -> None: ...
    def _private(self) -> None: ...
""",
    "models.py": """
from pydantic import BaseModel
from .enums import Status
class Contract(BaseModel):
    id: str
    status: Status
class Room(BaseModel):
    id: str
""",
    "enums.py": """
from enum import Enum
class Status(str, Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
""",
}

AFTER = {
    "operations.py": _registry(
        ("contract", "contract"), ("roomList", "room_list"), ("companySelector", "company_selector")
    ),
    "client.py": """
from .models import Contract, Room
class GeneratedClient:
    async def contract(self, id: str, include_terms: bool = False) -> Contract: ...
    async def room_list(self, first: int = 10) -> list[Room]: ...
    async def company_selector(self) -> None: ...
""",
    "models.py": """
from typing import Optional
from pydantic import BaseModel
from .enums import Status
class Contract(BaseModel):
    id: str
    status: Status
    title: Optional[str] = None
class Room(BaseModel):
    id: str
""",
    "enums.py": """
from enum import Enum
class Status(str, Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    PAUSED = "PAUSED"
""",
}


@pytest.fixture
def packages(tmp_path: Path) -> Iterator[tuple[str, str]]:
    for name, files in (("api_before_pkg", BEFORE), ("api_after_pkg", AFTER)):
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        for filename, text in files.items():
            (package / filename).write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        yield "api_before_pkg", "api_after_pkg"
    finally:
        sys.path.remove(str(tmp_path))
        for mod in [m for m in sys.modules if m.startswith(("api_before_pkg", "api_after_pkg"))]:
            del sys.modules[mod]


def test_snapshot_and_compare(api_diff: ModuleType, packages: tuple[str, str]) -> None:
    before = api_diff.snapshot(packages[0])
    after = api_diff.snapshot(packages[1])
    assert before["methods"] == {
        "contract": "(id: str) -> Contract",
        "old_thing": "() -> None",
        "room_list": "(first: int = ...) -> list[Room]",
    }
    assert before["enums"] == {"Status": ["CLOSED", "OPEN"]}
    lines = api_diff.compare(before, after)
    text = "\n".join(lines)
    assert "  added    company_selector() -> None" in lines
    assert "  removed  old_thing() -> None" in lines
    assert "  changed  contract(id: str) -> Contract" in lines
    assert "       ->  contract(id: str, include_terms: bool = ...) -> Contract" in lines
    assert "room_list" not in text
    assert "  changed  Contract: +title" in lines
    assert "  changed  Status: +PAUSED" in lines
    assert lines[-1] == (
        "methods: 1 added, 1 removed, 1 changed; models: 0 added, 0 removed, 1 changed; "
        "enums: 0 added, 0 removed, 1 changed."
    )
    assert api_diff.compare(after, after)[1] == "  (no change)"


def test_cli_round_trip(
    api_diff: ModuleType,
    packages: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    snap = tmp_path / "before.json"
    assert api_diff.main(["--package", packages[0], "snapshot", "-o", str(snap)]) == 0
    assert set(json.loads(snap.read_text())) == {"methods", "models", "enums"}
    assert api_diff.main(["--package", packages[1], "compare", str(snap)]) == 0
    out = capsys.readouterr().out
    assert "added    company_selector" in out
    assert api_diff.main(["compare", str(tmp_path / "missing.json")]) == 2


def test_snapshot_of_the_project_client(api_diff: ModuleType) -> None:
    pytest.importorskip("upwork_gql._generated.client")
    snap = api_diff.snapshot()
    assert snap["methods"]
    assert all(not name.startswith("_") for name in snap["methods"])
    assert snap["enums"]

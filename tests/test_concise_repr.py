"""Concise reprs: generated models print readably, through the runtime's ``BaseModel`` (the
``runtime_base`` codegen plugin points generated packages at it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCHEMA = """
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Proposal { id: ID! coverLetter: String }
type ProposalEdge { cursor: String node: Proposal }
type ProposalConnection { totalCount: Int edges: [ProposalEdge] pageInfo: PageInfo! }
type Query { proposals(first: Int): ProposalConnection }
"""

QUERY = """
query proposals($first: Int) {
  proposals(first: $first) {
    totalCount
    edges { cursor node { id coverLetter } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CONFIG = """
[tool.ariadne-codegen]
schema_path = "schema.graphql"
queries_path = "queries"
target_package_name = "generated_repr"
async_client = true
convert_to_snake_case = true
plugins = ["codegen_plugins.runtime_base.RuntimeBasePlugin"]
"""

CHECK = """
import json, sys
from IPython.lib.pretty import pretty
from generated_repr.proposals import Proposals

data = {"proposals": {"totalCount": 212, "edges": [
    {"cursor": str(i), "node": {"id": str(i), "coverLetter": "x" * 400}} for i in range(50)
], "pageInfo": {"hasNextPage": True, "endCursor": "50"}}}
model = Proposals.model_validate(data)
print(json.dumps({
    "repr": repr(model),
    "pretty": pretty(model),
    "edge": repr(model.proposals.edges[0]),
    "dump_len": len(model.model_dump_json()),
}))
"""


def test_generated_models_print_concisely(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text(SCHEMA)
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "proposals.graphql").write_text(QUERY)
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    codegen = Path(sys.executable).with_name("ariadne-codegen")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}  # where the plugins live
    generated = subprocess.run(
        [str(codegen)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    base_model = (tmp_path / "generated_repr" / "base_model.py").read_text()
    # no pasted runtime code: the models build on the runtime's BaseModel (concise repr)
    assert "from upwork_gql._models import" in base_model
    assert "def __repr__" not in base_model

    checked = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHECK)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    shown = json.loads(checked.stdout)
    assert shown["repr"] == (
        "Proposals(proposals=ProposalsProposals(total_count=212, edges=[50 items], "
        "page_info=ProposalsProposalsPageInfo(…)))"
    )
    assert shown["pretty"] == shown["repr"]
    assert shown["edge"].startswith("ProposalsProposalsEdges(cursor='0', node=")
    assert len(shown["edge"]) < 200
    assert shown["dump_len"] > 20_000  # the data is all still there


def test_the_project_models_print_concisely() -> None:
    from upwork_gql._generated.room_list import RoomList
    from upwork_gql._models import BaseModel

    assert issubclass(RoomList, BaseModel)
    node = {
        "id": "r1",
        "roomName": "x" * 500,
        "roomType": None,
        "topic": None,
        "numUnread": 0,
        "numUnreadMentions": 0,
        "numUsers": 2,
        "favorite": False,
        "public": False,
        "createdAtDateTime": None,
        "latestStory": None,
        "organization": None,
        "roomUsers": None,
        "creator": None,
        "owner": None,
    }
    data = {
        "roomList": {
            "totalCount": 40,
            "edges": [{"cursor": str(i), "node": node} for i in range(40)],
            "pageInfo": {"hasNextPage": True, "endCursor": "40"},
        }
    }
    model = RoomList.model_validate(data)
    shown = repr(model)
    assert shown.startswith("RoomList(room_list=RoomListRoomList(total_count=40, edges=[40 items]")
    assert len(shown) < 200
    assert "x" * 100 not in repr(model.room_list.edges[0])  # long strings are shortened
    assert len(model.model_dump_json()) > 20_000  # the data is all still there

"""The concise-repr codegen plugin: a package generated with it prints models readably."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

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
plugins = ["upwork_gql._codegen_plugins.concise_repr.ConciseReprPlugin"]
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
    generated = subprocess.run(
        [str(codegen)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    base_model = (tmp_path / "generated_repr" / "base_model.py").read_text()
    assert "def __repr__" in base_model
    assert "def _repr_pretty_" in base_model

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

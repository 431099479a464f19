"""The registry codegen plugin (``scripts/codegen_plugins/registry.py``): every connection
operation gets a typed paginator and a registry entry saying where its cursor goes."""

from __future__ import annotations

import ast
import contextlib
import io
import tomllib
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    FieldNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    build_schema,
    get_named_type,
    parse,
)

from upwork_gql._generated.client import GeneratedClient
from upwork_gql.schema import method_name

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
PLUGIN = "codegen_plugins.registry.RegistryPlugin"
RUNTIME_BASE = "codegen_plugins.runtime_base.RuntimeBasePlugin"


@pytest.fixture(autouse=True)
def _plugins_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugins run at generation time only: they live in scripts/, not in the package."""
    monkeypatch.syspath_prepend(str(SCRIPTS))


def _plugin_error() -> type[Exception]:
    from codegen_plugins.registry import RegistryPluginError  # type: ignore[import-not-found]

    return RegistryPluginError  # type: ignore[no-any-return]


def test_registered_in_pyproject() -> None:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        section = tomllib.load(fh)["tool"]["ariadne-codegen"]
    assert PLUGIN in section.get("plugins", [])


def test_every_connection_query_in_queries_has_a_paginator() -> None:
    """Independent of the plugin: read queries/ against schema.graphql and compare."""
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    assert schema.query_type is not None
    expected = set()
    for path in sorted((ROOT / "queries").glob("*.graphql")):
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if not isinstance(definition, OperationDefinitionNode) or definition.name is None:
                continue
            if definition.operation.value != "query":
                continue
            roots = [s for s in definition.selection_set.selections if isinstance(s, FieldNode)]
            if len(roots) != 1:
                continue
            field = schema.query_type.fields[roots[0].name.value]
            returned = get_named_type(field.type)
            if isinstance(returned, GraphQLObjectType) and {"edges", "pageInfo"} <= set(
                returned.fields
            ):
                expected.add("paginate_" + method_name(definition.name.value))
    generated = {name for name in dir(GeneratedClient) if name.startswith("paginate_")}
    assert expected, "queries/ has no connection operation"
    assert generated == expected
    from upwork_gql._generated.operations import OPERATIONS

    registered = {op.paginate_method for op in OPERATIONS.values() if op.connection is not None}
    assert registered == expected
    assert {
        "paginate_client_proposals",
        "paginate_room_list",
        "paginate_marketplace_job_postings",
        "paginate_marketplace_job_postings_search",
    } <= generated


# -- the plugin on a small schema -----------------------------------------------------------------

SCHEMA = """
schema { query: Query }
type Query {
  things(filter: ThingFilter, pagination: Pagination): ThingConnection
  jobs(jobFilter: JobFilter, kind: String): JobConnection!
  thing(id: ID!): Thing
  cursorly(after: String, pagination: Pagination): ThingConnection
}
input Pagination { after: String first: Int! }
input ThingFilter { name: String }
input JobFilter { text_eq: String pagination_eq: Pagination }
type PageInfo { hasNextPage: Boolean endCursor: String }
type ThingConnection { totalCount: Int edges: [ThingEdge] pageInfo: PageInfo }
type ThingEdge { cursor: String node: Thing }
type Thing { id: ID! name: String }
type JobConnection { edges: [JobEdge!]! pageInfo: PageInfo! }
type JobEdge { cursor: String! node: Job! }
type Job { id: ID! title: String }
"""

THINGS = """
query things($filter: ThingFilter, $pagination: Pagination) {
  things(filter: $filter, pagination: $pagination) {
    totalCount
    edges { ...ThingEdgeFields }
    pageInfo { ...PageInfoFields }
  }
}
fragment ThingEdgeFields on ThingEdge { cursor node { id name } }
fragment PageInfoFields on PageInfo { hasNextPage endCursor }
"""

JOBS = """
query jobs($jobFilter: JobFilter, $kind: String) {
  jobs(jobFilter: $jobFilter, kind: $kind) {
    edges { cursor node { id title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

THING = "query thing($id: ID!) { thing(id: $id) { id name } }"


def _generate(tmp_path: Path, queries: dict[str, str]) -> ast.Module:
    from ariadne_codegen.main import client

    (tmp_path / "schema.graphql").write_text(SCHEMA)
    query_dir = tmp_path / "queries"
    query_dir.mkdir()
    for name, text in queries.items():
        (query_dir / f"{name}.graphql").write_text(text)
    config: dict[str, Any] = {
        "schema_path": str(tmp_path / "schema.graphql"),
        "queries_path": str(query_dir),
        "target_package_name": "toy_client",
        "target_package_path": str(tmp_path),
        "async_client": True,
        "convert_to_snake_case": True,
        # as in pyproject.toml: the generated client builds on the runtime
        "base_client_name": "AsyncBaseClient",
        "base_client_file_path": str(SCRIPTS / "codegen_base.py"),
        "plugins": [PLUGIN, RUNTIME_BASE],
    }
    with contextlib.redirect_stdout(io.StringIO()):
        client({"tool": {"ariadne-codegen": config}})
    return ast.parse((tmp_path / "toy_client" / "client.py").read_text())


def _imported(module: ast.Module) -> set[str]:
    """Names imported anywhere in the module (type-checking-only imports included)."""
    return {
        alias.name
        for node in ast.walk(module)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def _load_registry(tmp_path: Path) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec((tmp_path / "toy_client" / "operations.py").read_text(), namespace)
    return namespace


def _methods(module: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    (cls,) = [n for n in module.body if isinstance(n, ast.ClassDef)]
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_plugin_follows_fragments_and_both_cursor_placements(tmp_path: Path) -> None:
    module = _generate(tmp_path, {"things": THINGS, "jobs": JOBS, "thing": THING})
    methods = _methods(module)
    assert set(methods) == {"things", "jobs", "thing", "paginate_things", "paginate_jobs"}

    things = methods["paginate_things"]
    assert ast.unparse(things.returns) == "AsyncPaginator[ThingsThings, ThingEdgeFieldsNode]"
    assert [a.arg for a in things.args.args] == ["self", "filter_"]  # pagination replaced
    assert [a.arg for a in things.args.kwonlyargs] == [
        "page_size",
        "max_items",
        "after",
        "prefetch",
    ]
    assert not isinstance(things, ast.AsyncFunctionDef)  # returns the paginator itself

    jobs = methods["paginate_jobs"]
    assert ast.unparse(jobs.returns) == "AsyncPaginator[JobsJobs, JobsJobsEdgesNode]"
    assert [a.arg for a in jobs.args.args] == ["self", "job_filter", "kind"]  # filter kept
    source = ast.unparse(jobs)
    assert "self._paginate(_operations.JOBS, variables," in source
    assert "'jobFilter': job_filter" in source

    # the cursor placement is data in the registry, not code in the method
    registry = _load_registry(tmp_path)
    things_op, jobs_op, thing_op = registry["THINGS"], registry["JOBS"], registry["THING"]
    assert things_op.connection.cursor_path == ("pagination",)
    assert things_op.connection.path == ("things",)
    assert things_op.connection.connection_type == "ThingsThings"
    assert things_op.connection.node_type == "ThingEdgeFieldsNode"
    assert jobs_op.connection.cursor_path == ("jobFilter", "pagination_eq")
    assert jobs_op.connection.node_type == "JobsJobsEdgesNode"
    assert thing_op.connection is None
    assert set(registry["OPERATIONS"]) == {"things", "jobs", "thing"}

    assert {"AsyncPaginator", "ThingEdgeFieldsNode", "JobsJobsEdgesNode", "JobFilter"} <= (
        _imported(module)
    )


def test_generated_paginator_walks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import json
    import sys

    import httpx

    _generate(tmp_path, {"jobs": JOBS})
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("toy_client")]:
        monkeypatch.delitem(sys.modules, name)
    from toy_client.client import Client  # type: ignore[import-not-found]
    from toy_client.input_types import JobFilter  # type: ignore[import-not-found]
    from toy_client.operations import OPERATIONS  # type: ignore[import-not-found]

    # The registry plugin writes no package into the entries (they default to the project's
    # upwork_gql._generated): point the toy's entries at the toy package.
    for op in OPERATIONS.values():
        monkeypatch.setattr(op, "package", "toy_client")

    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        variables = json.loads(request.content)["variables"]
        seen.append(variables)
        page = variables["jobFilter"]["pagination_eq"]
        start = int(page.get("after") or 0)
        stop = min(start + page["first"], 5)
        edges = [
            {"cursor": str(i + 1), "node": {"id": str(i), "title": "t"}} for i in range(start, stop)
        ]
        info = {"hasNextPage": stop < 5, "endCursor": str(stop)}
        return httpx.Response(200, json={"data": {"jobs": {"edges": edges, "pageInfo": info}}})

    async def main() -> list[str]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        toy = Client(url="http://toy.test/graphql", http_client=http)
        paginator = toy.paginate_jobs(job_filter=JobFilter(text_eq="py"), page_size=2)
        ids = [job.id async for job in paginator]
        await http.aclose()
        return ids

    assert asyncio.run(main()) == ["0", "1", "2", "3", "4"]
    assert [v["jobFilter"] for v in seen] == [
        {"text_eq": "py", "pagination_eq": {"first": 2}},
        {"text_eq": "py", "pagination_eq": {"after": "2", "first": 2}},
        {"text_eq": "py", "pagination_eq": {"after": "4", "first": 2}},
    ]


def test_connection_without_end_cursor_is_refused(tmp_path: Path) -> None:
    query = """
    query things($pagination: Pagination) {
      things(pagination: $pagination) { edges { node { id } } pageInfo { hasNextPage } }
    }
    """
    with pytest.raises(_plugin_error(), match=r"things.*endCursor"):
        _generate(tmp_path, {"things": query})


def test_aliased_connection_fields_are_refused(tmp_path: Path) -> None:
    query = """
    query things($pagination: Pagination) {
      things(pagination: $pagination) {
        items: edges { node { id } } pageInfo { hasNextPage endCursor }
      }
    }
    """
    with pytest.raises(_plugin_error(), match="without aliases"):
        _generate(tmp_path, {"things": query})


def test_variables_clashing_with_paginator_arguments_are_refused(tmp_path: Path) -> None:
    query = """
    query cursorly($after: String, $pagination: Pagination) {
      cursorly(after: $after, pagination: $pagination) {
        edges { node { id } } pageInfo { hasNextPage endCursor }
      }
    }
    """
    with pytest.raises(_plugin_error(), match="clash"):
        _generate(tmp_path, {"cursorly": query})


def test_connection_without_pagination_variable_gets_no_paginator(tmp_path: Path) -> None:
    query = """
    query things {
      things(pagination: {first: 5}) { edges { node { id } } pageInfo { hasNextPage endCursor } }
    }
    """
    methods = _methods(_generate(tmp_path, {"things": query}))
    assert set(methods) == {"things"}

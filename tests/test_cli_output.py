"""Output formats of ``upwork-gql call`` and the concise model repr, on small hand-made models."""

from __future__ import annotations

import csv
import io
import json
from typing import Optional

import pydantic
from pydantic import Field

from upwork_gql._repr import concise_repr
from upwork_gql.cli._output import (
    columns_for,
    find_connection,
    flatten,
    make_writer,
    node_class,
    rows_of,
)


class Money(pydantic.BaseModel):
    amount: Optional[str] = None  # noqa: UP045 - the shape ariadne-codegen generates
    currency: Optional[str] = Field(default=None, alias="currencyCode")  # noqa: UP045


class Node(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)
    id: str
    title: Optional[str] = None  # noqa: UP045
    budget: Optional[Money] = None  # noqa: UP045
    skills: Optional[list[str]] = None  # noqa: UP045


class Edge(pydantic.BaseModel):
    cursor: Optional[str] = None  # noqa: UP045
    node: Optional[Node] = None  # noqa: UP045


class PageInfo(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)
    has_next_page: bool = Field(alias="hasNextPage")
    end_cursor: Optional[str] = Field(default=None, alias="endCursor")  # noqa: UP045


class Connection(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)
    total_count: Optional[int] = Field(default=None, alias="totalCount")  # noqa: UP045
    edges: Optional[list[Optional[Edge]]] = None  # noqa: UP045
    page_info: PageInfo = Field(alias="pageInfo")


class Result(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)
    jobs: Optional[Connection] = Field(default=None, alias="marketplaceJobPostings")  # noqa: UP045


def _result(n: int) -> Result:
    edges = [
        {
            "cursor": str(i),
            "node": {
                "id": f"j{i}",
                "title": f'Job, "quoted" {i}',
                "budget": {"amount": "10.5", "currencyCode": "USD"} if i % 2 else None,
                "skills": ["python", "graphql"],
            },
        }
        for i in range(n)
    ]
    return Result.model_validate(
        {
            "marketplaceJobPostings": {
                "totalCount": 99,
                "edges": [*edges, None],
                "pageInfo": {"hasNextPage": True, "endCursor": str(n)},
            }
        }
    )


def test_columns_come_from_the_model_class_with_graphql_names() -> None:
    assert columns_for(Node) == ["id", "title", "budget.amount", "budget.currencyCode", "skills"]
    assert node_class(Result) is Node
    assert node_class(Money) is None


def test_rows_of_a_connection_are_its_non_null_nodes() -> None:
    result = _result(3)
    assert find_connection(result) is result.jobs
    rows = rows_of(result)
    assert [r.id for r in rows] == ["j0", "j1", "j2"]


def test_flatten_uses_dotted_graphql_paths() -> None:
    node = rows_of(_result(2))[1]
    assert isinstance(node, Node)
    row = flatten(node)
    assert row == {
        "id": "j1",
        "title": 'Job, "quoted" 1',
        "budget.amount": "10.5",
        "budget.currencyCode": "USD",
        "skills": ["python", "graphql"],
    }


def test_csv_header_is_stable_even_when_first_rows_are_null() -> None:
    out = io.StringIO()
    writer = make_writer("csv", out, columns=columns_for(Node))
    for node in rows_of(_result(3)):
        writer.write(node)
    writer.close()
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(parsed[0]) == ["id", "title", "budget.amount", "budget.currencyCode", "skills"]
    assert parsed[0]["budget.amount"] == ""  # first row has no budget, column still there
    assert parsed[1]["budget.currencyCode"] == "USD"
    assert parsed[1]["title"] == 'Job, "quoted" 1'
    assert json.loads(parsed[2]["skills"]) == ["python", "graphql"]


def test_csv_with_no_rows_still_writes_the_header() -> None:
    out = io.StringIO()
    make_writer("csv", out, columns=["id", "title"]).close()
    assert out.getvalue().strip() == "id,title"


def test_json_writer_streams_a_valid_array() -> None:
    out = io.StringIO()
    writer = make_writer("json", out)
    seen: list[str] = []
    for node in rows_of(_result(2)):
        writer.write(node)
        writer.flush()
        seen.append(out.getvalue())
    assert '"j0"' in seen[0]  # the first element is out before the second is written
    assert '"j1"' not in seen[0]
    writer.close()
    data = json.loads(out.getvalue())
    assert [d["id"] for d in data] == ["j0", "j1"]
    assert data[1]["budget"] == {"amount": "10.5", "currencyCode": "USD"}

    empty = io.StringIO()
    make_writer("json", empty).close()
    assert json.loads(empty.getvalue()) == []


def test_jsonl_writer_one_object_per_line() -> None:
    out = io.StringIO()
    writer = make_writer("jsonl", out)
    for node in rows_of(_result(3)):
        writer.write(node)
    writer.close()
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["j0", "j1", "j2"]


def test_table_writer_renders_rows_and_drops_empty_columns() -> None:
    out = io.StringIO()
    writer = make_writer("table", out, columns=columns_for(Node), title="jobs")
    for node in rows_of(_result(2)):
        writer.write(node)
    writer.close()
    text = out.getvalue()
    assert "jobs" in text
    assert "j0" in text
    assert "j1" in text
    assert "budget.currencyCode" in text


def test_concise_repr_is_short_and_summarises_lists() -> None:
    result = _result(50)
    full = repr(result)
    short = concise_repr(result)
    assert len(full) > 5000
    assert len(short) < 200
    assert "Connection(" in short
    inner = concise_repr(result.jobs)  # type: ignore[arg-type]
    assert "total_count=99" in inner
    assert "edges=[51 items]" in inner
    node = concise_repr(Node(id="x", title="t" * 500))
    assert len(node) < 100
    assert node.startswith("Node(id='x', title='ttt")


def test_describe_error_names_the_request_id_once() -> None:
    from upwork_gql import APIError
    from upwork_gql.cli._runner import describe_error

    bare = APIError("boom", request_id="req-1")
    assert describe_error(bare) == "APIError: boom (request id req-1)"
    already = APIError("boom (request id req-1)", request_id="req-1")
    assert describe_error(already).count("req-1") == 1

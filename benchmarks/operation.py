"""The benchmarked operation: the job-search connection, read from ``queries/``.

Every client in the benchmarks sends the same document (the operation plus the fragments it
uses) and the same variables, so their costs compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
    visit,
)
from graphql.language import Visitor

from upwork_gql.schema import method_name

REPO_ROOT = Path(__file__).resolve().parent.parent
# Preferred first: the search operation, then the older listing one.
OPERATION_NAMES = ("marketplaceJobPostingsSearch", "marketplaceJobPostings")


def snake(name: str) -> str:
    """A GraphQL name as ariadne-codegen names it in python (``filter`` -> ``filter_``)."""
    return method_name(name)


def _type_name(t: TypeNode) -> str:
    while isinstance(t, NonNullTypeNode | ListTypeNode):
        t = t.type
    assert isinstance(t, NamedTypeNode)
    return t.name.value


@dataclass(frozen=True)
class Operation:
    name: str  # operation name, e.g. marketplaceJobPostingsSearch
    root_key: str  # response key of the connection under ``data``
    document: str  # the operation plus every fragment it uses
    operation_text: str  # the operation alone (as in its .graphql file)
    fragments_text: str  # the fragments it uses
    filter_var: str | None  # variable that carries ``pagination_eq`` (job search)
    filter_type: str | None
    pagination_var: str | None  # variable of type Pagination (other connections)
    path: Path

    def variables(self, after: str, first: int) -> dict[str, Any]:
        page = {"after": after, "first": first}
        if self.filter_var is not None:
            return {self.filter_var: {"pagination_eq": page}}
        if self.pagination_var is not None:
            return {self.pagination_var: page}
        return page

    @property
    def method_name(self) -> str:
        return snake(self.name)


def _fragments_used(
    selection_root: Any, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    seen: dict[str, FragmentDefinitionNode] = {}

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            name = node.name.value
            if name not in seen and name in fragments:
                seen[name] = fragments[name]
                visit(fragments[name], Spreads())

    visit(selection_root, Spreads())
    return list(seen.values())


def load_operation(queries_dir: Path | None = None, name: str | None = None) -> Operation:
    queries_dir = queries_dir or REPO_ROOT / "queries"
    files = sorted(queries_dir.glob("*.graphql"))
    fragments: dict[str, FragmentDefinitionNode] = {}
    fragment_src: dict[str, str] = {}
    operations: dict[str, tuple[OperationDefinitionNode, str, Path]] = {}
    for path in files:
        text = path.read_text()
        doc = parse(text)
        for d in doc.definitions:
            if isinstance(d, FragmentDefinitionNode):
                fragments[d.name.value] = d
                assert d.loc is not None
                fragment_src[d.name.value] = text[d.loc.start : d.loc.end]
            elif isinstance(d, OperationDefinitionNode) and d.name is not None:
                assert d.loc is not None
                operations[d.name.value] = (d, text[d.loc.start : d.loc.end], path)
    wanted = (name,) if name else OPERATION_NAMES
    for op_name in wanted:
        if op_name in operations:
            break
    else:
        raise LookupError(f"no operation named {' or '.join(wanted)} in {queries_dir}")
    op, op_text, path = operations[op_name]
    used = _fragments_used(op, fragments)
    frag_text = "\n\n".join(fragment_src[f.name.value] for f in used)
    root = next(s for s in op.selection_set.selections if isinstance(s, FieldNode))
    root_key = root.alias.value if root.alias else root.name.value
    filter_var = filter_type = pagination_var = None
    for vd in op.variable_definitions:
        tname = _type_name(vd.type)
        if "Filter" in tname and filter_var is None:
            filter_var, filter_type = vd.variable.name.value, tname
        elif tname == "Pagination":
            pagination_var = vd.variable.name.value
    document = op_text + ("\n\n" + frag_text if frag_text else "")
    return Operation(
        name=op_name,
        root_key=root_key,
        document=document,
        operation_text=op_text,
        fragments_text=frag_text,
        filter_var=filter_var,
        filter_type=filter_type,
        pagination_var=pagination_var,
        path=path,
    )

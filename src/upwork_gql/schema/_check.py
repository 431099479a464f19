"""Validate the operations in ``queries/`` against a schema, one report line per operation.

Besides graphql-core validation, the check flags what would break code generation or the client:
anonymous and duplicate operations, and operation names whose generated method (snake_case, as
ariadne-codegen names it) would collide with a method or attribute of the client.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    NoDeprecatedCustomRule,
    OperationDefinitionNode,
    Source,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor
from graphql.validation import NoUnusedFragmentsRule

from upwork_gql._operation import method_name

__all__ = [
    "RESERVED_CLIENT_NAMES",
    "CheckReport",
    "OperationReport",
    "Problem",
    "check_operations",
    "client_reserved_names",
    "collect_query_files",
    "method_name",
]

# Names the client owns whatever its implementation looks like today.
RESERVED_CLIENT_NAMES: frozenset[str] = frozenset(
    {
        "execute",
        "get_data",
        "with_tenant",
        "with_options",
        "with_raw_response",
        "close",
        "aclose",
        "from_env",
        "paginate",
        "pages",
    }
)

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """A finding with its location (``file:line:column`` when known)."""

    message: str
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def where(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def format(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


@dataclass
class OperationReport:
    """The result for one operation (or for a fragment no operation uses)."""

    name: str
    kind: str
    file: str
    method: str | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "file": self.file,
            "method": self.method,
            "ok": self.ok,
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass
class CheckReport:
    """Every operation's report plus problems that belong to no operation (parse errors...)."""

    operations: list[OperationReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(op.ok for op in self.operations) and not any(
            p.severity == "error" for p in self.problems
        )

    @property
    def invalid(self) -> list[OperationReport]:
        return [op for op in self.operations if not op.ok]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "operations": [op.to_json() for op in self.operations],
            "problems": [p.to_json() for p in self.problems],
        }

    def format_text(self, *, verbose: bool = True) -> str:
        lines: list[str] = [f"{p.severity}: {p.format()}" for p in self.problems]
        width = max((len(op.name) for op in self.operations), default=0)
        for op in self.operations:
            status = "ok" if op.ok else "FAIL"
            if op.ok and not op.problems and not verbose:
                continue
            lines.append(f"{status:<5} {op.kind:<12} {op.name:<{width}}  {op.file}")
            lines.extend(f"        {p.severity}: {p.format()}" for p in op.problems)
        ops = [op for op in self.operations if op.kind != "fragment"]
        bad = [op for op in self.operations if not op.ok]
        lines.append(
            f"{len(ops)} operation(s) checked: {len(bad)} invalid"
            + (f", {len(self.problems)} file problem(s)" if self.problems else "")
            + "."
        )
        return "\n".join(lines) + "\n"


def _client_names() -> dict[str, str]:
    """Public names of a constructed ``UpworkClient`` (class and instance): name -> owner.

    The methods generated from operations (the registry lists them) are left out.
    """
    try:
        from upwork_gql._client import UpworkClient
        from upwork_gql._generated.operations import OPERATIONS
    except Exception:  # the generated package may not import yet (first generation)
        return {}
    generated = {op.method for op in OPERATIONS.values()}
    generated |= {f"paginate_{op.method}" for op in OPERATIONS.values() if op.connection}
    client = UpworkClient(access_token="schema-check", rate_limit=None)
    owners: dict[str, str] = {}
    for name in dir(client):
        if name.startswith("_") or name in generated:
            continue
        owner = next((c for c in type(client).__mro__ if name in vars(c)), None)
        owners[name] = f"{owner.__name__}.{name}" if owner else f"UpworkClient().{name}"
    return owners


def client_reserved_names() -> dict[str, str]:
    """Public names on the client that an operation's method must not take: name -> owner."""
    reserved = dict.fromkeys(RESERVED_CLIENT_NAMES, "the client")
    reserved.update(_client_names())
    return reserved


def collect_query_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into their ``*.graphql`` files (sorted); keep files as given."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(p.rglob("*.graphql")))
        else:
            files.append(p)
    seen: set[Path] = set()
    unique: list[Path] = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _problem_from_error(error: GraphQLError, severity: Severity = "error") -> Problem:
    file: str | None = None
    line: int | None = None
    column: int | None = None
    if error.nodes and error.nodes[0].loc is not None:
        file = error.nodes[0].loc.source.name
    elif error.source is not None:
        file = error.source.name
    if error.locations:
        line, column = error.locations[0].line, error.locations[0].column
    return Problem(error.message, severity, file, line, column)


def _node_problem(message: str, node: Node, severity: Severity = "error") -> Problem:
    if node.loc is None:
        return Problem(message, severity)
    loc = node.loc.source.get_location(node.loc.start)
    return Problem(message, severity, node.loc.source.name, loc.line, loc.column)


def _spreads(node: Node) -> set[str]:
    names: set[str] = set()

    class _Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            names.add(spread.name.value)

    visit(node, _Collect())
    return names


def _needed_fragments(
    node: Node, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    needed: dict[str, FragmentDefinitionNode] = {}
    pending = sorted(_spreads(node))
    while pending:
        name = pending.pop()
        if name in needed or name not in fragments:
            continue
        needed[name] = fragments[name]
        pending.extend(sorted(_spreads(fragments[name]) - needed.keys()))
    return [needed[n] for n in sorted(needed)]


def _parse_files(files: Sequence[Path], report: CheckReport) -> list[tuple[Path, DocumentNode]]:
    documents: list[tuple[Path, DocumentNode]] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            report.problems.append(Problem(f"cannot read: {exc.strerror or exc}", file=str(path)))
            continue
        try:
            documents.append((path, parse(Source(text, str(path)))))
        except GraphQLError as exc:
            report.problems.append(_problem_from_error(exc))
    return documents


def check_operations(
    schema: GraphQLSchema,
    files: Sequence[str | Path],
    *,
    fragment_files: Sequence[str | Path] = (),
    reserved: dict[str, str] | None = None,
) -> CheckReport:
    """Validate every operation in ``files`` against ``schema``.

    Fragments may come from ``files`` or from ``fragment_files`` (e.g. ``queries/fragments.graphql``
    when only some operation files are checked). ``reserved`` maps client names to their owner;
    by default :func:`client_reserved_names`.
    """
    report = CheckReport()
    op_files = [Path(f) for f in files]
    op_keys = {f.resolve() for f in op_files}
    extra = [Path(f) for f in fragment_files if Path(f).resolve() not in op_keys]
    op_docs = _parse_files(op_files, report)
    extra_docs = _parse_files(extra, report)
    reserved = client_reserved_names() if reserved is None else reserved

    fragments: dict[str, FragmentDefinitionNode] = {}
    for _path, doc in op_docs + extra_docs:
        for definition in doc.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments:
                    report.problems.append(
                        _node_problem(f"fragment {name!r} is defined more than once", definition)
                    )
                else:
                    fragments[name] = definition

    used_fragments: set[str] = set()
    by_name: dict[str, OperationReport] = {}
    by_method: dict[str, OperationReport] = {}
    deprecated_rules = [NoDeprecatedCustomRule]
    for path, doc in op_docs:
        for definition in doc.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            kind = definition.operation.value
            if definition.name is None:
                op = OperationReport("<anonymous>", kind, str(path), None)
                op.problems.append(
                    _node_problem(
                        "operations must be named (the name becomes the method)", definition
                    )
                )
                report.operations.append(op)
                continue
            name = definition.name.value
            method = method_name(name)
            op = OperationReport(name, kind, str(path), method)
            report.operations.append(op)

            needed = _needed_fragments(definition, fragments)
            used_fragments.update(f.name.value for f in needed)
            document = DocumentNode(definitions=(definition, *needed))
            op.problems.extend(_problem_from_error(e) for e in validate(schema, document))
            if op.ok:
                op.problems.extend(
                    _problem_from_error(e, "warning")
                    for e in validate(schema, document, deprecated_rules)
                )

            if name in by_name:
                other = by_name[name]
                op.problems.append(
                    _node_problem(
                        f"operation name {name!r} is also used in {other.file}", definition
                    )
                )
            else:
                by_name[name] = op
            if method in reserved:
                op.problems.append(
                    _node_problem(
                        f"method name {method!r} collides with {reserved[method]}; "
                        "rename the operation",
                        definition,
                    )
                )
            elif method in by_method and by_method[method].name != name:
                op.problems.append(
                    _node_problem(
                        f"method name {method!r} is also generated by operation "
                        f"{by_method[method].name!r}",
                        definition,
                    )
                )
            else:
                by_method.setdefault(method, op)
            if path.stem not in {name, method} and len(doc.definitions) >= 1:
                ops_in_file = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
                if len(ops_in_file) == 1:
                    op.problems.append(
                        Problem(
                            f"file name does not match the operation (expected {name}.graphql)",
                            "warning",
                            str(path),
                        )
                    )

    # Fragments defined in the checked files that no operation uses are still validated.
    fragment_rules = [r for r in specified_rules if r is not NoUnusedFragmentsRule]
    for path, doc in op_docs:
        for definition in doc.definitions:
            if not isinstance(definition, FragmentDefinitionNode):
                continue
            name = definition.name.value
            if name in used_fragments or fragments.get(name) is not definition:
                continue
            frag = OperationReport(name, "fragment", str(path), None)
            document = DocumentNode(
                definitions=(definition, *_needed_fragments(definition, fragments))
            )
            frag.problems.extend(
                _problem_from_error(e) for e in validate(schema, document, fragment_rules)
            )
            report.operations.append(frag)
    return report

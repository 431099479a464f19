"""Extract the example operations of Upwork's GraphQL reference into tests/data/doc_examples/.

The reference (the text of Upwork's documentation page) shows operations in two places: the
REST-to-GraphQL guide (a ``GraphQL`` line, then the operation) and the generated Queries reference
(a ``Query`` line, then the operation). Each operation is written verbatim to its own file,
``NNN-<name>.graphql``, with one comment line naming its source line, so that the test suite can
validate them against ``schema.graphql`` without the documentation at hand.

    python scripts/extract_doc_examples.py [--docs ../shared/upwork-api-docs] [--check]

``--check`` writes nothing and exits 1 when the vendored files differ from a fresh extraction.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = ROOT.parent / "shared" / "upwork-api-docs"
OUT = ROOT / "tests" / "data" / "doc_examples"
REFERENCE = "graphql-reference.txt"

#: A line that introduces an example operation.
MARKERS = frozenset({"GraphQL", "Query"})
_START = re.compile(r"^\s*(query|mutation|subscription)\b|^\s*\{")
_NAME = re.compile(r"^\s*(?:query|mutation|subscription)\s+([A-Za-z_]\w*)")
_ROOT_FIELD = re.compile(r"\{\s*([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Example:
    """One example operation: where it starts in the reference and its text."""

    line: int
    text: str

    @property
    def name(self) -> str:
        """The operation's name, else its first root field."""
        match = _NAME.match(self.text) or _ROOT_FIELD.search(self.text)
        return match.group(1) if match else "anonymous"

    def file_text(self) -> str:
        """The vendored file: a source line, then the operation verbatim."""
        return f"# {REFERENCE}, line {self.line}\n{self.text}\n"


def _depth_change(line: str) -> tuple[int, bool]:
    """Net ``{``/``}`` count of a line outside strings and comments, and whether it has any."""
    depth = 0
    seen = False
    in_string = False
    i = 0
    while i < len(line):
        char = line[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            break
        elif char == "{":
            depth += 1
            seen = True
        elif char == "}":
            depth -= 1
            seen = True
        i += 1
    return depth, seen


def extract(text: str) -> Iterator[Example]:
    """Every example operation of the reference, in order."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() not in MARKERS:
            index += 1
            continue
        start = index + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        if start >= len(lines) or not _START.match(lines[start]):
            index += 1
            continue
        depth = 0
        opened = False
        end = start
        while end < len(lines):
            change, seen = _depth_change(lines[end])
            depth += change
            opened = opened or seen
            if opened and depth <= 0:
                break
            end += 1
        body = "\n".join(line.rstrip() for line in lines[start : end + 1])
        yield Example(line=start + 1, text=body)
        index = end + 1


def render(examples: list[Example]) -> dict[str, str]:
    """File name -> content for the vendored directory."""
    return {
        f"{number:03d}-{example.name}.graphql": example.file_text()
        for number, example in enumerate(examples, start=1)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    source = args.docs / REFERENCE
    if not source.is_file():
        print(f"{source}: not found", file=sys.stderr)
        return 2
    files = render(list(extract(source.read_text(encoding="utf-8"))))
    out: Path = args.out
    existing = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.graphql")}
    if args.check:
        if existing != files:
            stale = sorted(set(existing) ^ set(files)) or sorted(
                n for n in files if existing.get(n) != files[n]
            )
            print(f"{out} is stale: {', '.join(stale[:5])}", file=sys.stderr)
            return 1
        print(f"{out}: {len(files)} examples, up to date")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for name in set(existing) - set(files):
        (out / name).unlink()
    for name, content in files.items():
        (out / name).write_text(content, encoding="utf-8")
    print(f"{len(files)} examples written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of a long paginated walk: 100,000 nodes vs 1,000 nodes.

A tiny HTTP server (stdlib, in a subprocess, on 127.0.0.1) fabricates ``marketplaceJobPostings``
pages of realistic job postings (``benchmarks/pages.py``: 1.6-1.9 KB of JSON per node). Each walk
runs in a fresh Python process with ``UpworkClient.paginate_marketplace_job_postings`` at the
largest page size (100) and reports that process's peak RSS (``ru_maxrss``). Memory is bounded
when the 100,000-node walk peaks within 20 MiB of the 1,000-node walk; had the nodes been kept,
the difference would be above 100 MiB.

Usage::

    python benchmarks/bench_pagination_memory.py            # both walks, prints a table
    python benchmarks/bench_pagination_memory.py --json     # the same figures as JSON

Exit status 1 when the difference exceeds the budget.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BUDGET_MIB = 20.0
SMALL_WALK = 1_000
LARGE_WALK = 100_000
PAGE_SIZE = 100
OPERATION = "marketplaceJobPostings"


# -- the fabricating server ------------------------------------------------------------------------

DISTINCT_NODES = 200  # realistic nodes (benchmarks/pages.py), repeated with new ids


def _node_texts() -> list[str]:
    """JSON texts of realistic job postings, with an ``id`` placeholder."""
    from benchmarks.operation import registry_operation
    from benchmarks.pages import generate_nodes

    texts, _faker = generate_nodes(registry_operation(OPERATION), DISTINCT_NODES)
    out = []
    for text in texts:
        node = json.loads(text)
        node["id"] = "@ID@"
        out.append(json.dumps(node, separators=(",", ":"), ensure_ascii=False))
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    nodes: typing.ClassVar[list[str]] = []
    total: typing.ClassVar[int] = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        page = body["variables"]["marketPlaceJobFilter"]["pagination_eq"]
        start = int(page.get("after") or 0)
        stop = min(start + int(page["first"]), self.total)
        nodes = self.nodes
        edges = ",".join(
            f'{{"cursor":"{index + 1}","node":'
            f"{nodes[index % len(nodes)].replace('@ID@', str(index))}}}"
            for index in range(start, stop)
        )
        has_next = "true" if stop < self.total else "false"
        payload = (
            f'{{"data":{{"{OPERATION}":{{"totalCount":{self.total},"edges":[{edges}],'
            f'"pageInfo":{{"hasNextPage":{has_next},"endCursor":"{stop}"}}}}}}}}'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


def serve(total: int) -> None:
    """Serve ``total`` fabricated nodes on a free loopback port; print the port, run until EOF."""
    _Handler.nodes = _node_texts()
    _Handler.total = total
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # the parent closes stdin to stop us
    server.shutdown()


# -- one walk, in its own process ------------------------------------------------------------------


def walk(url: str, max_items: int, *, keep: bool = False) -> dict[str, Any]:
    import anyio

    from upwork_gql._client import UpworkClient

    async def run() -> dict[str, Any]:
        async with UpworkClient(
            url=url, access_token="bench", rate_limit=None, max_concurrency=None
        ) as client:
            paginator = client.paginate_marketplace_job_postings(
                page_size=PAGE_SIZE, max_items=max_items
            )
            count = 0
            title_chars = 0
            kept = []
            started = time.perf_counter()
            async for job in paginator:
                count += 1
                title_chars += len(job.title or "")
                if keep:
                    kept.append(job)
            elapsed = time.perf_counter() - started
            return {
                "nodes": count,
                "pages": paginator.pages_fetched,
                "seconds": round(elapsed, 2),
                "title_chars": title_chars,
            }

    result = anyio.run(run)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _walk_in_subprocess(url: str, max_items: int, *, keep: bool = False) -> dict[str, Any]:
    command = [sys.executable, __file__, "--walk", str(max_items), "--url", url]
    out = subprocess.run(
        [*command, "--keep"] if keep else command,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)])},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(control: bool = False) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(LARGE_WALK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)])},
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/graphql"
        small = _walk_in_subprocess(url, SMALL_WALK)
        large = _walk_in_subprocess(url, LARGE_WALK)
        kept = _walk_in_subprocess(url, LARGE_WALK, keep=True) if control else None
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    difference = round(large["peak_rss_mib"] - small["peak_rss_mib"], 1)
    return {
        "operation": OPERATION,
        "page_size": PAGE_SIZE,
        "small": small,
        "large": large,
        "difference_mib": difference,
        "budget_mib": BUDGET_MIB,
        "bounded": difference <= BUDGET_MIB,
        "control_keeping_nodes": kept,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--control", action="store_true", help="also walk 100,000 nodes keeping them all"
    )
    parser.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--walk", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
        return 0
    if args.walk is not None:
        print(json.dumps(walk(args.url, args.walk, keep=args.keep)))
        return 0
    result = measure(control=args.control)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"Paginated walk memory ({OPERATION}, page size {PAGE_SIZE}, loopback server)")
        print(f"{'nodes':>8} {'pages':>6} {'seconds':>8} {'peak RSS (MiB)':>15}")
        rows = [("", result["small"]), ("", result["large"])]
        if result["control_keeping_nodes"] is not None:
            rows.append(("  (control: every node kept)", result["control_keeping_nodes"]))
        for note, row in rows:
            print(
                f"{row['nodes']:>8} {row['pages']:>6} {row['seconds']:>8} "
                f"{row['peak_rss_mib']:>15}{note}"
            )
        verdict = "within" if result["bounded"] else "OVER"
        difference = result["difference_mib"]
        print(f"difference: {difference} MiB ({verdict} the {BUDGET_MIB:.0f} MiB budget)")
    return 0 if result["bounded"] else 1


if __name__ == "__main__":
    sys.exit(main())

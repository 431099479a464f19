"""A minimal, independent GraphQL server for the schema workflow tests.

Stdlib ``http.server`` + graphql-core's ``graphql_sync``: no ariadne, no Starlette, nothing shared
with the sandbox. ``mode`` switches it into the failure modes a pull must survive.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graphql import GraphQLSchema, build_schema, graphql_sync

# Deliberately unsorted (types, fields, enum values, arguments) and using every kind of type,
# descriptions, deprecations and a custom directive.
SERVED_SDL = '''
"""A custom directive."""
directive @cost(weight: Int = 1) on FIELD_DEFINITION | OBJECT

"""Money as a decimal string."""
scalar Money

type Query {
  "Find one contract."
  contract(id: ID!, includeTerms: Boolean = false): Contract
  search(text: String!, status: ContractStatus): [SearchResult!]!
  node(id: ID!): Node
  legacyTotal: Money @deprecated(reason: "Use contract.amount.")
  offers(filter: OfferFilter, first: Int = 10): OfferConnection! @cost(weight: 5)
}

type Mutation {
  sendPayment(input: PaymentInput!): Payment
}

interface Node {
  id: ID!
}

type Contract implements Node @cost(weight: 2) {
  title: String!
  id: ID!
  status: ContractStatus!
  amount: Money
}

type Offer implements Node {
  id: ID!
  state: OfferState
}

type OfferConnection {
  totalCount: Int!
  edges: [OfferEdge!]!
  pageInfo: PageInfo!
}

type OfferEdge {
  node: Offer
  cursor: String!
}

type PageInfo {
  hasNextPage: Boolean!
  endCursor: String
}

type Payment {
  id: ID!
  amount: Money!
}

union SearchResult = Offer | Contract

"""Contract lifecycle."""
enum ContractStatus {
  PAUSED
  ACTIVE
  ENDED @deprecated(reason: "Use CLOSED.")
  CLOSED
}

enum OfferState {
  SENT
  ACCEPTED
  DECLINED
}

input OfferFilter {
  state: OfferState
  after: String
}

input PaymentInput {
  contractId: ID!
  amount: Money!
  memo: String = ""
}
'''

SCOPE_MESSAGE = (
    "The client or authentication token doesn't have enough oauth2 permissions/scopes to "
    "access: [Query.__schema]"
)


class SchemaServer:
    """Serve ``schema`` over HTTP POST on 127.0.0.1; record the requests it got."""

    def __init__(self, schema: GraphQLSchema, *, token: str | None = None) -> None:
        self.schema = schema
        self.token = token
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/graphql"

    def respond(self, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        self.requests.append({"headers": headers, "body": body})
        if self.mode == "http500":
            return 500, "text/plain", b"upstream exploded"
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            return 401, "application/json", b'{"message": "Unauthorized"}'
        if self.mode == "html":
            return 200, "text/html", b"<html>maintenance</html>"
        if self.mode == "scopes":
            return (
                200,
                "application/json",
                json.dumps({"data": None, "errors": [{"message": SCOPE_MESSAGE}]}).encode(),
            )
        if self.mode == "disabled":
            return (
                200,
                "application/json",
                json.dumps(
                    {
                        "data": None,
                        "errors": [
                            {
                                "message": "GraphQL introspection is not allowed",
                                "extensions": {"classification": "ValidationError"},
                            }
                        ],
                    }
                ).encode(),
            )
        payload = json.loads(body)
        result = graphql_sync(
            self.schema, payload["query"], variable_values=payload.get("variables")
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        if self.mode == "partial":
            out["errors"] = [{"message": "Exception while fetching data (/__schema/types[3])"}]
        elif self.mode == "invalid":
            out = {"data": {"__schema": {"queryType": {"name": "Query"}, "types": "nope"}}}
        elif self.mode == "no_schema":
            out = {"data": {"somethingElse": 1}}
        elif self.mode == "dangling":
            # A type referencing a type the result does not contain.
            types = out["data"]["__schema"]["types"]
            out["data"]["__schema"]["types"] = [t for t in types if t["name"] != "PageInfo"]
        return 200, "application/json", json.dumps(out).encode()

    def __enter__(self) -> SchemaServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, ctype, payload = owner.respond(headers, body)
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serve(sdl: str = SERVED_SDL, *, token: str | None = None) -> Iterator[SchemaServer]:
    with SchemaServer(build_schema(sdl), token=token) as server:
        yield server


def refused_url() -> str:
    """A loopback URL where nothing listens (the port was just freed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/graphql"

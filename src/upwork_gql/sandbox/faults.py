"""Fault injection: a queue of faults per endpoint, applied to the next requests, in order.

A plan is JSON (``POST /_sandbox/faults``) or a mapping passed in :class:`SandboxConfig.faults`::

    {"next": [{"status": 429, "retry_after": 1}, {"status": 502, "html": true},
              {"drop": true}, {"truncate": true}, {"delay": 0.5}],
     "token_endpoint": [{"status": 503}]}

Targets: ``next`` (alias ``graphql``): requests to ``/graphql``; ``token_endpoint`` (alias
``token``): requests to the token endpoint; ``authorize``: the authorize endpoint.

A fault is an object with any of:

- ``status`` (int): answer with this status instead of running the request; ``retry_after``
  (number or HTTP date string) adds a ``Retry-After`` header; ``html`` (bool) sends an HTML error
  page (like a proxy's 502); ``body`` (str) or ``json`` (any) set the body; ``headers`` (object)
  adds headers. With ``"after": true`` the request is executed first and its response replaced
  (a gateway error after the server acted: a mutation that did happen).
- ``delay`` (seconds): wait before answering (alone: a slow but normal response).
- ``drop`` (bool): close the connection without a response (in-process: raise
  ``httpx.RemoteProtocolError``, what httpx raises for a real dropped connection). With
  ``"after": true`` the request is executed first and then the response is dropped.
- ``truncate`` (bool): run the request, then send only the first half of the JSON body.
- ``times`` (int): apply this fault to this many consecutive requests (default 1).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TARGET_ALIASES: Mapping[str, str] = {
    "next": "graphql",
    "graphql": "graphql",
    "token_endpoint": "token",
    "token": "token",
    "authorize": "authorize",
}
TARGETS = ("graphql", "token", "authorize")

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

REASONS: Mapping[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultPlanError(ValueError):
    """A fault plan that cannot be understood."""


@dataclass(frozen=True)
class Fault:
    """One fault, applied to one request."""

    status: int | None = None
    retry_after: float | str | None = None
    html: bool = False
    body: str | None = None
    json_body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    after: bool = False
    truncate: bool = False

    @classmethod
    def from_mapping(cls, spec: Mapping[str, Any]) -> Fault:
        """Build a fault from its JSON form (see the module docstring)."""
        known = {
            "status",
            "retry_after",
            "html",
            "body",
            "json",
            "headers",
            "delay",
            "drop",
            "after",
            "truncate",
            "times",
        }
        unknown = set(spec) - known
        if unknown:
            raise FaultPlanError(f"unknown fault keys: {sorted(unknown)}")
        status = spec.get("status")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise FaultPlanError(f"bad status: {status!r}")
        retry_after = spec.get("retry_after")
        if retry_after is not None and not isinstance(retry_after, int | float | str):
            raise FaultPlanError(f"bad retry_after: {retry_after!r}")
        delay = spec.get("delay", 0.0)
        if not isinstance(delay, int | float) or delay < 0:
            raise FaultPlanError(f"bad delay: {delay!r}")
        headers = spec.get("headers") or {}
        if not isinstance(headers, Mapping):
            raise FaultPlanError("headers must be an object")
        fault = cls(
            status=status,
            retry_after=retry_after,
            html=bool(spec.get("html", False)),
            body=spec.get("body"),
            json_body=spec.get("json"),
            headers={str(k): str(v) for k, v in headers.items()},
            delay=float(delay),
            drop=bool(spec.get("drop", False)),
            after=bool(spec.get("after", False)),
            truncate=bool(spec.get("truncate", False)),
        )
        if not (fault.status or fault.drop or fault.truncate or fault.delay):
            raise FaultPlanError(f"fault does nothing: {dict(spec)!r}")
        return fault

    def response_body(self) -> tuple[bytes, str]:
        """The body and content type of a ``status`` fault."""
        status = self.status or 500
        if self.json_body is not None:
            return json.dumps(self.json_body).encode(), "application/json"
        if self.body is not None:
            kind = "text/html; charset=utf-8" if self.html else "text/plain; charset=utf-8"
            return self.body.encode(), kind
        reason = REASONS.get(status, "Error")
        if self.html:
            page = (
                HTML_502
                if status == 502
                else HTML_502.replace("502 Bad Gateway", f"{status} {reason}")
            )
            return page.encode(), "text/html; charset=utf-8"
        if status == 429:
            return b"Too Many Requests", "text/plain; charset=utf-8"
        return json.dumps({"message": reason}).encode(), "application/json"


def parse_plan(plan: Mapping[str, Any]) -> dict[str, list[Fault]]:
    """Parse a plan ``{target: [fault, ...]}`` into faults per canonical target."""
    if not isinstance(plan, Mapping):
        raise FaultPlanError("a fault plan is an object of lists")
    out: dict[str, list[Fault]] = {}
    for key, specs in plan.items():
        target = TARGET_ALIASES.get(key)
        if target is None:
            raise FaultPlanError(
                f"unknown fault target {key!r}; use one of {sorted(TARGET_ALIASES)}"
            )
        if not isinstance(specs, list | tuple):
            raise FaultPlanError(f"{key}: a list of faults expected")
        faults = out.setdefault(target, [])
        for spec in specs:
            if not isinstance(spec, Mapping):
                raise FaultPlanError(f"{key}: each fault is an object")
            times = spec.get("times", 1)
            if not isinstance(times, int) or times < 1:
                raise FaultPlanError(f"bad times: {times!r}")
            faults.extend([Fault.from_mapping(spec)] * times)
    return out


class FaultQueues:
    """Thread-safe queues of pending faults, one per target."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Fault]] = {t: deque() for t in TARGETS}

    def push(self, plan: Mapping[str, Any]) -> dict[str, int]:
        """Append a plan (JSON shape); returns the pending counts. Invalid plans change nothing."""
        parsed = parse_plan(plan)
        with self._lock:
            for target, faults in parsed.items():
                self._queues[target].extend(faults)
        return self.pending()

    def extend(self, target: str, faults: Iterable[Fault]) -> None:
        """Append already-built faults to one target."""
        canonical = TARGET_ALIASES.get(target, target)
        with self._lock:
            self._queues[canonical].extend(faults)

    def pop(self, target: str) -> Fault | None:
        """The next fault for this target, if any."""
        with self._lock:
            queue = self._queues.get(target)
            return queue.popleft() if queue else None

    def clear(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            for queue in self._queues.values():
                queue.clear()

    def pending(self) -> dict[str, int]:
        """Pending faults per target."""
        with self._lock:
            return {t: len(q) for t, q in self._queues.items()}

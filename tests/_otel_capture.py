"""OpenTelemetry for the test suite: in-memory exporters as the global providers, and a scan.

``tests/conftest.py`` installs one :class:`Capture` per test process (the global providers can be
set only once; with xdist each worker is a process), resets it before every test and, after it,
scans what the library reported during it (:meth:`Capture.leaks`): only the documented span
names, event names and attribute keys, values of the documented shape, and no secret the test
registered. Metrics are read with delta temporality, so a test sees only its own data points.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    MeterProvider,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
)
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    InMemoryMetricReader,
    Metric,
    MetricsData,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from upwork_gql._redact import Redactor

SCOPE = "upwork_gql"

_IDENT = r"[_A-Za-z][_0-9A-Za-z]*"
_KIND = r"(query|mutation|subscription)"
SPAN_NAME = re.compile(rf"({_KIND}( {_IDENT})?|upwork\.oauth2\.refresh|paginate {_IDENT})\Z")

#: attribute key -> the shape of its value (None: any string without a secret, or a number)
_RULES: dict[str, re.Pattern[str] | None] = {
    "graphql.operation.name": re.compile(rf"{_IDENT}\Z"),
    "graphql.operation.type": re.compile(rf"{_KIND}\Z"),
    "server.address": re.compile(r"[A-Za-z0-9.\-\[\]:]+\Z"),
    "server.port": None,
    "http.response.status_code": None,
    "upwork.request_id": None,
    "upwork.retry_count": None,
    "upwork.rate_limit.wait": None,
    "error.type": re.compile(rf"{_IDENT}\Z"),
    "upwork.oauth2.grant_type": re.compile(r"(refresh_token|client_credentials)\Z"),
    "upwork.pagination.page_size": None,
    "upwork.pagination.pages": None,
    "upwork.pagination.items": None,
    "upwork.retry.attempt": None,
    "upwork.retry.reason": re.compile(rf"(HTTP \d{{3}}|{_IDENT})\Z"),
    "upwork.retry.wait": None,
    "upwork.outcome": re.compile(r"(success|error|cancelled)\Z"),
    "upwork.client_id": None,
}
SPAN_KEYS = frozenset(_RULES) - {
    "upwork.retry.attempt",
    "upwork.retry.reason",
    "upwork.retry.wait",
    "upwork.outcome",
    "upwork.client_id",
}
EVENT_KEYS = frozenset({"upwork.retry.attempt", "upwork.retry.reason", "upwork.retry.wait"})
METRIC_KEYS = frozenset(
    {
        "graphql.operation.name",
        "graphql.operation.type",
        "upwork.outcome",
        "error.type",
        "upwork.retry.reason",
        "upwork.oauth2.grant_type",
        "upwork.client_id",
    }
)
METRICS = frozenset(
    {
        "upwork.client.operations",
        "upwork.client.operation.duration",
        "upwork.client.retries",
        "upwork.oauth2.refreshes",
        "upwork.rate_limit.wait",
        "upwork.rate_limit.daily_budget.remaining",
    }
)


def _check(
    where: str, attributes: Mapping[str, Any], allowed: frozenset[str], redactor: Redactor
) -> list[str]:
    problems = []
    for key, value in attributes.items():
        if key not in allowed:
            problems.append(f"{where}: undocumented attribute {key}={value!r}")
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(f"{where}: {key} has a {type(value).__name__} value")
            continue
        if not isinstance(value, str):
            continue
        rule = _RULES[key]
        if rule is not None and not rule.match(value):
            problems.append(f"{where}: {key}={value!r} is not of the documented shape")
        if redactor.redact(value) != value:
            problems.append(f"{where}: {key} holds a secret")
    return problems


@dataclass
class Capture:
    """The in-memory span exporter and metric reader behind the global providers."""

    spans: InMemorySpanExporter
    reader: InMemoryMetricReader
    #: What the reader collected since :meth:`reset` (delta temporality: each batch is new).
    batches: list[MetricsData] = field(default_factory=list)

    def reset(self) -> None:
        """Forget every span and data point reported so far."""
        self._collect()
        self.batches.clear()
        self.spans.clear()

    def _collect(self) -> None:
        data = self.reader.get_metrics_data()
        if data is not None:
            self.batches.append(data)

    def finished(self, name: str | None = None) -> list[ReadableSpan]:
        """The library's finished spans (named ``name``), oldest first."""
        return [
            span
            for span in self.spans.get_finished_spans()
            if span.instrumentation_scope is not None
            and span.instrumentation_scope.name == SCOPE
            and (name is None or span.name == name)
        ]

    def metrics(self) -> list[Metric]:
        """The library's metrics reported since :meth:`reset` (one entry per collection)."""
        self._collect()
        return [
            item
            for data in self.batches
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            if scope.scope.name == SCOPE
            for item in scope.metrics
        ]

    def points(self, metric: str) -> list[tuple[dict[str, Any], Any]]:
        """``(attributes, data point)`` of the library's metric ``metric`` since :meth:`reset`."""
        return [
            (dict(point.attributes or {}), point)
            for item in self.metrics()
            if item.name == metric
            for point in item.data.data_points
        ]

    def dump(self) -> str:
        """Every span, event and metric the library reported, as JSON text."""
        spans = [json.loads(span.to_json()) for span in self.finished()]
        metrics = [json.loads(item.to_json()) for item in self.metrics()]
        return json.dumps({"spans": spans, "metrics": metrics})

    def leaks(self, redactor: Redactor) -> list[str]:
        """What the library reported that it should not have (see the module docstring)."""
        problems: list[str] = []
        for span in self.finished():
            where = f"span {span.name!r}"
            if not SPAN_NAME.match(span.name):
                problems.append(f"{where}: unexpected span name")
            problems += _check(where, span.attributes or {}, SPAN_KEYS, redactor)
            description = span.status.description or ""
            if redactor.redact(description) != description:
                problems.append(f"{where}: the status description holds a secret")
            for event in span.events:
                if event.name != "upwork.retry":
                    problems.append(f"{where}: unexpected event {event.name!r}")
                problems += _check(
                    f"{where} event {event.name!r}", event.attributes or {}, EVENT_KEYS, redactor
                )
        for item in self.metrics():
            if item.name not in METRICS:
                problems.append(f"unexpected metric {item.name!r}")
            for point in item.data.data_points:
                problems += _check(
                    f"metric {item.name!r}", point.attributes or {}, METRIC_KEYS, redactor
                )
        return problems


def install() -> Capture:
    """Make in-memory exporters the global providers (once per process)."""
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(tracer_provider)
    delta = AggregationTemporality.DELTA
    reader = InMemoryMetricReader(
        preferred_temporality=dict.fromkeys(
            (
                Counter,
                UpDownCounter,
                Histogram,
                ObservableCounter,
                ObservableUpDownCounter,
                ObservableGauge,
            ),
            delta,
        )
    )
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return Capture(spans, reader)


def absent(text: str, needles: Iterable[str]) -> list[str]:
    """The needles found in ``text``."""
    return [needle for needle in needles if needle in text]

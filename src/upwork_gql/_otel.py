"""The OpenTelemetry side of :mod:`upwork_gql.telemetry`: the one module that imports it.

Loaded by :func:`upwork_gql._telemetry.otel` only once the application has imported
OpenTelemetry. Tracer and meter come from the global providers; before the application sets
them, the API's proxies stand in and start reporting when it does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Final

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Histogram, Meter, Observation
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from upwork_gql import __version__
from upwork_gql.telemetry import (
    ATTR_CLIENT_ID,
    METRIC_BUDGET,
    METRIC_DURATION,
    METRIC_LIMITER_WAIT,
    METRIC_OPERATIONS,
    METRIC_REFRESHES,
    METRIC_RETRIES,
)

__all__ = ["OTel"]

AttributeValue = str | bool | int | float
Attributes = Mapping[str, AttributeValue]

SCOPE: Final = "upwork_gql"
#: Bucket bounds (seconds) for the duration histograms, as OpenTelemetry's HTTP conventions.
_SECONDS_BUCKETS: Final = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1,
    2.5,
    5,
    7.5,
    10,
)


def _histogram(meter: Meter, name: str, description: str) -> Histogram:
    try:
        return meter.create_histogram(
            name,
            unit="s",
            description=description,
            explicit_bucket_boundaries_advisory=list(_SECONDS_BUCKETS),
        )
    except TypeError:  # an API from before the advisory parameter
        return meter.create_histogram(name, unit="s", description=description)


def _budget_observations(options: CallbackOptions) -> Iterator[Observation]:
    from upwork_gql._telemetry import budget_sources

    for limiter in budget_sources():
        remaining = limiter.last_remaining_daily_budget
        if remaining is not None:
            yield Observation(remaining, {ATTR_CLIENT_ID: limiter.client_id})


class OTel:
    """The tracer and the instruments of the ``upwork_gql`` scope."""

    def __init__(self) -> None:
        self.tracer = trace.get_tracer(SCOPE, __version__)
        meter = metrics.get_meter(SCOPE, __version__)
        self.operations = meter.create_counter(
            METRIC_OPERATIONS, unit="{operation}", description="Operation calls, by outcome"
        )
        self.duration = _histogram(
            meter, METRIC_DURATION, "Duration of operation calls, retries included"
        )
        self.retries = meter.create_counter(
            METRIC_RETRIES, unit="{retry}", description="Retried attempts, by reason"
        )
        self.refreshes = meter.create_counter(
            METRIC_REFRESHES, unit="{refresh}", description="OAuth2 token refreshes, by outcome"
        )
        self.limiter_wait = _histogram(
            meter, METRIC_LIMITER_WAIT, "Time an attempt waited for the rate limiter"
        )
        meter.create_observable_gauge(
            METRIC_BUDGET,
            callbacks=[_budget_observations],
            unit="{request}",
            description="Requests left today in the shared daily budget (as of the last request)",
        )

    def start(self, name: str, attributes: Attributes, *, client: bool) -> tuple[Span, object]:
        """Start a span and make it current; pass both to :meth:`end`."""
        span = self.tracer.start_span(
            name,
            kind=SpanKind.CLIENT if client else SpanKind.INTERNAL,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        )
        return span, otel_context.attach(trace.set_span_in_context(span))

    def start_detached(self, name: str, attributes: Attributes) -> Span:
        """Start an INTERNAL span that is made current only by :meth:`use`."""
        return self.tracer.start_span(
            name,
            kind=SpanKind.INTERNAL,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        )

    @staticmethod
    def use(span: Span) -> AbstractContextManager[Any]:
        """Make ``span`` current for a block, without ending it."""
        return trace.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        )

    @staticmethod
    def finish(
        span: Span,
        token: object | None,
        attributes: Attributes,
        error_type: str | None,
        *,
        cancelled: bool = False,
    ) -> None:
        """Set the final attributes and status, end the span, restore the context."""
        try:
            if span.is_recording():
                span.set_attributes(attributes)
                if error_type is not None:
                    span.set_attribute("error.type", error_type)
                    span.set_status(Status(StatusCode.ERROR, error_type))
                elif not cancelled:
                    span.set_status(Status(StatusCode.OK))
            span.end()
        finally:
            if token is not None:
                otel_context.detach(token)  # type: ignore[arg-type]

    @staticmethod
    def event(span: Span, name: str, attributes: Attributes) -> None:
        if span.is_recording():
            span.add_event(name, attributes)

"""The metric registry: one small entry per metric, looked up by name.

Entry points (CLI group `tenure metrics`, API `/api/v1/metrics/...`, docs checks) list
metrics from here instead of `if name == ...` chains. Later metrics (retention,
renewals, cohorts, sBG) add an entry next to their service function.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenure.errors import NotFound


@dataclass(frozen=True)
class MetricDefinition:
    name: str  # CLI command and API path segment
    title: str
    section: str  # the METRICS.md section that defines it
    docs_anchor: str  # heading in docs/metrics.md


_REGISTRY: dict[str, MetricDefinition] = {}


def register(definition: MetricDefinition) -> MetricDefinition:
    if definition.name in _REGISTRY:
        raise ValueError(f"metric {definition.name!r} registered twice")
    _REGISTRY[definition.name] = definition
    return definition


def get(name: str) -> MetricDefinition:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFound(f"unknown metric {name!r}") from None


def all_metrics() -> list[MetricDefinition]:
    return sorted(_REGISTRY.values(), key=lambda definition: definition.name)


REVENUE = register(
    MetricDefinition(
        name="revenue",
        title="Monthly MRR/ARR series with new, expansion, contraction, churn and reactivation",
        section="2",
        docs_anchor="monthly-revenue-series",
    )
)
RETENTION = register(
    MetricDefinition(
        name="retention",
        title="NRR, GRR and logo churn of the start cohort over a period",
        section="3",
        docs_anchor="retention-over-a-period",
    )
)
RENEWALS = register(
    MetricDefinition(
        name="renewals",
        title="Logo and ARR renewal rates, due accounts and the sales pool",
        section="4",
        docs_anchor="renewals",
    )
)
ECONOMICS = register(
    MetricDefinition(
        name="economics",
        title="ARPA, monthly logo churn, LTV, CAC, LTV:CAC and CAC payback",
        section="5",
        docs_anchor="unit-economics",
    )
)
CMRR = register(
    MetricDefinition(
        name="cmrr",
        title="Committed MRR as of a day with its parts",
        section="5",
        docs_anchor="committed-mrr-cmrr",
    )
)

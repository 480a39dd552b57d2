"""The metric registry: one small entry per metric, looked up by name.

Entry points (CLI group `tenure metrics`, API `/api/v1/metrics/...`, docs checks) list
metrics from here instead of `if name == ...` chains. Each entry carries the metric's
formula; its worked example is computed by the real code (`tenure.metrics.examples`),
and `tenure metrics reference` renders both into docs/metric-reference.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenure.errors import NotFound


@dataclass(frozen=True)
class MetricDefinition:
    name: str  # CLI command and API path segment
    title: str
    section: str  # the METRICS.md section that defines it
    docs_anchor: str  # heading in docs/metrics.md (or docs/retention.md)
    formula: str = ""  # the definition, as plain-text formulas (one per line)
    command: str = ""  # the command that computes it; default `tenure metrics NAME`

    @property
    def cli(self) -> str:
        return self.command or f"tenure metrics {self.name}"


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
    return sorted(_REGISTRY.values(), key=lambda definition: (definition.section, definition.name))


REVENUE = register(
    MetricDefinition(
        name="revenue",
        title="Monthly MRR/ARR series with new, expansion, contraction, churn and reactivation",
        section="2",
        docs_anchor="monthly-revenue-series",
        formula="""\
term MRR = amount / billing_period_months; a term is active on day d when start <= d < end
MRR(a, m) = sum of the MRR of a's terms active on the last day of month m, rounded half up to cents once
new          = MRR(m)            when MRR(m-1) = 0 < MRR(m) and no earlier snapshot was > 0
reactivation = MRR(m)            when MRR(m-1) = 0 < MRR(m) and some earlier snapshot was > 0
expansion    = MRR(m) - MRR(m-1) when 0 < MRR(m-1) < MRR(m)
contraction  = MRR(m-1) - MRR(m) when 0 < MRR(m) < MRR(m-1)
churn        = MRR(m-1)          when MRR(m-1) > 0 = MRR(m)
MRR(m) - MRR(m-1) = new + reactivation + expansion - contraction - churn; ARR = 12 x MRR
quick ratio = (new + reactivation + expansion) / (contraction + churn)""",
    )
)
RETENTION = register(
    MetricDefinition(
        name="retention",
        title="NRR, GRR and logo churn of the start cohort over a period",
        section="3",
        docs_anchor="retention-over-a-period",
        formula="""\
C = accounts with MRR(a, s-1) > 0 (paying at the end of the month before the period)
NRR = sum over C of MRR(a, e) / sum over C of MRR(a, s-1)
GRR = sum over C of min(MRR(a, e), MRR(a, s-1)) / sum over C of MRR(a, s-1)
logo churn rate = |{a in C : MRR(a, e) = 0}| / |C|; gross MRR churn rate = 1 - GRR
all null (never 0) when C is empty""",
    )
)
RENEWALS = register(
    MetricDefinition(
        name="renewals",
        title="Logo and ARR renewal rates, due accounts and the sales pool",
        section="4",
        docs_anchor="renewals",
        formula="""\
due: a paying term whose end date E lies in the period; successor: another paying term of
  the account starting in [E, E + grace_days]
renewed: some due term has a successor; pending: none yet and as-of < E + grace for some
  due term; churned: otherwise, released to the sales pool on the latest E + grace
logo renewal rate = renewed accounts / due accounts
ARR renewal rate (net) = ARR of the distinct successors / due ARR
gross ARR renewal rate = sum over due accounts of min(renewed ARR, due ARR) / due ARR""",
    )
)
ECONOMICS = register(
    MetricDefinition(
        name="economics",
        title="ARPA, monthly logo churn, LTV, CAC, LTV:CAC and CAC payback",
        section="5",
        docs_anchor="unit-economics",
        formula="""\
ARPA = MRR(end) / paying customers(end)
c = mean over the 12 months ending at `end` of churned customers(m) / paying customers(m-1)
LTV = ARPA x gross margin / c
CAC = sales and marketing spend(start..end) / new customers(start..end)
LTV:CAC = LTV / CAC; CAC payback months = CAC / (new MRR / new customers x gross margin)""",
    )
)
CMRR = register(
    MetricDefinition(
        name="cmrr",
        title="Committed MRR as of a day with its parts",
        section="5",
        docs_anchor="committed-mrr-cmrr",
        formula="""\
CMRR(d) = MRR(d) + future MRR - replaced MRR - canceled MRR, each part rounded per account
future MRR: signed paying terms (signed_at empty or <= d) that start after d
replaced MRR: active terms without a notice that end on or before the start of a future term
canceled MRR: active terms with a cancellation notice received on or before d""",
    )
)
COHORTS = register(
    MetricDefinition(
        name="cohorts",
        title="Logo and revenue retention of monthly cohorts by months since start",
        section="6",
        docs_anchor="cohort-tables",
        command="tenure retention cohorts",
        formula="""\
cohort of a = the month c of its first positive month-end snapshot
customers(k) = |{a in cohort : MRR(a, c + k) > 0}|; mrr(k) = sum over the cohort of MRR(a, c + k)
logo retention(k) = customers(k) / customers(0); revenue retention(k) = mrr(k) / mrr(0)""",
    )
)
SURVIVAL = register(
    MetricDefinition(
        name="survival",
        title="Kaplan-Meier customer survival with censoring",
        section="6",
        docs_anchor="kaplan-meier-customer-survival",
        command="tenure retention survival",
        formula="""\
lifetime = months from the first positive snapshot to the first month-end at 0 (churn);
  customers still paying at the as-of month are censored at their age then
S(t) = product over churn ages t_i <= t of (1 - churned(t_i) / at risk(t_i))  (lifelines)""",
    )
)
SBG = register(
    MetricDefinition(
        name="sbg",
        title="Shifted-beta-geometric retention projection, DERL and lifetime value",
        section="6",
        docs_anchor="sbg-projecting-retention",
        command="tenure retention sbg",
        formula="""\
P(churn in period t) = B(g+1, d+t-1) / B(g, d); S(t) = B(g, d+t) / B(g, d)
r_t = (d+t-1) / (g+d+t-1); g, d by maximum likelihood, the n-period survivors right-censored
DERL(k, r) = B(g, d+k+1) / B(g, d+k) x 2F1(1, d+k+1; g+d+k+1; 1/(1+r))
lifetime value = value of one period x DERL""",
    )
)

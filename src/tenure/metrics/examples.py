"""Worked examples of every registered metric, computed by the real code.

Each example is a small ledger loaded into an in-memory DuckDB exactly as the product
loads the operational tables (`analytics.inputs.load_ledger`), run through the same
`compute_*` function the CLI and API call; the lines it returns quote the results. The
reference page (`tenure metrics reference`) prints them, so the page cannot drift from
the code: the test of docs/metric-reference.md re-renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pyarrow as pa

from tenure.analytics import inputs, tables

D = Decimal


@dataclass(frozen=True)
class Term:
    account: str
    start: date
    end: date | None
    amount: str
    months: int = 1
    plan: str | None = None
    signed_at: date | None = None
    canceled_at: date | None = None
    note: str = ""


@dataclass(frozen=True)
class WorkedExample:
    ledger: tuple[Term, ...]
    call: str  # the command that gives these figures on this ledger
    lines: tuple[str, ...]  # results, as computed
    spend: dict[str, str] = field(default_factory=dict)  # month -> spend


EXAMPLES: dict[str, Callable[[], WorkedExample]] = {}


def worked_example(name: str) -> Callable[[Callable[[], WorkedExample]], Callable[[], WorkedExample]]:
    def add(function: Callable[[], WorkedExample]) -> Callable[[], WorkedExample]:
        EXAMPLES[name] = function
        return function

    return add


def ledger_arrow(terms: tuple[Term, ...], spend: dict[str, str] | None = None) -> dict[str, pa.Table]:
    """The analytics input tables of a ledger, as `inputs.read_ledger` returns them."""
    names = sorted({t.account for t in terms})
    ids = {name: i + 1 for i, name in enumerate(names)}
    details = pa.Table.from_pylist([
        {"term_id": n + 1, "account_id": ids[t.account], "start_date": t.start, "end_date": t.end,
         "amount": D(t.amount), "billing_period_months": t.months, "plan": t.plan,
         "signed_at": t.signed_at, "canceled_at": t.canceled_at}
        for n, t in enumerate(terms)
    ], schema=inputs.DETAILS_SCHEMA)  # fmt: skip
    people = [{"account_id": ids[name], "external_id": name, "owner": None} for name in names]
    accounts = [{"account_id": ids[name], "segment": None, "industry": None, "country": None}
                for name in names]  # fmt: skip
    spent = [{"month": date.fromisoformat(m + "-01"), "spend": D(v)} for m, v in (spend or {}).items()]
    return {
        "terms": details.select(list(tables.TERM_COLUMNS)),
        "accounts": pa.Table.from_pylist(accounts, schema=tables.ACCOUNTS_SCHEMA),
        "term_details": details,
        "labels": pa.Table.from_pylist(people, schema=inputs.LABELS_SCHEMA),
        "spend": pa.Table.from_pylist(spent, schema=inputs.SPEND_SCHEMA),
    }


@contextmanager
def loaded(terms: tuple[Term, ...], spend: dict[str, str] | None = None) -> Iterator[inputs.LedgerTables]:
    from tenure.analytics.engines import connect_duckdb

    backend = connect_duckdb()
    try:
        yield inputs.load_ledger(backend, ledger_arrow(terms, spend))
    finally:
        backend.disconnect()


def rate(value: Decimal | float | None) -> str:
    return "null" if value is None else f"{value:.4f}"


REVENUE_LEDGER = (
    Term("acme", date(2024, 12, 1), date(2025, 2, 1), "1200", 12, note="annual, 100/month"),
    Term("acme", date(2025, 3, 1), None, "2400", 12, note="back in March at 200/month"),
    Term("beta", date(2025, 1, 10), None, "100", note="new in January"),
    Term("beta", date(2025, 2, 1), None, "50", note="+50 from February"),
    Term("gamma", date(2024, 11, 1), date(2025, 3, 1), "300", note="last month-end in February"),
    Term("trial", date(2025, 1, 1), None, "0", note="free: never a customer"),
)


@worked_example("revenue")
def revenue_example() -> WorkedExample:
    from tenure.analytics.revenue import compute_revenue

    with loaded(REVENUE_LEDGER) as source:
        series = compute_revenue(source.terms, date(2025, 1, 1), date(2025, 3, 1))
    lines = [f"opening MRR (Dec 2024) = {series.opening_mrr}"]
    for m in series.months:
        lines.append(
            f"{m.month:%Y-%m}: MRR {m.mrr} = previous + new {m.new_mrr} + reactivation "
            f"{m.reactivation_mrr} + expansion {m.expansion_mrr} - contraction "
            f"{m.contraction_mrr} - churn {m.churned_mrr}; customers {m.customers}; "
            f"quick ratio {rate(m.quick_ratio)}"
        )
    call = "tenure metrics revenue --from 2025-01 --to 2025-03"
    return WorkedExample(REVENUE_LEDGER, call, tuple(lines))


RETENTION_LEDGER = (
    Term("grow", date(2024, 10, 1), date(2025, 2, 1), "100", note="100 -> 150: expansion"),
    Term("grow", date(2025, 2, 1), None, "150"),
    Term("shrink", date(2024, 12, 1), date(2025, 3, 1), "200", note="200 -> 120: contraction"),
    Term("shrink", date(2025, 3, 1), None, "120"),
    Term("gone", date(2024, 1, 1), date(2025, 2, 15), "100", note="churns in February"),
    Term("newbie", date(2025, 1, 5), None, "500", note="first pays in the period: not in C"),
)


@worked_example("retention")
def retention_example() -> WorkedExample:
    from tenure.analytics.retention import compute_retention

    with loaded(RETENTION_LEDGER) as source:
        result = compute_retention(source, date(2025, 1, 1), date(2025, 3, 1))
    f = result.figures
    lines = (
        f"C = {{{', '.join(a.external_id for a in result.accounts)}}}: start MRR {f.start_mrr}, "
        f"their MRR at the end {f.end_mrr}, retained (min of both) {f.retained_mrr}",
        f"NRR = {f.end_mrr} / {f.start_mrr} = {rate(f.nrr)}",
        f"GRR = {f.retained_mrr} / {f.start_mrr} = {rate(f.grr)}",
        f"logo churn = {f.churned_customers} / {f.start_customers} = {rate(f.logo_churn_rate)}",
    )
    return WorkedExample(RETENTION_LEDGER, "tenure metrics retention --from 2025-01 --to 2025-03", lines)


RENEWALS_LEDGER = (
    Term("renew", date(2024, 2, 1), date(2025, 2, 1), "1200", 12, note="due 2025-02-01"),
    Term("renew", date(2025, 2, 1), date(2026, 2, 1), "1320", 12, note="its successor (upsell)"),
    Term("lastday", date(2024, 3, 1), date(2025, 3, 1), "2400", 12, note="due 2025-03-01"),
    Term("lastday", date(2025, 3, 31), None, "200", note="starts on E + 30: a successor"),
    Term("late", date(2024, 3, 1), date(2025, 3, 1), "600", 12, note="due 2025-03-01"),
    Term("late", date(2025, 4, 1), None, "50", note="E + 31: a reactivation, not a renewal"),
    Term("quiet", date(2024, 3, 20), date(2025, 3, 20), "1200", 12, note="window closes 2025-04-19"),
)


@worked_example("renewals")
def renewals_example() -> WorkedExample:
    from tenure.analytics.renewals import compute_renewals

    with loaded(RENEWALS_LEDGER) as source:
        result = compute_renewals(source, date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 10), 30)
    f = result.figures
    lines = [
        f"{a.external_id}: {a.status}, due ARR {a.due_arr}, renewed ARR {a.renewed_arr}"
        + (f", released to the sales pool on {a.released_to_pool_on}" if a.released_to_pool_on else "")
        for a in result.accounts
    ]
    lines += [
        f"logo renewal rate = {f.renewed_customers} / {f.due_customers} = {rate(f.logo_renewal_rate)}"
        f" (the pending account stays in the denominator)",
        f"ARR renewal rate = {f.renewed_arr} / {f.due_arr} = {rate(f.arr_renewal_rate)}",
        f"gross ARR renewal rate = {f.gross_renewed_arr} / {f.due_arr} = {rate(f.gross_arr_renewal_rate)}",
    ]
    call = "tenure metrics renewals --from 2025-01-01 --to 2025-03-31 --as-of 2025-04-10"
    return WorkedExample(RENEWALS_LEDGER, call, tuple(lines))


ECONOMICS_LEDGER = (
    Term("a", date(2024, 1, 1), None, "100"),
    Term("b", date(2024, 1, 1), date(2024, 7, 1), "100", note="churns in July 2024"),
    Term("c", date(2025, 1, 10), None, "300", note="new in January"),
    Term("d", date(2025, 2, 1), None, "200", note="new in February"),
)
ECONOMICS_SPEND = {"2025-01": "1000", "2025-02": "2000", "2025-03": "3000"}


@worked_example("economics")
def economics_example() -> WorkedExample:
    from tenure.analytics.economics import compute_economics

    with loaded(ECONOMICS_LEDGER, ECONOMICS_SPEND) as source:
        result = compute_economics(source, date(2025, 1, 1), date(2025, 3, 1), D("0.8"))
    f = result.figures
    lines = (
        f"ARPA = {f.mrr} / {f.customers} = {f.arpa}",
        f"c = mean of {f.churn_months} monthly churn rates (one churn in July 2024 over 2 "
        f"customers) = {f.monthly_churn_rate}",
        f"LTV = {f.arpa} x 0.8 / c = {f.ltv}",
        f"CAC = spend {f.spend} / {f.new_customers} new customers = {f.cac}",
        f"LTV:CAC = {rate(f.ltv_to_cac)}; CAC payback = {f.cac} / ({f.new_mrr} / "
        f"{f.new_customers} x 0.8) = {rate(f.cac_payback_months)} months",
    )
    call = "tenure metrics economics --from 2025-01 --to 2025-03  (TENURE_GROSS_MARGIN=0.8)"
    return WorkedExample(ECONOMICS_LEDGER, call, lines, ECONOMICS_SPEND)


CMRR_LEDGER = (
    Term("steady", date(2024, 1, 1), None, "100"),
    Term("upgrade", date(2024, 6, 1), date(2025, 3, 1), "1200", 12, note="replaced on 1 March"),
    Term("upgrade", date(2025, 3, 1), None, "2400", 12, signed_at=date(2025, 1, 20),
         note="signed, starts later"),
    Term("leaving", date(2024, 1, 1), None, "70", canceled_at=date(2025, 1, 5), note="notice given"),
)  # fmt: skip


@worked_example("cmrr")
def cmrr_example() -> WorkedExample:
    from tenure.analytics.cmrr import compute_cmrr

    with loaded(CMRR_LEDGER) as source:
        f = compute_cmrr(source, date(2025, 2, 1)).figures
    lines = (
        f"MRR {f.mrr} + future {f.future_mrr} - replaced {f.replaced_mrr} - canceled "
        f"{f.canceled_mrr} = CMRR {f.cmrr}",
    )
    return WorkedExample(CMRR_LEDGER, "tenure metrics cmrr --as-of 2025-02-01", lines)


COHORT_LEDGER = (
    Term("a", date(2025, 1, 1), None, "100"),
    Term("b", date(2025, 1, 10), date(2025, 3, 1), "50", note="last month-end in February"),
    Term("c", date(2025, 2, 1), None, "200"),
    Term("c", date(2025, 3, 1), None, "100", note="expands in March"),
)


@worked_example("cohorts")
def cohorts_example() -> WorkedExample:
    from tenure.analytics.cohorts import compute_cohorts

    with loaded(COHORT_LEDGER) as source:
        table = compute_cohorts(source, date(2025, 1, 1), date(2025, 3, 1))
    lines = tuple(
        f"cohort {c.month:%Y-%m} ({c.customers} customer{'s' if c.customers != 1 else ''}, "
        f"MRR {c.start_mrr}): "
        + "; ".join(f"age {a.age}: logo {a.logo_retention}, revenue {a.revenue_retention}"
                    for a in c.ages)  # fmt: skip
        for c in table.cohorts
    )
    return WorkedExample(COHORT_LEDGER, "tenure retention cohorts --from 2025-01 --to 2025-03", lines)


@worked_example("survival")
def survival_example() -> WorkedExample:
    from tenure.analytics.survival import compute_lifetimes, kaplan_meier

    with loaded(COHORT_LEDGER) as source:
        lifetimes = compute_lifetimes(source, date(2025, 4, 1))
    curve = kaplan_meier(lifetimes, date(2025, 4, 1), None).curves[0]
    lines = (
        f"{curve.customers} customers, {curve.churned} churned, {curve.censored} censored",
        *(f"S({p.months}) = {p.survival:.4f}" for p in curve.points),
    )
    return WorkedExample(COHORT_LEDGER, "tenure retention survival --as-of 2025-04", lines)


@worked_example("sbg")
def sbg_example() -> WorkedExample:
    from tenure.analytics import sbg

    survivors = (1000, 631, 468, 382, 326, 289, 262, 241)
    projection = sbg.project(sbg.fit_sbg(survivors), 5, 0.10)
    fit = projection.fit
    lines = (
        f"survivors S(0..7) = {', '.join(map(str, survivors))} (Fader & Hardie's regular segment)",
        f"gamma = {fit.gamma:.3f}, delta = {fit.delta:.3f}",
        "projected S(8..12) = " + ", ".join(f"{s:.3f}" for s in projection.survival[8:]),
        f"DERL at 10%: k = 0 gives {projection.derl[0]:.3f}, k = 7 gives {projection.derl[7]:.3f}",
    )
    call = "tenure retention sbg --survivors 1000,631,468,382,326,289,262,241"
    return WorkedExample((), call, lines)

"""Unit economics (METRICS.md section 5) from the monthly revenue movements.

Per month (and per group with a breakdown) the section 2 expressions give MRR, paying
customers, new customers with their starting MRR and churned customers; spend comes
from the `spend` table. Then, for the months start..end:
ARPA = MRR(end) / customers(end); c = mean over the 12 months ending at `end` of
churned(m) / customers(m-1) (months with no paying customers at m-1 are left out);
LTV = ARPA x gross margin / c; CAC = spend(start..end) / new customers(start..end);
CAC payback months = CAC / (new MRR / new customers x gross margin).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from fractions import Fraction

import ibis.expr.types as ir

from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import EconomicsFigures, EconomicsGroup, UnitEconomics
from tenure.analytics.months import date_month_index, month_index, month_of_index
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import (
    account_movements,
    account_snapshots,
    measure_scale,
    monthly_movements,
)
from tenure.kit.timeutil import month_end

TRAILING_MONTHS = 12
CHURN_PLACES = Decimal("1E-10")
Row = dict[str, int]


def grouped_months(source: LedgerTables, first: int, last: int, by: str | None) -> ir.Table:
    """Section 2 totals per (group, month_idx) for months first..last, rows where
    something was paying in the month or the month before."""
    scale = measure_scale(source.terms)
    snapshots = account_snapshots(source.terms, scale, last)
    movements = account_movements(snapshots, first, last)
    labelled = with_group(movements, source, by, month_end(month_of_index(last)))
    return monthly_movements(labelled, keys=("group", "month_idx"))


def period_spend(spend: ir.Table, first: int, last: int) -> Decimal:
    index = date_month_index(spend.month)
    chosen = spend.filter((index >= first) & (index <= last))
    total = chosen.aggregate(total=chosen.spend.sum()).to_pyarrow().to_pylist()[0]["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def figures_of(rows: dict[int, Row], first: int, last: int, spend: Decimal | None,
               margin: Decimal) -> EconomicsFigures:  # fmt: skip
    """The section 5 figures of one group from its monthly rows (missing months are 0)."""
    zero: Row = defaultdict(int)
    final = rows.get(last, zero)
    rates = []
    for month in range(last - TRAILING_MONTHS + 1, last + 1):
        before = rows.get(month - 1, zero)["customers"]
        if before:
            rates.append(Fraction(rows.get(month, zero)["churned_customers"], before))
    churn = None
    if rates:
        mean = sum(rates, Fraction(0)) / len(rates)
        churn = (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(CHURN_PLACES)
    period = [rows.get(month, zero) for month in range(first, last + 1)]
    return EconomicsFigures(
        mrr=cents_to_money(final["mrr"]),
        customers=int(final["customers"]),
        monthly_churn_rate=churn,
        churn_months=len(rates),
        new_customers=sum(int(row["new_customers"]) for row in period),
        new_mrr=cents_to_money(sum(int(row["new_mrr"]) for row in period)),
        spend=spend,
        gross_margin=margin,
    )


def compute_economics(
    source: LedgerTables, start: date, end: date, margin: Decimal, by: str | None = None
) -> UnitEconomics:
    first, last = month_index(start), month_index(end)
    earliest = min(first, last - TRAILING_MONTHS)
    table = grouped_months(source, earliest, last, by).to_pyarrow().to_pylist()
    by_group: dict[str, dict[int, Row]] = defaultdict(dict)
    overall: dict[int, Row] = defaultdict(lambda: defaultdict(int))
    for row in table:
        by_group[row["group"]][int(row["month_idx"])] = row
        for name in ("mrr", "customers", "churned_customers", "new_customers", "new_mrr"):
            overall[int(row["month_idx"])][name] += int(row[name])
    spend = period_spend(source.spend, first, last)
    figures = figures_of(dict(overall), first, last, spend, margin)
    groups = tuple(
        EconomicsGroup(name, figures_of(by_group[name], first, last, None, margin))
        for name in sorted(by_group)
        if by is not None
    )
    return UnitEconomics(start, end, by, figures, groups)


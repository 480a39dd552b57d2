"""Unit economics (METRICS.md section 5) from the monthly revenue movements.

Per month (and per group with a breakdown) the section 2 expressions give MRR, paying
customers, new customers with their starting MRR and churned customers; spend comes
from the `spend` table. Then, for the months start..end:
ARPA = MRR(end) / customers(end); c = mean over the 12 months ending at `end` of
churned(m) / customers(m-1) (months with no paying customers at m-1 are left out);
LTV = ARPA x gross margin / c; CAC = spend(start..end) / new customers(start..end);
CAC payback months = CAC / (new MRR / new customers x gross margin).

Two compiled-once queries (`compiled.Query`, months and days as integer parameters):
the monthly net changes from the accounts' term boundaries (`revenue.account_changes`,
no month grid), of which MRR and customers are running sums, and the period's spend.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from fractions import Fraction

import ibis
import ibis.expr.types as ir

from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import day_number
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import EconomicsFigures, EconomicsGroup, UnitEconomics
from tenure.analytics.months import date_month_index, month_index
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, account_changes, measure_scale
from tenure.analytics.tables import AMOUNT_UNITS
from tenure.kit.timeutil import month_end

TRAILING_MONTHS = 12
CHURN_PLACES = Decimal("1E-10")
LEVELS = ("mrr", "customers")  # running sums of the monthly net changes
MOVES = ("churned_customers", "new_customers", "new_mrr")  # the month's own
Row = dict[str, int]


def _count_if(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).sum().cast("int64")


def _changes_rows(source: ir.Table | LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once economics query: per month up to `last` with some change of an
    account's MRR (and per group of `by` as of day number `reference_day`), the net
    change of MRR (cents) and of paying customers, new customers with their MRR and
    churned customers (`revenue.account_changes`: term boundaries, no month grid)."""
    terms = source if isinstance(source, ir.Table) else source.terms
    changes = account_changes(terms, Scale(params["denominator"], None), params["last"])
    keys = ["month_idx"]
    if by is not None:
        assert isinstance(source, LedgerTables)
        changes, keys = with_group(changes, source, by, params["reference_day"]), ["group", "month_idx"]
    cur, prev = changes.cur, changes.prev
    is_new = (prev == 0) & (cur > 0) & (changes.first_paid == changes.month_idx)
    return changes.group_by(keys).aggregate(
        mrr=(cur - prev).sum().cast("int64"),
        customers=_count_if(cur > 0) - _count_if(prev > 0),
        churned_customers=_count_if((prev > 0) & (cur == 0)),
        new_customers=_count_if(is_new),
        new_mrr=ibis.ifelse(is_new, cur, 0).sum().cast("int64"),
    )


def _spend_rows(spend: ir.Table, params: Params, by: str | None) -> ir.Table:
    """The spend of months `first`..`last` in 1/10,000 of the currency (one row)."""
    index = date_month_index(spend.month)
    chosen = spend.filter((index >= params["first"]) & (index <= params["last"]))
    units = (chosen.spend.cast("float64") * AMOUNT_UNITS).round().cast("int64")
    return chosen.aggregate(units=units.sum().cast("int64"))


ECONOMICS_QUERY = Query("economics", ("denominator", "last", "reference_day"), _changes_rows)
SPEND_QUERY = Query("spend", ("first", "last"), _spend_rows)


def period_spend(spend: ir.Table, first: int, last: int) -> Decimal:
    """Spend of the months first..last, exact to the 4 stored decimals, in cents."""
    values = {"first": first, "last": last}
    units = SPEND_QUERY.run(spend._find_backend(), spend, values).column("units")[0].as_py()
    return (Decimal(units or 0) / AMOUNT_UNITS).quantize(Decimal("0.01"))


def monthly_rows(changes: list[dict[str, int]], first: int, last: int) -> dict[int, Row]:
    """Per month first..last: MRR and customers (running sums of all the changes up to
    the month) and the month's own movements; zeros where nothing changes."""
    by_month = {int(row["month_idx"]): row for row in changes}
    level = {name: sum(int(r[name]) for m, r in by_month.items() if m < first) for name in LEVELS}
    rows: dict[int, Row] = {}
    for month in range(first, last + 1):
        row = by_month.get(month)
        for name in LEVELS:
            level[name] += int(row[name]) if row else 0
        rows[month] = {**level, **{name: int(row[name]) if row else 0 for name in MOVES}}
    return rows


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
    """Section 5 for the months start..end: one query for the monthly changes (per
    group with `by`), one for the spend; the figures are sums over those rows."""
    first, last = month_index(start), month_index(end)
    earliest = min(first, last - TRAILING_MONTHS)
    values = {"denominator": measure_scale(source.terms).denominator, "last": last,
              "reference_day": day_number(month_end(end))}  # fmt: skip
    inputs = source.terms if by is None else source
    table = ECONOMICS_QUERY.run(source.base.backend, inputs, values, by).to_pylist()
    spend = period_spend(source.spend, first, last)
    if by is None:
        overall = monthly_rows(table, earliest - 1, last)
        return UnitEconomics(start, end, by, figures_of(overall, first, last, spend, margin), ())
    per_group: dict[str, list[Row]] = defaultdict(list)
    for row in table:
        per_group[row["group"]].append(row)
    by_group = {name: monthly_rows(rows, earliest - 1, last) for name, rows in per_group.items()}
    overall = {month: {name: sum(rows[month][name] for rows in by_group.values())
                       for name in (*LEVELS, *MOVES)}
               for month in range(earliest - 1, last + 1)}  # fmt: skip
    groups = tuple(
        EconomicsGroup(name, figures_of(by_group[name], first, last, None, margin))
        for name in sorted(by_group)
        if any(row["customers"] for row in by_group[name].values())  # paying in the range
    )
    return UnitEconomics(start, end, by, figures_of(overall, first, last, spend, margin), groups)

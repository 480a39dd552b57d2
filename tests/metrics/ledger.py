"""Ledgers of subscription terms written through the real operational database, and a
pure-Python oracle of METRICS.md sections 1-2 to check the engines against."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, insert, select, update

from tenure.analytics.movements import RevenueMovements
from tenure.analytics.results import RevenueSeries
from tenure.kit.context import AppContext
from tenure.kit.timeutil import month_end, next_month
from tenure.models.accounts import Account
from tenure.models.users import User
from tenure.models.billing import SubscriptionTerm


@dataclass(frozen=True)
class Term:
    account: str
    start: date
    end: date | None
    amount: str | Decimal
    months: int = 1
    plan: str | None = None
    signed_at: date | None = None
    canceled_at: date | None = None


def write_ledger(context: AppContext, terms: list[Term]) -> dict[str, int]:
    """Replace every account and term with this ledger; returns account ids by name."""
    names = sorted({term.account for term in terms})
    with context.engine.begin() as connection:
        connection.execute(delete(SubscriptionTerm))
        connection.execute(delete(Account))
        ids = {}
        for name in names:
            ids[name] = connection.execute(
                insert(Account).values(external_id=name, name=name.title()).returning(Account.id)
            ).scalar_one()
        if terms:
            connection.execute(insert(SubscriptionTerm), [_row(i, t, ids) for i, t in enumerate(terms)])
    return ids


def _row(index: int, term: Term, ids: dict[str, int]) -> dict[str, object]:
    return {
        "external_id": f"term-{index}",
        "account_id": ids[term.account],
        "start_date": term.start,
        "end_date": term.end,
        "amount": Decimal(term.amount),
        "billing_period_months": term.months,
        "plan": term.plan,
        "signed_at": term.signed_at,
        "canceled_at": term.canceled_at,
    }


def label_accounts(context: AppContext, labels: dict[str, dict[str, str]]) -> None:
    """Set segment, industry and owner (an email; the user is created) per account name."""
    with context.engine.begin() as connection:
        for name, values in labels.items():
            fields = {k: v for k, v in values.items() if k != "owner"}
            if "owner" in values:
                owner = connection.execute(select(User.id).where(User.email == values["owner"])).scalar()
                if owner is None:
                    owner = connection.execute(
                        insert(User).values(email=values["owner"], role="csm").returning(User.id)
                    ).scalar_one()
                fields["owner_id"] = owner
            connection.execute(update(Account).where(Account.external_id == name).values(**fields))


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def snapshot_cents(terms: list[Term], month: date) -> dict[str, int]:
    """MRR(a, m) in cents: exact sum of amount / period, rounded half-up once per account."""
    day = month_end(month)
    exact: dict[str, Fraction] = defaultdict(Fraction)
    for term in terms:
        if term.start <= day and (term.end is None or day < term.end):
            exact[term.account] += Fraction(Decimal(term.amount)) / term.months
    cents = {
        a: int((Decimal(v.numerator) / Decimal(v.denominator) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        for a, v in exact.items()
    }
    return {a: c for a, c in cents.items() if c > 0}


def oracle(terms: list[Term], first: date, last: date) -> list[dict[str, int]]:
    """The section 2 series computed naively from the definitions (money in cents)."""
    earliest = min([t.start.replace(day=1) for t in terms] + [first])
    history = months_between(earliest, last)
    ever: set[str] = set()
    previous: dict[str, int] = {}
    rows = []
    for month in history:
        current = snapshot_cents(terms, month)
        row = defaultdict(int, month=month, mrr=sum(current.values()), customers=len(current))
        for account in set(current) | set(previous):
            cur, prev = current.get(account, 0), previous.get(account, 0)
            if prev == 0 and cur > 0:
                kind = "reactivation" if account in ever else "new"
                row[f"{kind}_mrr"] += cur
                row["reactivated_customers" if kind == "reactivation" else "new_customers"] += 1
            elif prev > 0 and cur == 0:
                row["churned_mrr"] += prev
                row["churned_customers"] += 1
            elif cur > prev:
                row["expansion_mrr"] += cur - prev
            elif cur < prev:
                row["contraction_mrr"] += prev - cur
        ever |= set(current)
        previous = current
        if month >= first:
            rows.append(dict(row))
    return rows


def cents(value: Decimal) -> int:
    assert value == value.quantize(Decimal("0.01")), value
    return int(value * 100)


def as_cents(series: RevenueSeries) -> list[dict[str, object]]:
    keys = ("mrr", "customers", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
            "reactivation_mrr", "new_customers", "churned_customers", "reactivated_customers")
    out = []
    for month in series.months:
        row: dict[str, object] = {"month": month.month}
        for key in keys:
            value = getattr(month, key)
            row[key] = cents(value) if isinstance(value, Decimal) else value
        out.append(row)
    return out


def assert_identities(series: RevenueSeries) -> None:
    """MRR(m) - MRR(m-1) = new + reactivation + expansion - contraction - churn, and
    customers(m) = customers(m-1) + new + reactivated - churned, every month."""
    mrr, customers = series.opening_mrr, series.opening_customers
    for month in series.months:
        movements = (month.new_mrr + month.reactivation_mrr + month.expansion_mrr
                     - month.contraction_mrr - month.churned_mrr)
        assert month.mrr - mrr == movements == month.net_new_mrr, month
        assert month.customers == (customers + month.new_customers
                                   + month.reactivated_customers - month.churned_customers), month
        assert month.arr == month.mrr * 12
        mrr, customers = month.mrr, month.customers


def assert_adds_up(movements: RevenueMovements, series: RevenueSeries) -> None:
    """Per month and movement the listed accounts sum to the series' amount and count."""
    money: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    counts = Counter((a.month, a.movement) for a in movements.accounts)
    for a in movements.accounts:
        money[a.month, a.movement] += {"new": a.mrr_after, "reactivation": a.mrr_after,
                                       "churn": a.mrr_before}.get(a.movement, abs(a.change))  # fmt: skip
    for m in series.months:
        got = {name: (money[m.month, name], counts[m.month, name]) for name in
               ("new", "reactivation", "expansion", "contraction", "churn")}  # fmt: skip
        assert got == {
            "new": (m.new_mrr, m.new_customers),
            "reactivation": (m.reactivation_mrr, m.reactivated_customers),
            "expansion": (m.expansion_mrr, m.expanded_customers),
            "contraction": (m.contraction_mrr, m.contracted_customers),
            "churn": (m.churned_mrr, m.churned_customers),
        }, m.month


def through_the_cache(context: AppContext, compute: Callable[[Any], Any]) -> list[Any]:
    """`compute(ledger tables)` on DuckDB, the database, then both again (the second time
    from the compiled-query cache): four results the caller expects to be equal."""
    from tenure.analytics.inputs import ledger_tables

    results = []
    for engine in ("duckdb", "database", "duckdb", "database"):
        with ledger_tables(context, engine) as source:
            results.append(compute(source))
    return results

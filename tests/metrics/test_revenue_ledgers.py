"""Hand-computed ledgers for every movement and edge of METRICS.md sections 1-2, written
through the real database (SQLite and PostgreSQL) and run on both analytics engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenure.analytics.results import RevenueMonth, RevenueSeries
from tenure.kit.context import AppContext
from tenure.metrics.service import revenue_series
from tests.metrics.ledger import Term, as_cents, assert_identities, oracle, write_ledger

D = Decimal
ENGINES = ["duckdb", "database"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


def run(context: AppContext, engine: str, terms: list[Term], first: str, last: str) -> RevenueSeries:
    write_ledger(context, terms)
    start, end = date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01")
    series = revenue_series(context, start, end, engine=engine)  # type: ignore[arg-type]
    assert_identities(series)
    assert as_cents(series) == [
        {k: row.get(k, 0) for k in as_cents(series)[0]} for row in oracle(terms, start, end)
    ]
    return series


def by_month(series: RevenueSeries) -> dict[str, RevenueMonth]:
    return {m.month.strftime("%Y-%m"): m for m in series.months}


def test_zero_amount_trial_is_not_a_customer_and_not_new(context, engine) -> None:
    terms = [
        Term("trial", date(2025, 1, 10), date(2025, 3, 10), "0"),
        Term("trial", date(2025, 3, 10), None, "100"),
        Term("free", date(2025, 1, 1), None, "0", 12),
    ]
    months = by_month(run(context, engine, terms, "2025-01", "2025-04"))
    assert [months[m].customers for m in ("2025-01", "2025-02", "2025-03")] == [0, 0, 1]
    assert months["2025-02"].new_customers == 0 and months["2025-02"].mrr == 0
    assert months["2025-03"].new_mrr == D("100.00") and months["2025-03"].new_customers == 1
    assert months["2025-04"].new_customers == 0


def test_annual_and_three_year_terms_are_spread_over_their_months(context, engine) -> None:
    terms = [
        Term("annual", date(2025, 1, 1), date(2026, 1, 1), "12000", 12),
        Term("triennial", date(2025, 1, 1), date(2028, 1, 1), "36000", 36),
    ]
    months = by_month(run(context, engine, terms, "2025-01", "2026-01"))
    jan = months["2025-01"]
    assert (jan.mrr, jan.arr, jan.new_mrr, jan.new_customers) == (D("2000"), D("24000"), D("2000"), 2)
    assert months["2025-12"].mrr == D("2000")
    jan_next = months["2026-01"]
    assert (jan_next.mrr, jan_next.churned_mrr, jan_next.churned_customers) == (D("1000"), D("1000"), 1)


def test_term_inside_one_month_never_reaches_a_month_end(context, engine) -> None:
    terms = [Term("short", date(2025, 2, 3), date(2025, 2, 20), "500")]
    series = run(context, engine, terms, "2025-01", "2025-03")
    assert all(m.mrr == 0 and m.new_customers == 0 and m.churned_customers == 0 for m in series.months)


def test_end_date_is_exclusive(context, engine) -> None:
    terms = [
        Term("to-first", date(2025, 1, 1), date(2025, 4, 1), "100"),  # covers 31 March
        Term("to-last", date(2025, 1, 1), date(2025, 3, 31), "200"),  # 31 March not covered
    ]
    months = by_month(run(context, engine, terms, "2025-01", "2025-04"))
    assert months["2025-02"].mrr == D("300")
    assert (months["2025-03"].mrr, months["2025-03"].churned_mrr) == (D("100"), D("200"))
    assert (months["2025-04"].mrr, months["2025-04"].churned_mrr) == (D("0"), D("100"))


def test_contraction_then_expansion(context, engine) -> None:
    terms = [
        Term("acme", date(2025, 1, 1), date(2025, 3, 1), "300"),
        Term("acme", date(2025, 3, 1), date(2025, 4, 1), "200"),
        Term("acme", date(2025, 4, 1), None, "500"),
    ]
    months = by_month(run(context, engine, terms, "2025-02", "2025-05"))
    assert months["2025-03"].contraction_mrr == D("100") and months["2025-03"].customers == 1
    assert months["2025-04"].expansion_mrr == D("300")
    assert months["2025-04"].quick_ratio is None
    assert months["2025-03"].quick_ratio == D("0")
    assert months["2025-05"].net_new_mrr == 0


def test_churn_then_reactivation_is_not_new(context, engine) -> None:
    terms = [
        Term("acme", date(2025, 1, 1), date(2025, 2, 1), "100"),
        Term("acme", date(2025, 4, 1), None, "150"),
        Term("beta", date(2025, 4, 1), None, "50"),
    ]
    months = by_month(run(context, engine, terms, "2025-01", "2025-04"))
    assert (months["2025-02"].churned_mrr, months["2025-02"].churned_customers) == (D("100"), 1)
    apr = months["2025-04"]
    assert (apr.reactivation_mrr, apr.reactivated_customers) == (D("150"), 1)
    assert (apr.new_mrr, apr.new_customers) == (D("50"), 1)


def test_history_before_from_classifies_a_first_month_reactivation(context, engine) -> None:
    terms = [
        Term("acme", date(2024, 6, 1), date(2024, 9, 1), "100"),
        Term("acme", date(2025, 1, 1), None, "120"),
    ]
    series = run(context, engine, terms, "2025-01", "2025-02")
    assert (series.opening_mrr, series.opening_customers) == (D("0"), 0)
    jan = series.months[0]
    assert (jan.reactivation_mrr, jan.reactivated_customers, jan.new_customers) == (D("120"), 1, 0)


def test_overlapping_terms_sum_and_evergreen_runs_on(context, engine) -> None:
    terms = [
        Term("acme", date(2025, 1, 15), None, "100"),
        Term("acme", date(2025, 2, 1), date(2026, 2, 1), "1200", 12),
        Term("acme", date(2025, 2, 10), date(2025, 3, 10), "30", 1),
    ]
    months = by_month(run(context, engine, terms, "2025-01", "2026-03"))
    assert months["2025-01"].new_mrr == D("100")
    assert (months["2025-02"].mrr, months["2025-02"].expansion_mrr) == (D("230"), D("130"))
    assert (months["2025-03"].mrr, months["2025-03"].contraction_mrr) == (D("200"), D("30"))
    assert months["2026-02"].mrr == D("100") and months["2026-03"].mrr == D("100")
    assert all(m.customers == 1 for m in months.values())


def test_thirds_round_once_per_account_to_cents(context, engine) -> None:
    terms = [
        Term("one", date(2025, 1, 1), None, "1000", 12),  # 83.333... -> 83.33
        Term("two", date(2025, 1, 1), None, "1000", 12),
        Term("two", date(2025, 1, 1), None, "1000", 12),  # 166.666... -> 166.67
        Term("half", date(2025, 1, 1), None, "0.01", 2),  # 0.005 -> 0.01 (half up)
    ]
    jan = run(context, engine, terms, "2025-01", "2025-01").months[0]
    assert jan.mrr == D("250.01") and jan.arr == D("3000.12")
    assert jan.customers == 3


def test_quick_ratio_and_empty_months(context, engine) -> None:
    terms = [
        Term("a", date(2025, 1, 1), date(2025, 3, 1), "100"),
        Term("b", date(2025, 1, 1), None, "100"),
        Term("b", date(2025, 3, 1), None, "50"),
        Term("c", date(2025, 3, 1), None, "150"),
    ]
    months = by_month(run(context, engine, terms, "2024-11", "2025-03"))
    assert months["2024-11"].mrr == 0 and months["2024-11"].quick_ratio is None
    assert months["2025-03"].quick_ratio == D("2.0000")  # (150 + 50) / 100


def test_an_empty_database_gives_zero_months(context, engine) -> None:
    series = run(context, engine, [], "2025-01", "2025-03")
    assert len(series.months) == 3 and all(m.mrr == 0 for m in series.months)

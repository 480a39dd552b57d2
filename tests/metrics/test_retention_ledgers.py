"""Period retention (METRICS.md section 3) on hand-computed ledgers, written through the
real database (SQLite and PostgreSQL) and run on both analytics engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenure.analytics.metric_results import PeriodRetention
from tenure.kit.context import AppContext
from tenure.metrics.service import period_retention
from tests.metrics.ledger import Term, label_accounts, write_ledger

D = Decimal


@pytest.fixture(params=["duckdb", "database"])
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


def run(context: AppContext, engine: str, terms: list[Term], first: str, last: str,
        by: str | None = None) -> PeriodRetention:  # fmt: skip
    write_ledger(context, terms)
    start, end = date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01")
    return period_retention(context, start, end, by=by, engine=engine)  # type: ignore[arg-type]


LEDGER = [
    Term("grow", date(2024, 10, 1), date(2025, 2, 1), "100"),
    Term("grow", date(2025, 2, 1), None, "150"),  # 100 -> 150: expansion
    Term("shrink", date(2024, 12, 1), date(2025, 3, 1), "200"),
    Term("shrink", date(2025, 3, 1), None, "120"),  # 200 -> 120: contraction
    Term("gone", date(2024, 1, 1), date(2025, 2, 15), "100"),  # churns in February
    Term("newbie", date(2025, 1, 5), None, "500"),  # first pays in the period: not in C
    Term("trial", date(2024, 12, 1), date(2025, 1, 15), "0"),  # trial at zero: not in C
    Term("trial", date(2025, 1, 15), None, "80"),
]


def test_nrr_grr_and_logo_churn_of_the_start_cohort(context, engine) -> None:
    result = run(context, engine, LEDGER, "2025-01", "2025-03")
    f = result.figures
    assert (f.start_customers, f.start_mrr, f.end_mrr) == (3, D("400.00"), D("270.00"))
    assert (f.retained_mrr, f.expansion_mrr, f.contraction_mrr, f.churned_mrr) == (
        D("220.00"), D("50.00"), D("80.00"), D("100.00"))  # fmt: skip
    assert (f.nrr, f.grr) == (D("0.6750"), D("0.5500"))
    assert (f.churned_customers, f.logo_churn_rate) == (1, D("0.3333"))
    assert f.gross_mrr_churn_rate == D("0.4500")
    movements = {a.external_id: (a.start_mrr, a.end_mrr, a.movement) for a in result.accounts}
    assert movements == {
        "grow": (D("100.00"), D("150.00"), "expanded"),
        "shrink": (D("200.00"), D("120.00"), "contracted"),
        "gone": (D("100.00"), D("0.00"), "churned"),
    }


def test_empty_start_cohort_gives_null_rates_never_zero(context, engine) -> None:
    result = run(context, engine, [Term("later", date(2025, 2, 1), None, "100")], "2025-01", "2025-03")
    f = result.figures
    assert (f.start_customers, f.start_mrr, f.end_mrr) == (0, 0, 0)
    assert (f.nrr, f.grr, f.logo_churn_rate, f.gross_mrr_churn_rate) == (None, None, None, None)
    assert result.accounts == ()


def test_contraction_then_expansion_inside_the_period_is_unchanged(context, engine) -> None:
    terms = [
        Term("acme", date(2024, 12, 1), date(2025, 2, 1), "300"),
        Term("acme", date(2025, 2, 1), date(2025, 3, 1), "100"),
        Term("acme", date(2025, 3, 1), None, "300"),
    ]
    f = run(context, engine, terms, "2025-01", "2025-03").figures
    assert (f.nrr, f.grr, f.contraction_mrr, f.expansion_mrr) == (D("1"), D("1"), 0, 0)


def test_reactivation_after_churn_counts_at_the_end(context, engine) -> None:
    terms = [
        Term("acme", date(2024, 12, 1), date(2025, 2, 1), "100"),
        Term("acme", date(2025, 3, 10), None, "130"),
    ]
    result = run(context, engine, terms, "2025-01", "2025-03")
    f = result.figures
    assert (f.churned_customers, f.end_mrr, f.nrr, f.grr) == (0, D("130.00"), D("1.3000"), D("1.0000"))
    assert result.accounts[0].movement == "expanded"


def test_multi_year_overlapping_and_in_month_terms(context, engine) -> None:
    terms = [
        Term("big", date(2024, 1, 1), date(2027, 1, 1), "36000", 36),  # 1,000 MRR
        Term("big", date(2024, 6, 1), date(2025, 6, 1), "1200", 12),  # +100 until June
        Term("big", date(2025, 3, 3), date(2025, 3, 20), "999"),  # never at a month end
        Term("thirds", date(2024, 1, 1), None, "1000", 12),
        Term("thirds", date(2024, 1, 1), None, "1000", 12),  # 166.67, rounded once
    ]
    result = run(context, engine, terms, "2025-01", "2025-06")
    f = result.figures
    assert (f.start_mrr, f.end_mrr, f.contraction_mrr) == (D("1266.67"), D("1166.67"), D("100.00"))
    assert f.nrr == (D("1166.67") / D("1266.67")).quantize(D("0.0001")) == f.grr


def test_one_month_period_and_breakdown_by_segment(context, engine) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, {"grow": {"segment": "smb"}, "gone": {"segment": "smb"},
                             "shrink": {"segment": "enterprise", "owner": "ann@example.com"}})
    result = period_retention(context, date(2025, 2, 1), date(2025, 2, 1), by="segment", engine=engine)  # type: ignore[arg-type]
    groups = {g.group: g.figures for g in result.groups}
    assert set(groups) == {"enterprise", "smb", "(none)"}  # trial and newbie pay in January
    assert (groups["smb"].start_mrr, groups["smb"].end_mrr) == (D("200.00"), D("150.00"))
    assert (groups["enterprise"].nrr, groups["(none)"].start_customers) == (D("1.0000"), 2)
    assert sum(g.start_mrr for g in groups.values()) == result.figures.start_mrr
    owners = period_retention(context, date(2025, 3, 1), date(2025, 3, 1), by="owner", engine=engine)  # type: ignore[arg-type]
    assert {g.group: g.figures.grr for g in owners.groups}["ann@example.com"] == D("0.6000")

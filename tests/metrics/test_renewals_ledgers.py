"""Renewals (METRICS.md section 4) on a hand-computed ledger, on SQLite and PostgreSQL,
through both analytics engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenure.analytics.metric_results import Renewals
from tenure.kit.context import AppContext
from tenure.metrics.service import renewals
from tests.metrics.ledger import Term, label_accounts, write_ledger

D = Decimal
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
LEDGER = [
    Term("renew", date(2024, 2, 1), date(2025, 2, 1), "1200", 12, plan="pro"),
    Term("renew", date(2025, 2, 1), date(2026, 2, 1), "1320", 12, plan="pro"),  # upsell
    Term("lastday", date(2024, 3, 1), date(2025, 3, 1), "2400", 12),
    Term("lastday", date(2025, 3, 31), None, "200"),  # starts on E + 30: a successor
    Term("late", date(2024, 3, 1), date(2025, 3, 1), "600", 12),
    Term("late", date(2025, 4, 1), None, "50"),  # E + 31: a reactivation, not a renewal
    Term("quiet", date(2024, 3, 20), date(2025, 3, 20), "1200", 12),  # window closes 04-19
    Term("multi", date(2024, 1, 15), date(2025, 1, 15), "1200", 12),
    Term("multi", date(2024, 1, 15), date(2025, 1, 15), "2400", 12),
    Term("multi", date(2025, 1, 15), date(2026, 1, 15), "1000", 12),  # one successor of both
    Term("trial", date(2025, 1, 1), date(2025, 1, 31), "0"),  # zero-amount terms are never due
    Term("trial", date(2025, 1, 31), None, "100"),
    Term("triennial", date(2022, 3, 1), date(2025, 3, 1), "36000", 36),  # ARR 12,000
    Term("triennial", date(2025, 3, 1), date(2028, 3, 1), "39600", 36),  # ARR 13,200
    Term("edge", date(2024, 3, 31), date(2025, 3, 31), "1200", 12),  # E on the last day: due
    Term("outside", date(2024, 4, 1), date(2025, 4, 1), "1200", 12),  # E after the period
    Term("evergreen", date(2024, 1, 1), None, "100"),  # never due
]


@pytest.fixture(params=["duckdb", "database"])
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


def run(context: AppContext, engine: str, as_of: date, grace: int = 30, by: str | None = None,
        terms: list[Term] = LEDGER) -> Renewals:  # fmt: skip
    write_ledger(context, terms)
    return renewals(context, *Q1, grace_days=grace, as_of=as_of, by=by, engine=engine)  # type: ignore[arg-type]


def statuses(result: Renewals) -> dict[str, str]:
    return {a.external_id: a.status for a in result.accounts}


def test_rates_and_accounts_after_every_window_closed(context, engine) -> None:
    result = run(context, engine, date(2025, 6, 30))
    f = result.figures
    assert (f.due_customers, f.renewed_customers, f.pending_customers, f.churned_customers) == (7, 4, 0, 3)
    assert (f.due_arr, f.renewed_arr, f.gross_renewed_arr) == (D("22200.00"), D("17920.00"), D("16600.00"))
    assert (f.logo_renewal_rate, f.arr_renewal_rate, f.gross_arr_renewal_rate) == (
        D("0.5714"), D("0.8072"), D("0.7477"))  # fmt: skip
    assert statuses(result) == {"renew": "renewed", "lastday": "renewed", "late": "churned",
                                "quiet": "churned", "multi": "renewed", "triennial": "renewed",
                                "edge": "churned"}  # fmt: skip
    accounts = {a.external_id: a for a in result.accounts}
    assert (accounts["multi"].due_arr, accounts["multi"].renewed_arr, accounts["multi"].due_terms) == (
        D("3600.00"), D("1000.00"), 2)  # fmt: skip
    assert (accounts["triennial"].due_arr, accounts["triennial"].renewed_arr) == (D("12000.00"), D("13200.00"))
    assert accounts["renew"].released_to_pool_on is None
    pool = [(a.external_id, a.released_to_pool_on, a.due_arr) for a in result.pool]
    assert pool == [("late", date(2025, 3, 31), D("600.00")), ("quiet", date(2025, 4, 19), D("1200.00")),
                    ("edge", date(2025, 4, 30), D("1200.00"))]  # fmt: skip


def test_pending_until_the_window_closes_then_churned(context, engine) -> None:
    early = statuses(run(context, engine, date(2025, 4, 10)))
    assert (early["late"], early["quiet"], early["edge"]) == ("churned", "pending", "pending")
    on_close = run(context, engine, date(2025, 4, 19))
    assert (statuses(on_close)["quiet"], statuses(on_close)["edge"]) == ("churned", "pending")
    f = on_close.figures
    assert (f.due_customers, f.pending_customers, f.churned_customers) == (7, 1, 2)
    assert f.logo_renewal_rate == D("0.5714")  # pending accounts stay in the denominator


def test_grace_days_decide_what_is_a_successor(context, engine) -> None:
    none = statuses(run(context, engine, date(2025, 6, 30), grace=0))
    assert (none["lastday"], none["renew"], none["multi"]) == ("churned", "renewed", "renewed")
    longer = statuses(run(context, engine, date(2025, 6, 30), grace=31))
    assert longer["late"] == "renewed"


def test_no_due_terms_gives_null_rates(context, engine) -> None:
    result = run(context, engine, date(2025, 6, 30), terms=[Term("x", date(2024, 1, 1), None, "10")])
    f = result.figures
    assert (f.due_customers, f.logo_renewal_rate, f.arr_renewal_rate, f.gross_arr_renewal_rate) == (
        0, None, None, None)  # fmt: skip
    assert result.accounts == () and result.pool == ()


def test_breakdown_by_plan_and_industry(context, engine) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, {"multi": {"industry": "retail"}, "edge": {"industry": "retail"}})
    by_industry = renewals(context, *Q1, as_of=date(2025, 6, 30), by="industry", engine=engine)  # type: ignore[arg-type]
    retail = {g.group: g.figures for g in by_industry.groups}["retail"]
    assert (retail.due_customers, retail.renewed_customers, retail.due_arr) == (2, 1, D("4800.00"))
    by_plan = renewals(context, *Q1, as_of=date(2025, 6, 30), by="plan", engine=engine)  # type: ignore[arg-type]
    assert {g.group: g.figures.due_customers for g in by_plan.groups} == {"pro": 1, "(none)": 6}

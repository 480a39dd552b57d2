"""Unit economics and CMRR (METRICS.md section 5) on hand-computed ledgers, on SQLite and
PostgreSQL, through both analytics engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert

from tenure.kit.context import AppContext
from tenure.metrics.service import committed_mrr, unit_economics
from tenure.models.billing import MarketingSpend
from tests.metrics.ledger import Term, label_accounts, write_ledger

D = Decimal
LEDGER = [
    Term("a", date(2024, 1, 1), None, "100"),
    Term("b", date(2024, 1, 1), date(2024, 7, 1), "100"),  # churns in July 2024
    Term("c", date(2025, 1, 10), None, "300"),  # new in January
    Term("d", date(2025, 2, 1), None, "200"),  # new in February
    Term("trial", date(2025, 1, 1), None, "0"),  # never a customer
]
SPEND = {date(2024, 12, 1): "999", date(2025, 1, 1): "1000", date(2025, 2, 1): "2000",
         date(2025, 3, 1): "3000"}  # fmt: skip


@pytest.fixture(params=["duckdb", "database"])
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


def write_spend(context: AppContext, spend: dict[date, str]) -> None:
    with context.engine.begin() as connection:
        connection.execute(delete(MarketingSpend))
        rows = [{"month": m, "sales_marketing_spend": D(v)} for m, v in spend.items()]
        connection.execute(insert(MarketingSpend), rows)


def test_arpa_churn_ltv_cac_and_payback(context, engine) -> None:
    write_ledger(context, LEDGER)
    write_spend(context, SPEND)
    f = unit_economics(context, date(2025, 1, 1), date(2025, 3, 1), engine=engine).figures
    assert (f.mrr, f.customers, f.arpa) == (D("600.00"), 3, D("200"))
    assert (f.churn_months, f.monthly_churn_rate) == (12, D("0.0416666667"))  # (1/2) / 12
    assert (f.ltv, f.spend, f.new_customers, f.new_mrr) == (D("4800.00"), D("6000.00"), 2, D("500.00"))
    assert (f.cac, f.ltv_to_cac, f.cac_payback_months) == (D("3000.00"), D("1.6000"), D("12.0000"))


def test_gross_margin_setting_and_breakdown(context, engine) -> None:
    write_ledger(context, LEDGER)
    write_spend(context, SPEND)
    label_accounts(context, {"a": {"segment": "smb"}, "c": {"segment": "smb"}, "d": {"segment": "ent"}})
    margin = AppContext(context.settings.model_copy(update={"gross_margin": 0.8}))
    try:
        result = unit_economics(margin, date(2025, 1, 1), date(2025, 3, 1), by="segment", engine=engine)
    finally:
        margin.close()
    assert (result.figures.ltv, result.figures.cac_payback_months) == (D("3840.00"), D("15.0000"))
    groups = {g.group: g.figures for g in result.groups}
    assert set(groups) == {"smb", "ent", "(none)"}
    assert (groups["smb"].arpa, groups["smb"].monthly_churn_rate, groups["smb"].ltv) == (D("200"), 0, None)
    assert groups["smb"].cac is None  # spend is not attributed to groups
    none = groups["(none)"]
    assert (none.churn_months, none.monthly_churn_rate, none.arpa) == (4, D("0.25"), None)


def test_no_data_gives_nulls(context, engine) -> None:
    write_ledger(context, [])
    f = unit_economics(context, date(2025, 1, 1), date(2025, 3, 1), engine=engine).figures
    assert (f.arpa, f.monthly_churn_rate, f.ltv, f.cac, f.ltv_to_cac, f.cac_payback_months) == (
        None, None, None, None, None, None)  # fmt: skip


CMRR_LEDGER = [
    Term("a", date(2024, 1, 1), date(2025, 4, 1), "100"),
    Term("a", date(2025, 4, 1), None, "120", signed_at=date(2025, 3, 1)),  # replaces 100
    Term("b", date(2024, 1, 1), None, "200", canceled_at=date(2025, 3, 10)),  # notice
    Term("c", date(2025, 5, 1), None, "300", signed_at=date(2025, 3, 20)),  # signed later
    Term("c", date(2025, 4, 1), None, "50"),  # future, no signing date: counted
    Term("d", date(2025, 1, 1), None, "400"),
    Term("d", date(2025, 6, 1), None, "100", signed_at=date(2025, 2, 1)),  # add-on
    Term("e", date(2024, 12, 1), date(2025, 12, 1), "1200", 12, canceled_at=date(2025, 4, 1)),
    Term("trial", date(2025, 3, 1), None, "0"),
]


def test_cmrr_parts(context, engine) -> None:
    write_ledger(context, CMRR_LEDGER)
    result = committed_mrr(context, date(2025, 3, 15), engine=engine)
    f = result.figures
    assert (f.mrr, f.future_mrr, f.replaced_mrr, f.canceled_mrr, f.cmrr, f.customers) == (
        D("800.00"), D("270.00"), D("100.00"), D("200.00"), D("770.00"), 4)  # fmt: skip
    by_account = {a.external_id: a.figures.cmrr for a in result.accounts}
    assert by_account == {"a": D("120.00"), "b": D("0.00"), "c": D("50.00"), "d": D("500.00")}
    later = committed_mrr(context, date(2025, 4, 15), engine=engine).figures
    assert (later.mrr, later.future_mrr, later.replaced_mrr, later.canceled_mrr) == (
        D("870.00"), D("400.00"), D("0.00"), D("300.00"))  # fmt: skip

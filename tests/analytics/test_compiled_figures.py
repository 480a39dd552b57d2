"""Unit economics, CMRR and cohort tables compile once (`analytics.compiled`): one SQL
per query, engine and input tables serves every call and every load, with months and
days bound as integer parameters; the web's terms-only tables and filtered tables
get their own SQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from tenure.analytics import compiled, engines, inputs
from tenure.analytics.cmrr import CMRR_QUERY, compute_cmrr
from tenure.analytics.cohorts import COHORTS_QUERY, compute_cohorts
from tenure.analytics.economics import ECONOMICS_QUERY, SPEND_QUERY, compute_economics
from tenure.analytics.inputs import ledger_tables, read_ledger
from tenure.analytics.tables import Tables
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tests.metrics.ledger import Term, label_accounts, through_the_cache, write_ledger
from tests.metrics.test_economics_ledgers import write_spend

LEDGER = [
    Term("acme", date(2024, 1, 1), date(2025, 1, 1), "1200", 12),
    Term("acme", date(2025, 1, 1), None, "2400", 12, signed_at=date(2024, 11, 20)),
    Term("bolt", date(2024, 6, 1), date(2025, 3, 1), "100", 1, canceled_at=date(2025, 1, 10)),
    Term("core", date(2024, 3, 1), None, "50", 1),
]
QUERIES = (CMRR_QUERY, COHORTS_QUERY, ECONOMICS_QUERY, SPEND_QUERY)


def _cached(query: compiled.Query, engine: str) -> list[str]:
    return [entry.sql for key, entry in compiled._CACHE.items() if key[0] == query.name and key[2] == engine]


def _figures(source: inputs.LedgerTables, month: int, by: str | None = None) -> tuple[object, ...]:
    return (
        compute_economics(source, date(2024, month, 1), date(2025, 2, 1), D("0.8"), by),
        compute_cmrr(source, date(2024, 11, 20 + month), by),
        compute_cmrr(source, date(2025, 1, 9 + month), by),
        compute_cohorts(source, date(2024, month, 1), date(2025, 2, 1), by),
    )


def test_one_sql_per_query_serves_other_values_and_loads(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    write_spend(context, {date(2024, 12, 1): "300", date(2025, 1, 1): "500.5"})
    with ledger_tables(context, "duckdb") as source:
        first = _figures(source, 1)
        sizes = [len(_cached(query, "duckdb")) for query in QUERIES]
        _figures(source, 6)
    again = inputs.load_ledger(engines.connect_duckdb(), read_ledger(context.engine))
    try:
        repeat = _figures(again, 1)
    finally:
        again.base.backend.disconnect()
    assert [len(_cached(query, "duckdb")) for query in QUERIES] == sizes
    assert all(size >= 1 for size in sizes) and repeat == first
    for query in QUERIES:
        for sql in _cached(query, "duckdb"):
            assert "$p" in sql and str(compiled.SENTINEL)[:10] not in sql
    economics, signed, noticed, cohorts = first
    assert (economics.figures.spend, economics.figures.new_customers) == (D("800.50"), 3)
    assert (signed.figures.mrr, signed.figures.future_mrr, signed.figures.replaced_mrr) == (
        D("250.00"), D("200.00"), D("100.00"))  # fmt: skip
    assert (noticed.figures.mrr, noticed.figures.canceled_mrr, noticed.figures.cmrr) == (
        D("350.00"), D("100.00"), D("250.00"))  # fmt: skip
    assert [(c.month, c.customers) for c in cohorts.cohorts] == [
        (date(2024, 1, 1), 1), (date(2024, 3, 1), 1), (date(2024, 6, 1), 1)
    ]  # fmt: skip


@pytest.mark.parametrize("by", [None, "segment"])
def test_database_and_duckdb_agree_through_the_cache(context: AppContext, by: str | None) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, {"acme": {"segment": "smb"}, "core": {"segment": "smb"}})
    results = through_the_cache(context, lambda source: _figures(source, 2, by))
    assert results[0] == results[1] == results[2] == results[3]
    _, signed, noticed, _ = results[0]
    assert [(a.external_id, a.figures.cmrr) for a in signed.accounts] == [("acme", D("200.00"))]
    assert [(a.external_id, a.figures.canceled_mrr) for a in noticed.accounts] == [("bolt", D("100.00"))]
    if by is not None:
        assert [(g.group, g.figures.customers) for g in noticed.groups] == [("(none)", 1), ("smb", 2)]


def test_cohorts_of_the_terms_only_tables(context: AppContext) -> None:
    """The web passes `Tables` (terms and account attributes, perhaps filtered to a
    segment): cohorts compile their own SQL for them; grouping needs the ledger."""
    write_ledger(context, LEDGER)
    label_accounts(context, {"acme": {"segment": "smb"}, "bolt": {"segment": "mid"}})
    with ledger_tables(context, "duckdb") as source:
        whole = compute_cohorts(source, date(2024, 1, 1), date(2025, 2, 1))
        assert compute_cohorts(source.base, date(2024, 1, 1), date(2025, 2, 1)) == whole
        chosen = source.accounts.filter(source.accounts.segment == "mid").select("account_id")
        keep = lambda table: table.semi_join(chosen, "account_id")  # noqa: E731
        mid = compute_cohorts(Tables(source.base.backend, keep(source.terms), keep(source.accounts)),
                              date(2024, 1, 1), date(2025, 2, 1))  # fmt: skip
        with pytest.raises(Invalid, match="grouping needs the ledger tables"):
            compute_cohorts(source.base, date(2024, 1, 1), date(2025, 2, 1), "segment")
    assert [c.month for c in whole.cohorts] == [date(2024, 1, 1), date(2024, 3, 1), date(2024, 6, 1)]
    assert [(c.month, c.start_mrr, [a.customers for a in c.ages]) for c in mid.cohorts] == [
        (date(2024, 6, 1), D("100.00"), [1] * 9)
    ]

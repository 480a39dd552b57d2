"""Compile once, run many (`analytics.compiled`) and lazy per-account lists
(`analytics.lazy`): one SQL per query and engine serves every call, with the values
bound as parameters, and never serves another table's or another filter's rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tenure.analytics import compiled, engines, inputs
from tenure.analytics.inputs import ledger_tables, read_ledger
from tenure.analytics.lazy import LazyRows
from tenure.analytics.renewals import RENEWALS_QUERY, compute_renewals
from tenure.analytics.retention import RETENTION_QUERY, compute_retention
from tenure.analytics.revenue import REVENUE_QUERY, compute_revenue, measure_scale
from tenure.analytics.tables import Tables
from tenure.kit.context import AppContext
from tests.metrics.ledger import Term, label_accounts, through_the_cache, write_ledger

LEDGER = [
    Term("acme", date(2024, 1, 1), date(2025, 1, 1), "1200", 12),
    Term("acme", date(2025, 1, 1), date(2026, 1, 1), "2400", 12),
    Term("bolt", date(2024, 6, 1), date(2025, 3, 1), "100", 1),
    Term("core", date(2024, 3, 1), None, "50", 1),
]


def _cached_sql(query: compiled.Query, engine: str | None = None) -> list[str]:
    return [entry.sql for key, entry in compiled._CACHE.items()
            if key[0] == query.name and engine in (None, key[2])]  # fmt: skip


def test_one_compiled_sql_serves_different_values_and_loads(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    arrow = read_ledger(context.engine)
    with ledger_tables(context, "duckdb") as source:
        year = compute_retention(source, date(2024, 7, 1), date(2025, 6, 1))
        before = len(_cached_sql(RETENTION_QUERY))
        spring = compute_retention(source, date(2025, 2, 1), date(2025, 4, 1))
    again = inputs.load_ledger(engines.connect_duckdb(), arrow)  # another connection
    repeat = compute_retention(again, date(2024, 7, 1), date(2025, 6, 1))
    again.base.backend.disconnect()
    assert len(_cached_sql(RETENTION_QUERY)) == before >= 1
    assert repeat == year
    assert (year.figures.start_customers, year.figures.end_mrr) == (3, D("250.00"))
    assert (spring.figures.start_customers, spring.figures.end_mrr) == (3, D("250.00"))
    assert {a.external_id: a.movement for a in year.accounts} == {
        "acme": "expanded", "bolt": "churned", "core": "unchanged"
    }  # fmt: skip


def test_sql_binds_parameters_and_holds_no_sentinel(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    with ledger_tables(context, "duckdb") as source:
        compute_revenue(source.terms, date(2025, 1, 1), date(2025, 3, 1))
        compute_renewals(source, date(2025, 1, 1), date(2025, 3, 31), date(2025, 6, 1), 30)
    for query in (REVENUE_QUERY, RENEWALS_QUERY):
        for sql in _cached_sql(query, "duckdb"):
            assert "$p" in sql and str(compiled.SENTINEL)[:10] not in sql


def test_a_filtered_source_gets_its_own_sql(context: AppContext) -> None:
    """The web restricts the input tables to a segment's accounts: the filter's literal
    is part of the cache key, so one segment never gets another's rows."""
    write_ledger(context, LEDGER)
    label_accounts(context, {"acme": {"segment": "smb"}, "bolt": {"segment": "mid"}})
    with ledger_tables(context, "duckdb") as source:
        def only(segment: str) -> inputs.LedgerTables:
            chosen = source.accounts.filter(source.accounts.segment == segment).select("account_id")
            keep = lambda table: table.semi_join(chosen, "account_id")  # noqa: E731
            base = Tables(source.base.backend, keep(source.terms), keep(source.accounts))
            return inputs.LedgerTables(base, keep(source.term_details), keep(source.labels),
                                       source.spend)  # fmt: skip

        smb = compute_retention(only("smb"), date(2024, 7, 1), date(2025, 6, 1))
        mid = compute_retention(only("mid"), date(2024, 7, 1), date(2025, 6, 1))
    assert [a.external_id for a in smb.accounts] == ["acme"]
    assert [a.external_id for a in mid.accounts] == ["bolt"]


def test_a_live_database_is_measured_every_time(context: AppContext) -> None:
    """The MRR scale is remembered only for a loaded snapshot; on the operational
    database a new billing period shows up at once."""
    write_ledger(context, LEDGER)
    backend = engines.connect_operational(context)
    try:
        live = inputs.operational_ledger(backend)
        assert measure_scale(live.terms).denominator == 12
        write_ledger(context, [*LEDGER, Term("dash", date(2024, 1, 1), None, "70", 7)])
        assert measure_scale(live.terms).denominator == 84
        jan = compute_revenue(live.terms, date(2025, 1, 1), date(2025, 1, 1)).months[0]
        assert jan.mrr == D("200.00") + D("50.00") + D("100.00") + D("10.00")
    finally:
        backend.disconnect()


def test_lazy_rows_build_objects_once_and_compare_as_sequences() -> None:
    made: list[int] = []

    def make(row: dict) -> int:
        made.append(row["x"])
        return row["x"] * 10

    rows = LazyRows(pa.table({"x": [1, 2, 3]}), make)
    assert len(rows) == 3 and made == []
    assert rows == (10, 20, 30) and rows == [10, 20, 30] and (10, 20, 30) == rows
    assert rows[1] == 20 and rows[-2:] == (20, 30) and list(rows) == [10, 20, 30]
    assert made == [1, 2, 3]  # built once
    assert rows != (10, 20) and hash(rows) == hash((10, 20, 30))
    assert rows.arrow.num_rows == 3


@pytest.mark.parametrize("by", [None, "segment"])
def test_database_and_duckdb_agree_through_the_cache(context: AppContext, by: str | None) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, {"acme": {"segment": "smb"}, "core": {"segment": "smb"}})
    results = through_the_cache(context, lambda source: (
        compute_retention(source, date(2024, 7, 1), date(2025, 6, 1), by),
        compute_renewals(source, date(2024, 12, 1), date(2025, 3, 31), date(2025, 3, 15), 30, by),
    ))  # fmt: skip
    assert results[0] == results[1] == results[2] == results[3]
    renewals = results[0][1]
    assert {a.external_id: a.status for a in renewals.accounts} == {
        "acme": "renewed", "bolt": "pending"
    }  # fmt: skip


def test_concurrent_loads_share_one_database_but_never_each_others_tables(context: AppContext) -> None:
    """`connect_duckdb` hands out connections to one in-memory database; a load's views
    and temporary tables belong to its connection, so two loads open at once (two web
    requests) each compute on their own ledger, and closing one leaves the other intact."""
    write_ledger(context, LEDGER)
    full = read_ledger(context.engine)
    acme = full["labels"].filter(pc.equal(full["labels"]["external_id"], "acme"))
    acme_id = acme["account_id"][0]
    only_acme = {name: table.filter(pc.equal(table["account_id"], acme_id))
                 if "account_id" in table.column_names else table
                 for name, table in full.items()}  # fmt: skip
    first = inputs.load_ledger(engines.connect_duckdb(), full)
    second = inputs.load_ledger(engines.connect_duckdb(), only_acme)
    months = (date(2024, 7, 1), date(2025, 6, 1))
    assert compute_retention(second, *months).figures.start_customers == 1
    assert compute_retention(first, *months).figures.start_customers == 3
    second.base.backend.disconnect()
    assert compute_retention(first, *months).figures.start_customers == 3
    first.base.backend.disconnect()

"""The revenue expressions on an in-memory DuckDB fed from Arrow, and on the operational
database through `connect_operational`: same answers, exact integer arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from tenure.analytics import engines, tables
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.revenue import compute_revenue, measure_scale, term_coverage
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tests.metrics.ledger import Term, write_ledger


def duckdb_terms(rows: list[tuple]) -> tables.Tables:
    arrow = pa.Table.from_pylist(
        [dict(zip(tables.TERM_COLUMNS, row, strict=True)) for row in rows],
        schema=tables.TERMS_SCHEMA,
    )
    return tables.load_into(engines.connect_duckdb(), {"terms": arrow})


def test_month_index_round_trips() -> None:
    assert month_index(date(2025, 1, 31)) == 2025 * 12
    assert month_of_index(month_index(date(1999, 12, 5))) == date(1999, 12, 1)


def test_term_coverage_is_the_month_ends_inside_start_and_exclusive_end() -> None:
    source = duckdb_terms([
        (1, date(2025, 1, 15), date(2025, 4, 1), Decimal("300"), 3),  # Jan..Mar
        (1, date(2025, 1, 15), date(2025, 3, 31), Decimal("300"), 3),  # Jan..Feb
        (2, date(2025, 2, 3), date(2025, 2, 20), Decimal("10"), 1),  # no month end
        (3, date(2025, 1, 1), None, Decimal("0"), 1),  # not paying
    ])
    scale = measure_scale(source.terms)
    assert scale.denominator == 3 and scale.first_month == month_index(date(2025, 1, 1))
    rows = term_coverage(source.terms, scale).order_by("hi").to_pyarrow().to_pylist()
    jan = month_index(date(2025, 1, 1))
    assert [(r["lo"] - jan, r["hi"] - jan, r["units"]) for r in rows] == [
        (0, 1, 3_000_000), (0, 2, 3_000_000)  # 300 * 10_000 * (3 / 3)
    ]
    source.backend.disconnect()


def test_common_denominator_is_the_lcm_of_billing_periods() -> None:
    source = duckdb_terms([
        (1, date(2025, 1, 1), None, Decimal("1"), 12),
        (2, date(2025, 1, 1), None, Decimal("1"), 36),
        (3, date(2025, 1, 1), None, Decimal("1"), 24),
        (4, date(2025, 1, 1), None, Decimal("0"), 7),  # zero amounts do not count
    ])
    assert measure_scale(source.terms).denominator == 72
    source.backend.disconnect()


def test_amounts_beyond_exact_integer_range_are_refused() -> None:
    source = duckdb_terms([
        (1, date(2025, 1, 1), None, Decimal("99999999999999.9999"), 1),
        (1, date(2025, 1, 1), None, Decimal("1"), 7 * 11 * 13 * 17),
    ])
    with pytest.raises(Invalid, match="cannot compute MRR exactly"):
        compute_revenue(source.terms, date(2025, 1, 1), date(2025, 2, 1))
    source.backend.disconnect()


def test_large_amounts_stay_exact_to_the_half_cent() -> None:
    # Engines compile `//` to FLOOR(x / y) on doubles; the scale guard keeps x < 2**53.
    source = duckdb_terms([
        (1, date(2025, 1, 1), None, Decimal("123456789.0050"), 1),  # .005 rounds up
        (2, date(2025, 1, 1), None, Decimal("987654321.0000"), 36),  # 27434842.25
        (3, date(2025, 1, 1), None, Decimal("0.0049"), 1),  # rounds to 0: not a customer
    ])
    jan = compute_revenue(source.terms, date(2025, 1, 1), date(2025, 1, 1)).months[0]
    assert jan.mrr == Decimal("123456789.01") + Decimal("27434842.25")
    assert jan.customers == 2
    source.backend.disconnect()


def test_operational_and_duckdb_engines_agree(context: AppContext) -> None:
    write_ledger(context, [
        Term("a", date(2024, 11, 20), None, "1000", 12),
        Term("b", date(2025, 1, 1), date(2025, 3, 1), "250.5", 3),
        Term("b", date(2025, 5, 1), None, "99.99", 1),
    ])
    results = []
    for engine in engines.ENGINES:
        with engines.analytics_tables(context, engine) as source:
            results.append(compute_revenue(source.terms, date(2024, 12, 1), date(2025, 6, 1)))
    assert results[0] == results[1]
    assert results[0].opening_mrr == Decimal("83.33")


def test_connect_operational_reads_the_configured_database(context: AppContext) -> None:
    backend = engines.connect_operational(context)
    try:
        assert "subscription_terms" in backend.list_tables()
        assert backend.name == ("sqlite" if context.engine.dialect.name == "sqlite" else "postgres")
    finally:
        backend.disconnect()


def test_unknown_database_kinds_are_refused() -> None:
    with pytest.raises(Invalid, match="mysql"):
        engines.operational_backend("mysql://u@h/db")

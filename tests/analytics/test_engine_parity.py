"""One definition, many engines: the same Ibis expressions give identical results on
DuckDB, the operational database (SQLite and PostgreSQL, in place) and Spark (Ibis's
PySpark backend, local mode), on the hand ledgers of the metric tests and on a generated
book. One SparkSession serves the whole test run."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tenure.analytics import inputs
from tenure.analytics.cmrr import compute_cmrr
from tenure.analytics.cohorts import compute_cohorts
from tenure.analytics.economics import compute_economics
from tenure.analytics.movements import compute_movements
from tenure.analytics.renewals import compute_renewals
from tenure.analytics.retention import compute_retention
from tenure.analytics.revenue import compute_revenue
from tenure.analytics.sbg import fit_groups
from tenure.analytics.survival import compute_lifetimes, kaplan_meier, period_survivors
from tenure.kit.context import AppContext
from tests.analytics.book import book
from tests.metrics import test_economics_ledgers, test_renewals_ledgers, test_retention_ledgers
from tests.metrics.ledger import Term, label_accounts, write_ledger
from tests.retention import ledgers as retention_ledgers

Compute = Callable[[inputs.LedgerTables], Any]
D = Decimal


def cases(first: date, last: date, renewal_as_of: tuple[date, ...], grace: int = 30) -> dict[str, Compute]:
    """Every figure of METRICS.md sections 2-6 that the parity suite compares, by name."""
    year = date(last.year, 1, 1)
    q1 = (date(last.year, 1, 1), date(last.year, 3, 31))
    computed: dict[str, Compute] = {
        "revenue": lambda s: compute_revenue(s.terms, first, last),
        "revenue movements": lambda s: compute_movements(s, first, last),
        "revenue movements by plan": lambda s: compute_movements(s, year, last, "churn", "plan"),
        "retention": lambda s: compute_retention(s, year, last),
        "retention by segment": lambda s: compute_retention(s, year, last, "segment"),
        "retention by plan": lambda s: compute_retention(s, year, year, "plan"),
        "economics": lambda s: compute_economics(s, year, last, D("0.8")),
        "economics by industry": lambda s: compute_economics(s, year, last, D("1"), "industry"),
        "cmrr": lambda s: compute_cmrr(s, date(last.year, 1, 15)),
        "cmrr by owner": lambda s: compute_cmrr(s, date(last.year, 3, 31), "owner"),
        "cohorts": lambda s: compute_cohorts(s, first, last),
        "cohorts by segment": lambda s: compute_cohorts(s, first, last, "segment"),
        "cohorts by plan": lambda s: compute_cohorts(s, first, last, "plan"),
        "lifetimes": lambda s: compute_lifetimes(s, last),
        "lifetimes by plan": lambda s: compute_lifetimes(s, last, "plan"),
        "survival": lambda s: kaplan_meier(compute_lifetimes(s.base, last), last, None),
        "survival by segment": lambda s: kaplan_meier(compute_lifetimes(s, last, "segment"), last, "segment"),
        "survival by plan": lambda s: kaplan_meier(compute_lifetimes(s, last, "plan"), last, "plan"),
        "survival a year earlier": lambda s: kaplan_meier(compute_lifetimes(s, year), year, None),
        "sbg": lambda s: sbg_groups(s, first.year, last, None, 3),
        "sbg by segment": lambda s: sbg_groups(s, first.year, last, "segment", 3),
        "sbg by plan": lambda s: sbg_groups(s, first.year, last, "plan", 3),
    }
    for as_of in renewal_as_of:
        computed[f"renewals as of {as_of}"] = lambda s, d=as_of: compute_renewals(s, *q1, d, grace)
    computed["renewals by owner"] = lambda s: compute_renewals(s, *q1, renewal_as_of[-1], 0, "owner")
    return computed


def sbg_groups(source: inputs.LedgerTables, cohort_year: int, as_of: date, by: str | None,
               period: int) -> tuple[dict[str, tuple[int, ...]], Any]:  # fmt: skip
    """The sBG inputs (survivors per group of a calendar-year cohort) and their fits."""
    lifetimes = compute_lifetimes(source, as_of, by)
    survivors = period_survivors(lifetimes, cohort_year * 12, cohort_year * 12 + 11, as_of, period)
    return survivors, fit_groups(survivors, 5, 0.10)


def hand_ledger() -> tuple[list[Term], dict[str, dict[str, str]]]:
    """The hand ledgers of the metric tests side by side (accounts prefixed per ledger)."""
    parts = {
        "ren": test_renewals_ledgers.LEDGER,
        "ret": test_retention_ledgers.LEDGER,
        "eco": test_economics_ledgers.LEDGER,
        "coh": retention_ledgers.MONTHLY,
        "edge": [
            Term("trial", date(2025, 1, 10), date(2025, 3, 10), "0"),
            Term("trial", date(2025, 3, 10), None, "100"),
            Term("short", date(2025, 2, 3), date(2025, 2, 20), "500"),
            Term("back", date(2024, 6, 1), date(2024, 9, 1), "100"),
            Term("back", date(2025, 1, 1), None, "120"),
            Term("thirds", date(2025, 1, 1), None, "1000", 12),
            Term("thirds", date(2025, 1, 1), None, "1000", 12),
            Term("half", date(2025, 1, 1), None, "0.01", 2),
            Term("future", date(2024, 1, 1), date(2025, 3, 1), "100", signed_at=date(2023, 12, 1)),
            Term("future", date(2025, 3, 1), None, "150", signed_at=date(2025, 1, 10)),
            Term("notice", date(2024, 1, 1), None, "70", canceled_at=date(2025, 1, 5)),
        ],
    }
    terms = [
        Term(f"{prefix}-{t.account}", t.start, t.end, t.amount, t.months, t.plan, t.signed_at,
             t.canceled_at)
        for prefix, ledger in parts.items() for t in ledger
    ]  # fmt: skip
    labels = {
        "ren-renew": {"segment": "smb", "owner": "ana@example.com", "industry": "retail"},
        "ret-grow": {"segment": "enterprise", "owner": "bo@example.com"},
        "coh-a": {"segment": "smb"}, "coh-c": {"segment": "ent"}, "coh-d": {"segment": "ent"},
        "edge-future": {"industry": "software", "owner": "ana@example.com"},
    }  # fmt: skip
    return terms, labels


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Java is missing: scripts/test installs it (ensure_java)")
    from tenure.analytics import spark

    session = spark.local_session()
    yield session
    session.stop()


def on_every_engine(context: AppContext, session: Any, computations: dict[str, Compute]) -> None:
    """Run every computation on DuckDB, the operational database and Spark; compare."""
    from tenure.analytics import spark

    with inputs.ledger_tables(context, "duckdb") as source:
        expected = {name: compute(source) for name, compute in computations.items()}
    with inputs.ledger_tables(context, "database") as source:
        for name, compute in computations.items():
            assert compute(source) == expected[name], f"{name}: database differs from DuckDB"
    source = spark.load_ledger(session, inputs.read_ledger(context.engine))
    try:
        for name, compute in computations.items():
            assert compute(source) == expected[name], f"{name}: Spark differs from DuckDB"
    finally:
        spark.drop_ledger(session, source)


def test_hand_ledgers_agree_on_every_engine(context: AppContext, spark_session: Any) -> None:
    terms, labels = hand_ledger()
    write_ledger(context, terms)
    label_accounts(context, labels)
    test_economics_ledgers.write_spend(context, test_economics_ledgers.SPEND)
    as_of = (date(2025, 2, 15), date(2025, 3, 25), date(2025, 6, 30))
    on_every_engine(context, spark_session, cases(date(2024, 1, 1), date(2025, 6, 1), as_of))


def test_a_generated_book_agrees_on_every_engine(context: AppContext, spark_session: Any) -> None:
    terms, labels, spend = book(accounts=400, seed=11)
    write_ledger(context, terms)
    label_accounts(context, labels)
    test_economics_ledgers.write_spend(context, spend)
    as_of = (date(2025, 2, 1), date(2025, 12, 31))
    on_every_engine(context, spark_session, cases(date(2023, 1, 1), date(2025, 9, 1), as_of))


def test_spark_results_are_the_hand_computed_ones(context: AppContext, spark_session: Any) -> None:
    """Not only equal to DuckDB: the Spark figures are the hand-computed values."""
    from tenure.analytics import spark

    write_ledger(context, test_renewals_ledgers.LEDGER)
    source = spark.load_ledger(spark_session, inputs.read_ledger(context.engine))
    try:
        result = compute_renewals(source, date(2025, 1, 1), date(2025, 3, 31), date(2025, 6, 30), 30)
    finally:
        spark.drop_ledger(spark_session, source)
    f = result.figures
    assert (f.due_customers, f.renewed_customers, f.churned_customers) == (7, 4, 3)
    assert (f.due_arr, f.renewed_arr, f.gross_renewed_arr) == (D("22200.00"), D("17920.00"), D("16600.00"))


def test_annual_cohorts_agree_on_every_engine(context: AppContext, spark_session: Any) -> None:
    """Survival and the sBG inputs and fits of yearly renewals (tests/retention/ledgers.py,
    cohort 2021 with three whole years observed), overall and by segment."""
    retention_ledgers.write(context, retention_ledgers.ANNUAL, retention_ledgers.ANNUAL_SEGMENTS)
    as_of = date(2024, 12, 1)
    on_every_engine(context, spark_session, {
        "survival": lambda s: kaplan_meier(compute_lifetimes(s, as_of), as_of, None),
        "survival by segment": lambda s: kaplan_meier(compute_lifetimes(s, as_of, "segment"), as_of, "segment"),
        "sbg": lambda s: sbg_groups(s, 2021, as_of, None, 12),
        "sbg by segment": lambda s: sbg_groups(s, 2021, as_of, "segment", 12),
    })  # fmt: skip

"""Customer lifetimes (`analytics.survival`): the compiled query against a pure-Python
oracle of METRICS.md section 6 on a generated book and on hand ledgers, on DuckDB and in
place on the operational database (SQLite and PostgreSQL); the column-based
Kaplan-Meier and survivors against lifelines fitted one row per customer."""

from __future__ import annotations

from datetime import date

import pytest

from tenure.analytics import compiled, inputs
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.survival import (
    Lifetime,
    compute_lifetimes,
    kaplan_meier,
    lifetime_columns,
    period_survivors,
)
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tests.analytics.book import book
from tests.metrics.ledger import Term, label_accounts, snapshot_cents, write_ledger
from tests.retention.ledgers import MONTHLY, MONTHLY_SEGMENTS, write

ENGINES = ["duckdb", "database"]
EDGES = [  # a trial, a reactivation, a term shorter than a month, a gap of one month
    Term("trial", date(2024, 1, 10), date(2024, 3, 10), "0"),
    Term("trial", date(2024, 3, 10), None, "100"),
    Term("back", date(2023, 6, 1), date(2023, 9, 1), "100"),
    Term("back", date(2024, 1, 1), None, "120"),
    Term("short", date(2024, 2, 3), date(2024, 2, 20), "500"),
    Term("gap", date(2023, 1, 1), date(2023, 3, 31), "30"),
    Term("gap", date(2023, 5, 1), None, "30"),
    Term("cent", date(2023, 1, 1), None, "0.01", 2),  # 0.005 a month rounds up to a cent
    Term("tiny", date(2023, 1, 1), None, "0.0049", 1),  # rounds to 0: never a customer
]


def oracle(terms: list[Term], ids: dict[str, int], as_of: date) -> list[Lifetime]:
    """Lifetimes from the month-end snapshots month by month, straight from the words of
    METRICS.md section 6 (first positive snapshot; first zero one after it)."""
    first: dict[str, int] = {}
    churn: dict[str, int] = {}
    month = min(t.start for t in terms).replace(day=1)
    while month <= as_of:
        paying, index = snapshot_cents(terms, month), month_index(month)
        for account in paying:
            first.setdefault(account, index)
        for account in first:
            if account not in paying and account not in churn:
                churn[account] = index
        month = month_of_index(index + 1)
    return sorted(
        (Lifetime(ids[a], "all", f, churn.get(a)) for a, f in first.items()),
        key=lambda lifetime: lifetime.account_id,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_lifetimes_are_the_oracles(context: AppContext, engine: str) -> None:
    terms = book(accounts=120, seed=5)[0] + EDGES
    ids = write_ledger(context, terms)
    with inputs.ledger_tables(context, engine) as source:  # type: ignore[arg-type]
        for as_of in (date(2023, 1, 1), date(2023, 7, 1), date(2024, 12, 1), date(2026, 3, 1)):
            expected = oracle(terms, ids, as_of)
            assert list(compute_lifetimes(source, as_of)) == expected, as_of
    assert sum(item.churn_idx is not None for item in expected) > 10  # as of 2026-03
    assert {ids["back"], ids["gap"], ids["cent"]} <= {item.account_id for item in expected}


@pytest.mark.parametrize("engine", ENGINES)
def test_lifetimes_by_hand(context: AppContext, engine: str) -> None:
    """tests/retention/ledgers.py as of 2025-06: c pays in January, churns in February and
    comes back in April; its lifetime ends at the first churn."""
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    jan = month_index(date(2025, 1, 1))
    with inputs.ledger_tables(context, engine) as source:  # type: ignore[arg-type]
        lifetimes = compute_lifetimes(source, date(2025, 6, 1), "segment")
        rows = source.labels.to_pyarrow().to_pylist()
    names = {row["account_id"]: row["external_id"] for row in rows}
    got = {names[item.account_id]: (item.group, item.first_idx - jan,
                                    None if item.churn_idx is None else item.churn_idx - jan)
           for item in lifetimes}  # fmt: skip
    assert got == {
        "a": ("smb", 0, None), "b": ("smb", 0, 2), "c": ("ent", 0, 1),
        "d": ("ent", 1, None), "e": ("(none)", 1, 4), "f": ("(none)", 2, None),
    }  # fmt: skip


def test_lifetimes_compile_once_per_grouping(context: AppContext) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    with inputs.ledger_tables(context, "duckdb") as source:
        compute_lifetimes(source, date(2025, 3, 1), "segment")
        before = compiled.cache_size()
        later = compute_lifetimes(source, date(2025, 6, 1), "segment")
        assert compiled.cache_size() == before
    assert len(later) == 6 and sum(item.churn_idx is not None for item in later) == 3


def test_grouping_needs_the_ledger_tables(context: AppContext) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    with inputs.ledger_tables(context, "duckdb") as source:
        assert len(compute_lifetimes(source.base, date(2025, 6, 1))) == 6
        with pytest.raises(Invalid, match="grouping needs the ledger tables"):
            compute_lifetimes(source.base, date(2025, 6, 1), "segment")
        with pytest.raises(Invalid, match="by: expected one of"):
            compute_lifetimes(source, date(2025, 6, 1), "region")


def test_kaplan_meier_is_lifelines_one_row_per_customer(context: AppContext) -> None:
    """Fitting each distinct (duration, churned) pair with its count as weight gives the
    very same floats as lifelines on one row per customer, group by group."""
    from lifelines import KaplanMeierFitter

    terms, labels, _ = book(accounts=300, seed=3)
    write_ledger(context, terms)
    label_accounts(context, labels)
    as_of = date(2025, 9, 1)
    with inputs.ledger_tables(context, "duckdb") as source:
        lifetimes = compute_lifetimes(source, as_of, "segment")
    result = kaplan_meier(lifetimes, as_of, "segment")
    assert [curve.group for curve in result.curves] == ["(none)", "enterprise", "mid", "smb"]
    for curve in result.curves:
        members = [item for item in lifetimes if item.group == curve.group]
        fitter = KaplanMeierFitter().fit([item.duration(month_index(as_of)) for item in members],
                                         event_observed=[item.churn_idx is not None for item in members])  # fmt: skip
        events, bounds = fitter.event_table, fitter.confidence_interval_survival_function_
        assert [p.months for p in curve.points] == [int(m) for m in events.index]
        assert [p.at_risk for p in curve.points] == events["at_risk"].tolist()
        assert [p.churned for p in curve.points] == events["observed"].tolist()
        assert [p.censored for p in curve.points] == events["censored"].tolist()
        assert [p.survival for p in curve.points] == fitter.survival_function_.iloc[:, 0].tolist()
        assert [p.lower for p in curve.points[1:]] == bounds.iloc[1:, 0].tolist()
        assert [p.upper for p in curve.points[1:]] == bounds.iloc[1:, 1].tolist()
        assert curve.customers == len(members) and curve.churned > 0


def test_objects_and_columns_give_the_same_figures(context: AppContext) -> None:
    """kaplan_meier and period_survivors read compute_lifetimes' Arrow columns; the same
    lifetimes as plain objects (any iterable) give equal results."""
    terms, labels, _ = book(accounts=300, seed=4)
    write_ledger(context, terms)
    label_accounts(context, labels)
    as_of = date(2026, 1, 1)
    with inputs.ledger_tables(context, "duckdb") as source:
        lifetimes = compute_lifetimes(source, as_of, "industry")
    objects = [Lifetime(i.account_id, i.group, i.first_idx, i.churn_idx) for i in lifetimes]
    assert kaplan_meier(lifetimes, as_of, "industry") == kaplan_meier(iter(objects), as_of, "industry")
    for period in (1, 3, 12):
        columns = period_survivors(lifetimes, 2023 * 12, 2023 * 12 + 11, as_of, period)
        plain = period_survivors(objects, 2023 * 12, 2023 * 12 + 11, as_of, period)
        assert columns == plain == survivors_by_hand(objects, 2023, as_of, period)


def survivors_by_hand(lifetimes: list[Lifetime], year: int, as_of: date, period: int) -> dict[str, tuple[int, ...]]:
    periods = (month_index(as_of) - (year * 12 + 11)) // period
    out: dict[str, list[int]] = {}
    for item in lifetimes:
        if item.first_idx // 12 != year:
            continue
        counts = out.setdefault(item.group, [0] * (periods + 1))
        for t in range(periods + 1):
            if item.churn_idx is None or item.churn_idx - item.first_idx > t * period:
                counts[t] += 1
    return {name: tuple(counts) for name, counts in sorted(out.items())}


def test_empty_and_plain_inputs() -> None:
    as_of = date(2025, 6, 1)
    assert kaplan_meier([], as_of, None).curves == ()
    assert period_survivors((), 2025 * 12, 2025 * 12 + 11, as_of) == {}
    hand = [Lifetime(1, "x", 100, 103), Lifetime(2, "x", 100, None), Lifetime(3, "y", 101, 102)]
    columns = lifetime_columns(hand)
    assert columns.groups == ("x", "y")
    assert columns.group.tolist() == [0, 0, 1]
    assert columns.durations(105).tolist() == [3, 5, 1]

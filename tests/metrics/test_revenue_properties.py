"""Random ledgers: the identity and the customer reconciliation hold every month, the
listed movements add up to the series, both engines agree with each other and with a
naive oracle of the definitions."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.kit.context import AppContext
from tenure.metrics.service import revenue_movements, revenue_series
from tests.metrics.ledger import (
    Term,
    as_cents,
    assert_adds_up,
    assert_identities,
    oracle,
    write_ledger,
)

ORIGIN = date(2023, 1, 1)
AMOUNTS = st.one_of(
    st.sampled_from(["0", "0.01", "0.005", "1000", "99.99", "333.3333", "12000"]),
    st.decimals(min_value=0, max_value=50_000, places=4).map(str),
)


@st.composite
def terms(draw: st.DrawFn) -> Term:
    start = ORIGIN + timedelta(days=draw(st.integers(0, 900)))
    length = draw(st.one_of(st.none(), st.integers(1, 800)))
    return Term(
        account=draw(st.sampled_from("abcdefg")),
        start=start,
        end=None if length is None else start + timedelta(days=length),
        amount=draw(AMOUNTS),
        months=draw(st.sampled_from([1, 1, 3, 12, 24, 36])),
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ledger=st.lists(terms(), max_size=14),
    first=st.integers(0, 30),
    span=st.integers(0, 14),
)
def test_random_ledgers_reconcile_on_every_engine(
    context: AppContext, ledger: list[Term], first: int, span: int
) -> None:
    write_ledger(context, ledger)
    start = date(2023 + first // 12, first % 12 + 1, 1)
    last = first + span
    end = date(2023 + last // 12, last % 12 + 1, 1)
    on_duckdb = revenue_series(context, start, end, engine="duckdb")
    on_database = revenue_series(context, start, end, engine="database")
    assert on_duckdb == on_database
    assert_identities(on_duckdb)
    movements = revenue_movements(context, start, end, engine="duckdb")
    assert list(movements.accounts) == list(
        revenue_movements(context, start, end, engine="database").accounts
    )
    assert_adds_up(movements, on_duckdb)
    expected = oracle(ledger, start, end) if ledger else None
    got = as_cents(on_duckdb)
    if expected is not None:
        assert got == [{key: row.get(key, 0) for key in got[0]} for row in expected]

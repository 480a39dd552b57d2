"""Random ledgers: retention and renewals invariants hold, both engines agree, and
retention matches the revenue snapshots and a naive oracle of the renewal rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.kit.context import AppContext
from tenure.metrics.service import committed_mrr, period_retention, renewals
from tests.metrics.ledger import Term, snapshot_cents, write_ledger
from tests.metrics.test_revenue_properties import terms

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def month(offset: int) -> date:
    return date(2023 + offset // 12, offset % 12 + 1, 1)


def bounded(value: Decimal | None) -> bool:
    return value is None or 0 <= value <= 1


@SETTINGS
@given(ledger=st.lists(terms(), max_size=14), first=st.integers(0, 30), span=st.integers(0, 12))
def test_retention_invariants(context: AppContext, ledger: list[Term], first: int, span: int) -> None:
    write_ledger(context, ledger)
    start, end = month(first), month(first + span)
    result = period_retention(context, start, end, engine="duckdb")
    assert result == period_retention(context, start, end, engine="database")
    f = result.figures
    opening = snapshot_cents(ledger, date.fromordinal(start.toordinal() - 1))
    closing = snapshot_cents(ledger, end)
    assert f.start_customers == len(opening)
    assert f.start_mrr * 100 == sum(opening.values())
    assert f.end_mrr * 100 == sum(closing.get(a, 0) for a in opening)
    if f.start_customers == 0:
        assert (f.nrr, f.grr, f.logo_churn_rate) == (None, None, None)
    else:
        assert f.nrr is not None and f.grr is not None and f.nrr >= f.grr
        assert bounded(f.grr) and bounded(f.logo_churn_rate) and bounded(f.gross_mrr_churn_rate)
    assert f.end_mrr - f.start_mrr == f.expansion_mrr - f.contraction_mrr - f.churned_mrr
    assert sum(a.end_mrr for a in result.accounts) == f.end_mrr


def renewal_oracle(ledger: list[Term], first: date, last: date, as_of: date, grace: int) -> dict[str, str]:
    """Status per due account, straight from METRICS.md section 4 (paying terms only)."""
    paying = [t for t in ledger if Decimal(t.amount) > 0]
    due = [t for t in paying if t.end is not None and first <= t.end <= last]
    statuses: dict[str, str] = {}
    for account in {t.account for t in due}:
        mine = [t for t in due if t.account == account]
        def successors(t: Term) -> list[Term]:
            window = t.end + timedelta(days=grace)  # type: ignore[operator]
            return [s for s in paying if s.account == account and s is not t and t.end <= s.start <= window]  # type: ignore[operator]
        if any(successors(t) for t in mine):
            statuses[account] = "renewed"
        elif any(as_of < t.end + timedelta(days=grace) for t in mine):  # type: ignore[operator]
            statuses[account] = "pending"
        else:
            statuses[account] = "churned"
    return statuses


@SETTINGS
@given(
    ledger=st.lists(terms(), max_size=14),
    first=st.integers(0, 900),
    length=st.integers(0, 200),
    as_of=st.integers(0, 1200),
    grace=st.sampled_from([0, 1, 30, 90]),
)
def test_renewal_invariants(context: AppContext, ledger: list[Term], first: int, length: int,
                            as_of: int, grace: int) -> None:  # fmt: skip
    write_ledger(context, ledger)
    origin = date(2023, 1, 1)
    start, end, day = (origin + timedelta(days=n) for n in (first, first + length, as_of))
    result = renewals(context, start, end, grace_days=grace, as_of=day, engine="duckdb")
    assert result == renewals(context, start, end, grace_days=grace, as_of=day, engine="database")
    assert {a.external_id: a.status for a in result.accounts} == renewal_oracle(ledger, start, end, day, grace)
    f = result.figures
    assert f.due_customers == f.renewed_customers + f.pending_customers + f.churned_customers
    assert bounded(f.logo_renewal_rate) and bounded(f.gross_arr_renewal_rate)
    if f.due_customers == 0:
        assert (f.logo_renewal_rate, f.arr_renewal_rate, f.gross_arr_renewal_rate) == (None, None, None)
    else:
        assert f.logo_renewal_rate is not None
    # A due term can carry less than a cent of ARR (0.01 over 36 months): due ARR then
    # rounds to 0.00 and the ARR rates are undefined, like any rate over an empty base.
    if f.due_arr > 0:
        assert f.arr_renewal_rate is not None and f.gross_arr_renewal_rate is not None
        assert f.arr_renewal_rate >= f.gross_arr_renewal_rate
    else:
        assert (f.arr_renewal_rate, f.gross_arr_renewal_rate) == (None, None)
    assert all((a.status == "churned") == (a.released_to_pool_on is not None) for a in result.accounts)


@SETTINGS
@given(ledger=st.lists(terms(), max_size=14), offset=st.integers(0, 1200))
def test_cmrr_mrr_part_is_the_day_snapshot(context: AppContext, ledger: list[Term], offset: int) -> None:
    write_ledger(context, ledger)
    day = date(2023, 1, 1) + timedelta(days=offset)
    result = committed_mrr(context, day, engine="duckdb")
    assert result == committed_mrr(context, day, engine="database")
    exact: dict[str, Fraction] = {}
    for t in ledger:
        if Decimal(t.amount) > 0 and t.start <= day and (t.end is None or day < t.end):
            exact[t.account] = exact.get(t.account, Fraction(0)) + Fraction(Decimal(t.amount)) / t.months
    cents = sum(int(Fraction(v * 100) + Fraction(1, 2)) for v in exact.values())
    assert result.figures.mrr * 100 == cents

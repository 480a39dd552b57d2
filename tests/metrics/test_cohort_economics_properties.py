"""Random ledgers: cohort tables, unit economics and CMRR (compiled once, from term
boundaries and day numbers) equal a naive month-by-month oracle of METRICS.md sections
5-6, and both engines agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.kit.context import AppContext
from tenure.metrics.service import committed_mrr, unit_economics
from tenure.retention.service import cohort_table
from tests.metrics.ledger import Term, label_accounts, months_between, oracle, snapshot_cents, write_ledger
from tests.metrics.test_economics_ledgers import write_spend
from tests.metrics.test_revenue_properties import ORIGIN, terms

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OFFSETS = st.one_of(st.none(), st.integers(-90, 400))
PRICES = ["120", "99.99", "0.01", "0", "5000"]  # a renewal's amount


def _contract(term: Term, signed: int | None, notice: int | None) -> Term:
    """`term` signed `signed` days before its start and noticed `notice` days after it."""
    return Term(
        term.account, term.start, term.end, term.amount, term.months,
        signed_at=None if signed is None else term.start - timedelta(days=signed),
        canceled_at=None if notice is None else term.start + timedelta(days=notice),
    )  # fmt: skip


@st.composite
def contracts(draw: st.DrawFn) -> Term:
    """A term (`test_revenue_properties.terms`) with a signing day and a notice, each
    missing or some days around its start."""
    return _contract(draw(terms()), draw(OFFSETS), draw(OFFSETS))


@st.composite
def renewals(draw: st.DrawFn) -> list[Term]:
    """An account's chain of two to four terms, each starting on the day the previous
    ends or after a gap (so terms replace each other and accounts come back)."""
    account = draw(st.sampled_from("abcdefg"))
    start = ORIGIN + timedelta(days=draw(st.integers(0, 700)))
    chain = []
    for _ in range(draw(st.integers(2, 4))):
        end = start + timedelta(days=draw(st.integers(20, 400)))
        term = Term(account, start, end, draw(st.sampled_from(PRICES)), draw(st.sampled_from([1, 3, 12])))
        chain.append(_contract(term, draw(OFFSETS), draw(OFFSETS)))
        start = end + timedelta(days=draw(st.sampled_from([0, 45, 1, 200])))
    return chain


LEDGERS = st.lists(st.one_of(renewals(), contracts().map(lambda t: [t])), max_size=7).map(
    lambda chains: [term for chain in chains for term in chain]
)


def month(offset: int) -> date:
    return date(2023 + offset // 12, offset % 12 + 1, 1)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[Term], int, int]:
    """A ledger with a range of months (`month` offsets first..first + span) that starts
    at most three months before one of its terms (so the range sees cohorts move)."""
    ledger = draw(LEDGERS)
    starts = [(t.start.year - 2023) * 12 + t.start.month - 1 for t in ledger]
    first = draw(st.sampled_from(starts)) - draw(st.integers(0, 3)) if starts else 0
    return ledger, max(first, 0), draw(st.integers(0, 14))


def cohort_oracle(ledger: list[Term], first: date, last: date) -> dict[date, list[tuple[int, int]]]:
    """Per cohort month first..last: (paying customers, MRR cents) at each age."""
    if not ledger:
        return {}
    history = months_between(min(t.start.replace(day=1) for t in ledger), last)
    snapshots = {m: snapshot_cents(ledger, m) for m in history}
    cohort: dict[str, date] = {}
    for m in history:
        for account in snapshots[m]:
            cohort.setdefault(account, m)
    table: dict[date, list[tuple[int, int]]] = {}
    for start in {m for m in cohort.values() if first <= m <= last}:
        members = [a for a, m in cohort.items() if m == start]
        table[start] = [
            (sum(1 for a in members if a in snapshots[m]), sum(snapshots[m].get(a, 0) for a in members))
            for m in months_between(start, last)
        ]
    return table


@SETTINGS
@given(book=books())
def test_cohorts_are_the_month_by_month_snapshots(context: AppContext,
                                                  book: tuple[list[Term], int, int]) -> None:  # fmt: skip
    ledger, first, span = book
    write_ledger(context, ledger)
    start, end = month(first), month(first + span)
    result = cohort_table(context, start, end, engine="duckdb")
    assert result == cohort_table(context, start, end, engine="database")
    found = {c.month: [(a.customers, int(a.mrr * 100)) for a in c.ages] for c in result.cohorts}
    assert found == cohort_oracle(ledger, start, end)
    assert all(c.group == "all" and c.ages[0].logo_retention == 1 for c in result.cohorts)


@SETTINGS
@given(book=books(), spend=st.lists(st.decimals(0, 10_000, places=4), min_size=44, max_size=44))
def test_economics_are_the_month_by_month_movements(context: AppContext, book: tuple[list[Term], int, int],
                                                    spend: list[Decimal]) -> None:  # fmt: skip
    ledger, first, span = book
    write_ledger(context, ledger)
    write_spend(context, {month(i - 2): str(value) for i, value in enumerate(spend)})
    start, end = month(first), month(first + span)
    result = unit_economics(context, start, end, engine="duckdb")
    assert result == unit_economics(context, start, end, engine="database")
    earliest = month(min(first, first + span - 12) - 1)  # the month before the first rate
    found = oracle(ledger, earliest, end) if ledger else []
    rows = {row["month"]: defaultdict(int, row) for row in found}
    zero: dict[str, int] = defaultdict(int)
    period = [rows.get(m, zero) for m in months_between(start, end)]
    last = first + span
    trailing = [(month(m - 1), month(m)) for m in range(last - 11, last + 1)]
    rates = [Fraction(rows.get(m, zero)["churned_customers"], rows[before]["customers"])
             for before, m in trailing if rows.get(before, zero)["customers"]]  # fmt: skip
    f = result.figures
    assert (int(f.mrr * 100), f.customers) == (rows.get(end, zero)["mrr"], rows.get(end, zero)["customers"])
    assert f.churn_months == len(rates)
    if rates:
        mean = sum(rates, Fraction(0)) / len(rates)
        assert f.monthly_churn_rate == (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(
            Decimal("1E-10"))  # fmt: skip
    assert f.new_customers == sum(row["new_customers"] for row in period)
    assert int(f.new_mrr * 100) == sum(row["new_mrr"] for row in period)
    chosen = [value for i, value in enumerate(spend) if start <= month(i - 2) <= end]
    assert f.spend == sum(chosen, Decimal(0)).quantize(Decimal("0.01"))


def _cents(value: Fraction) -> int:
    exact = Decimal(value.numerator) / Decimal(value.denominator) * 100
    return int(exact.quantize(Decimal(1), ROUND_HALF_UP))


def cmrr_oracle(ledger: list[Term], day: date) -> dict[str, dict[str, int]]:
    """Per account with an active or future paying term: its four parts in cents."""
    paying = [t for t in ledger if Decimal(t.amount) > 0]
    active = [t for t in paying if t.start <= day and (t.end is None or day < t.end)]
    future = [t for t in paying if t.start > day and (t.signed_at is None or t.signed_at <= day)]
    canceled = [t for t in active if t.canceled_at is not None and t.canceled_at <= day]
    latest = {t.account: max(s.start for s in future if s.account == t.account) for t in future}
    replaced = [t for t in active if t not in canceled and t.end is not None
                and t.account in latest and t.end <= latest[t.account]]  # fmt: skip
    parts: dict[str, dict[str, Fraction]] = {}
    for name, chosen in (("mrr", active), ("future_mrr", future), ("replaced_mrr", replaced),
                         ("canceled_mrr", canceled)):  # fmt: skip
        for t in chosen:
            account = parts.setdefault(t.account, defaultdict(Fraction))
            account[name] += Fraction(Decimal(t.amount)) / t.months
    return {a: {name: _cents(v) for name, v in p.items()} for a, p in parts.items()}


@SETTINGS
@given(ledger=LEDGERS, data=st.data())
def test_cmrr_parts_are_the_term_rules(context: AppContext, ledger: list[Term], data: st.DataObject) -> None:
    write_ledger(context, ledger)
    label_accounts(context, {"a": {"segment": "smb"}, "b": {"segment": "ent"}, "c": {"segment": "smb"}})
    near = [day - timedelta(days=n) for t in ledger for day in (t.start, t.end, t.signed_at, t.canceled_at)
            if day for n in (0, 1, 30)]  # fmt: skip
    day = data.draw(st.sampled_from(near) if near else st.just(ORIGIN))  # on or before a boundary
    result = committed_mrr(context, day, by="segment", engine="duckdb")
    assert result == committed_mrr(context, day, by="segment", engine="database")
    expected = cmrr_oracle(ledger, day)
    names = ("mrr", "future_mrr", "replaced_mrr", "canceled_mrr")
    f = result.figures
    assert [int(getattr(f, n) * 100) for n in names] == [
        sum(p.get(n, 0) for p in expected.values()) for n in names
    ]
    assert f.customers == sum(1 for p in expected.values() if p.get("mrr", 0) > 0)
    moving = {a: p for a, p in expected.items() if any(p.get(n, 0) for n in names[1:])}
    assert [a.external_id for a in result.accounts] == sorted(moving)
    for account in result.accounts:
        assert [int(getattr(account.figures, n) * 100) for n in names] == [
            moving[account.external_id].get(n, 0) for n in names
        ]
    segment = {"a": "smb", "b": "ent", "c": "smb"}
    groups = {g.group: g.figures.customers for g in result.groups}
    assert sum(groups.values()) == f.customers
    assert set(groups) == {segment.get(a, "(none)") for a in expected}


def test_a_generated_book_matches_the_oracles(context: AppContext) -> None:
    """A realistic book (`tests.analytics.book`: renewals on the day or late, trials,
    notices, signed future terms) against the same oracles, on DuckDB."""
    from tests.analytics.book import book

    ledger, _, spend = book(accounts=120, seed=5)
    write_ledger(context, ledger)
    write_spend(context, spend)
    start, end = date(2023, 6, 1), date(2025, 3, 1)
    table = cohort_table(context, start, end, engine="duckdb")
    found = {c.month: [(a.customers, int(a.mrr * 100)) for a in c.ages] for c in table.cohorts}
    assert found == cohort_oracle(ledger, start, end) and len(found) == 22
    figures = unit_economics(context, date(2024, 7, 1), date(2025, 6, 1), engine="duckdb").figures
    rows = {row["month"]: row for row in oracle(ledger, date(2024, 6, 1), date(2025, 6, 1))}
    period = [rows[m] for m in months_between(date(2024, 7, 1), date(2025, 6, 1))]
    assert (figures.new_customers, int(figures.new_mrr * 100)) == (
        sum(r.get("new_customers", 0) for r in period), sum(r.get("new_mrr", 0) for r in period))
    assert figures.churn_months == 12 and figures.customers == rows[date(2025, 6, 1)]["customers"]
    for day in (date(2024, 2, 29), date(2025, 1, 1), date(2025, 8, 17)):
        result = committed_mrr(context, day, engine="duckdb")
        expected = cmrr_oracle(ledger, day)
        for account in result.accounts:
            parts = expected[account.external_id]
            assert int(account.figures.replaced_mrr * 100) == parts.get("replaced_mrr", 0)
            assert int(account.figures.future_mrr * 100) == parts.get("future_mrr", 0)
        assert int(result.figures.cmrr * 100) == sum(
            p.get("mrr", 0) + p.get("future_mrr", 0) - p.get("replaced_mrr", 0) - p.get("canceled_mrr", 0)
            for p in expected.values()
        )


@pytest.mark.parametrize("engine", ["duckdb", "database"])
def test_cmrr_boundary_days(context: AppContext, engine: str) -> None:
    """Signed on the day, noticed on the day, starting on the day count; ending on the
    day does not; a term ending on the day its successor starts is replaced."""
    write_ledger(context, [
        Term("x", date(2024, 1, 1), date(2025, 4, 1), "100"),
        Term("x", date(2025, 4, 1), None, "150", signed_at=date(2025, 3, 15)),
        Term("y", date(2024, 1, 1), None, "70", canceled_at=date(2025, 3, 15)),
        Term("z", date(2025, 3, 15), None, "30"),
        Term("w", date(2024, 1, 1), date(2025, 3, 15), "40"),
    ])  # fmt: skip
    names = ("mrr", "future_mrr", "replaced_mrr", "canceled_mrr", "customers")
    on_day = committed_mrr(context, date(2025, 3, 15), engine=engine)  # type: ignore[arg-type]
    before = committed_mrr(context, date(2025, 3, 14), engine=engine).figures  # type: ignore[arg-type]
    assert [getattr(on_day.figures, n) for n in names] == [D("200"), D("150"), D("100"), D("70"), 3]
    assert [getattr(before, n) for n in names] == [D("210"), D("30"), D("0"), D("0"), 3]
    assert [(a.external_id, a.figures.cmrr) for a in on_day.accounts] == [("x", D("150")), ("y", D("0"))]

"""Cohort tables, Kaplan-Meier and data-driven sBG on hand-computed ledgers, written into
the real operational database (SQLite and PostgreSQL), on both analytics engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenure.analytics import sbg
from tenure.analytics.cohorts import CohortTable
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.retention import service
from tests.retention.ledgers import ANNUAL, ANNUAL_SEGMENTS, MONTHLY, MONTHLY_SEGMENTS, write

ENGINES = ["duckdb", "database"]


def cells(table: CohortTable) -> dict[tuple[str, str], list[tuple[int, str, str, str]]]:
    return {
        (f"{c.month:%Y-%m}", c.group): [
            (a.customers, str(a.mrr), str(a.logo_retention), str(a.revenue_retention))
            for a in c.ages
        ]
        for c in table.cohorts
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_cohort_table_by_hand(context: AppContext, engine: str) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    table = service.cohort_table(
        context, date(2025, 1, 1), date(2025, 4, 1), engine=engine  # type: ignore[arg-type]
    )
    assert cells(table) == {
        ("2025-01", "all"): [
            (3, "250.00", "1.0000", "1.0000"),
            (2, "150.00", "0.6667", "0.6000"),
            (1, "100.00", "0.3333", "0.4000"),
            (2, "110.00", "0.6667", "0.4400"),  # c is back (reactivation) at 10
        ],
        ("2025-02", "all"): [
            (2, "280.00", "1.0000", "1.0000"),
            (2, "280.00", "1.0000", "1.0000"),
            (2, "380.00", "1.0000", "1.3571"),  # d expands: NRR above 1
        ],
        ("2025-03", "all"): [(1, "40.00", "1.0000", "1.0000"), (1, "40.00", "1.0000", "1.0000")],
    }
    first = table.cohorts[0]
    assert (first.customers, first.start_mrr) == (3, Decimal("250.00"))


@pytest.mark.parametrize("engine", ENGINES)
def test_cohort_table_by_segment(context: AppContext, engine: str) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    table = service.cohort_table(
        context, date(2025, 2, 1), date(2025, 4, 1), by="segment", engine=engine  # type: ignore[arg-type]
    )
    assert cells(table) == {
        ("2025-02", "(none)"): [(1, "80.00", "1.0000", "1.0000")] * 3,
        ("2025-03", "(none)"): [(1, "40.00", "1.0000", "1.0000")] * 2,
        ("2025-02", "ent"): [
            (1, "200.00", "1.0000", "1.0000"),
            (1, "200.00", "1.0000", "1.0000"),
            (1, "300.00", "1.0000", "1.5000"),
        ],
    }  # January's cohort is outside --from 2025-02 even though it still pays


def test_cohort_arguments_are_checked(context: AppContext) -> None:
    with pytest.raises(Invalid, match=r"from \(2025-05\) is after to \(2025-01\)"):
        service.cohort_table(context, date(2025, 5, 1), date(2025, 1, 1))
    with pytest.raises(Invalid, match="by: expected one of segment, industry, owner, plan, country"):
        service.cohort_table(context, date(2025, 1, 1), date(2025, 2, 1), by="region")


@pytest.mark.parametrize("engine", ENGINES)
def test_kaplan_meier_by_hand(context: AppContext, engine: str) -> None:
    """Durations (months, * = censored at 2025-06): a 5*, b 2, c 1, d 4*, e 3, f 3*.
    S(1) = 5/6, S(2) = 5/6 x 4/5 = 2/3, S(3) = 2/3 x 3/4 = 1/2 (f censored at 3 is still
    at risk at 3), then flat: d and a are censored."""
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    result = service.survival_curves(context, date(2025, 6, 1), engine=engine)  # type: ignore[arg-type]
    (curve,) = result.curves
    assert (curve.group, curve.customers, curve.churned, curve.censored) == ("all", 6, 3, 3)
    rows = [(p.months, p.at_risk, p.churned, p.censored) for p in curve.points]
    assert rows == [(0, 6, 0, 0), (1, 6, 1, 0), (2, 5, 1, 0), (3, 4, 1, 1), (4, 2, 0, 1), (5, 1, 0, 1)]
    expected = [1, 5 / 6, 2 / 3, 1 / 2, 1 / 2, 1 / 2]
    assert [p.survival for p in curve.points] == pytest.approx(expected, rel=1e-12)
    assert curve.median_months == 3.0
    assert result.as_of == date(2025, 6, 1)


def test_kaplan_meier_by_segment(context: AppContext) -> None:
    """smb: a 5*, b 2 -> S(2) = 1/2; ent: c 1, d 4* -> S(1) = 1/2; (none): e 3, f 3*."""
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    result = service.survival_curves(context, date(2025, 6, 1), by="segment")
    curves = {curve.group: curve for curve in result.curves}
    assert sorted(curves) == ["(none)", "ent", "smb"]
    final = {name: curve.points[-1].survival for name, curve in curves.items()}
    assert final == pytest.approx({"smb": 0.5, "ent": 0.5, "(none)": 0.5})
    assert [p.months for p in curves["smb"].points] == [0, 2, 5]
    assert curves["ent"].median_months == 1.0


def test_survival_before_any_customer_is_empty(context: AppContext) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    assert service.survival_curves(context, date(2024, 12, 1)).curves == ()


@pytest.mark.parametrize("engine", ENGINES)
def test_sbg_from_annual_cohort(context: AppContext, engine: str) -> None:
    write(context, ANNUAL, ANNUAL_SEGMENTS)
    result = service.sbg_for_cohort(context, 2021, date(2024, 12, 1), engine=engine)  # type: ignore[arg-type]
    (group,) = result.groups
    assert (group.group, group.survivors) == ("all", (8, 6, 4, 3))
    assert group.projection is not None and group.error is None
    direct = sbg.fit_sbg((8, 6, 4, 3))
    assert group.projection.fit.gamma == pytest.approx(direct.gamma)
    assert (result.cohort_year, result.period_months) == (2021, 12)


def test_sbg_from_annual_cohort_by_segment(context: AppContext) -> None:
    write(context, ANNUAL, ANNUAL_SEGMENTS)
    result = service.sbg_for_cohort(context, 2021, date(2025, 3, 1), by="segment", horizon=2)
    groups = {group.group: group for group in result.groups}
    assert groups["smb"].survivors == (6, 4, 2, 1)
    assert groups["ent"].survivors == (2, 2, 2, 2)  # nobody left: flagged, not refused
    ent = groups["ent"].projection
    assert ent is not None and ent.fit.warning is not None


def test_sbg_cohort_needs_a_whole_year(context: AppContext) -> None:
    write(context, ANNUAL, ANNUAL_SEGMENTS)
    with pytest.raises(Invalid, match="cohort 2024: no whole year observed"):
        service.sbg_for_cohort(context, 2024, date(2024, 12, 1))
    with pytest.raises(Invalid, match="cohort 2019: no customer's first paid month-end"):
        service.sbg_for_cohort(context, 2019, date(2024, 12, 1))
    with pytest.raises(Invalid, match="cohort 2022: survivors: need at least 3 counts"):
        service.sbg_for_cohort(context, 2022, date(2023, 12, 1))


@pytest.mark.parametrize("engine", ENGINES)
def test_cohorts_and_survival_split_by_the_metric_dimensions(context: AppContext, engine: str) -> None:
    """The same dimensions as the metrics (analytics.dimensions): owner here."""
    from tests.metrics.ledger import label_accounts

    write(context, MONTHLY, MONTHLY_SEGMENTS)
    label_accounts(context, {"a": {"owner": "ana@example.com"}, "b": {"owner": "ana@example.com"},
                             "d": {"owner": "bo@example.com"}})  # fmt: skip
    table = service.cohort_table(
        context, date(2025, 1, 1), date(2025, 4, 1), by="owner", engine=engine  # type: ignore[arg-type]
    )
    found = {key: [age[0] for age in ages] for key, ages in cells(table).items()}
    # ana: a and b start in January; b pays its last month-end in February.
    assert found == {
        ("2025-01", "(none)"): [1, 0, 0, 1], ("2025-01", "ana@example.com"): [2, 2, 1, 1],
        ("2025-02", "(none)"): [1, 1, 1], ("2025-02", "bo@example.com"): [1, 1, 1],
        ("2025-03", "(none)"): [1, 1],
    }  # fmt: skip
    curves = service.survival_curves(context, date(2025, 6, 1), by="owner", engine=engine)  # type: ignore[arg-type]
    assert {c.group: (c.customers, c.churned) for c in curves.curves} == {
        "(none)": (3, 2), "ana@example.com": (2, 1), "bo@example.com": (1, 0)
    }  # fmt: skip

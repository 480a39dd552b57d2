"""Dashboard figures, drill-downs and chart specs on hand ledgers through the real
database: filtered figures equal the engine's own grouped results, and every drill-down
lists exactly the accounts behind its number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenure.kit.context import AppContext
from tenure.metrics import service as metrics
from tenure.web.dashboards import charts, figures, traces
from tenure.web.dashboards.scope import Scope, Window, parse_scope, parse_window
from tests.metrics.ledger import Term, label_accounts, oracle, write_ledger

D = Decimal
WINDOW = Window(date(2025, 1, 1), date(2025, 6, 1))
LEDGER = [
    Term("acme", date(2024, 6, 1), date(2025, 6, 1), "1200", 12),  # smb, ana: due 2025-Q2, renewed bigger
    Term("acme", date(2025, 6, 1), None, "150"),
    Term("bolt", date(2024, 11, 1), date(2025, 3, 1), "100"),  # smb, ana: churns in March
    Term("cube", date(2025, 2, 1), None, "300"),  # smb, ben: new in February
    Term("cube", date(2025, 4, 1), None, "50"),  # expansion in April
    Term("dart", date(2024, 1, 1), date(2025, 2, 1), "500"),  # enterprise, ben: churns in Feb
    Term("dart", date(2025, 5, 1), None, "400"),  # ...and comes back in May
    Term("echo", date(2024, 12, 1), None, "900"),  # enterprise, ana
    Term("echo", date(2024, 12, 1), date(2025, 4, 1), "100"),  # contraction in April
]
LABELS = {
    "acme": {"segment": "smb", "owner": "ana@example.test"},
    "bolt": {"segment": "smb", "owner": "ana@example.test"},
    "cube": {"segment": "smb", "owner": "ben@example.test"},
    "dart": {"segment": "enterprise", "owner": "ben@example.test"},
    "echo": {"segment": "enterprise", "owner": "ana@example.test"},
}
SMB = {"acme", "bolt", "cube"}


@pytest.fixture
def ledger(context: AppContext) -> AppContext:
    write_ledger(context, LEDGER)
    label_accounts(context, LABELS)
    return context


def in_cents(value: Decimal) -> int:
    return int(value * 100)


@pytest.mark.parametrize("scope, members", [
    (Scope(), SMB | {"dart", "echo"}),
    (Scope(segment="smb"), SMB),
    (Scope(owner="ana@example.test"), {"acme", "bolt", "echo"}),
    (Scope(segment="smb", owner="ben@example.test"), {"cube"}),
])  # fmt: skip
def test_scoped_revenue_equals_the_definition_on_the_scope_s_accounts(ledger, scope, members) -> None:
    expected = oracle([t for t in LEDGER if t.account in members], WINDOW.first, WINDOW.last)
    with figures.scoped_ledger(ledger, scope) as source:
        series = figures.revenue(source, WINDOW)
    got = [{k: in_cents(getattr(m, k)) for k in ("mrr", "new_mrr", "churned_mrr", "expansion_mrr",
                                                 "contraction_mrr", "reactivation_mrr")}
           for m in series.months]  # fmt: skip
    want = [{k: row.get(k, 0) for k in got[0]} for row in expected]
    assert got == want


def test_scoped_retention_and_renewals_equal_the_services_grouped_figures(ledger) -> None:
    scope = Scope(segment="smb")
    quarter = figures.Quarter(2025, 2)
    as_of = date(2025, 8, 1)
    with figures.scoped_ledger(ledger, scope) as source:
        trend = figures.retention_trend(source, WINDOW)
        (renewal,) = figures.renewals_by_quarter(source, (quarter,), as_of)
    grouped = metrics.period_retention(ledger, date(2024, 7, 1), date(2025, 6, 1), by="segment")
    (smb,) = [g.figures for g in grouped.groups if g.group == "smb"]
    assert trend[-1].month == date(2025, 6, 1)
    assert trend[-1].result.figures == smb
    by_segment = metrics.renewals(ledger, quarter.first_day, quarter.last_day, as_of=as_of, by="segment")
    (smb_renewals,) = [g.figures for g in by_segment.groups if g.group == "smb"]
    assert renewal.result.figures == smb_renewals
    assert [a.external_id for a in renewal.result.accounts] == ["acme"]


def test_movement_drill_downs_list_the_accounts_and_add_up_to_the_figures(ledger) -> None:
    with figures.scoped_ledger(ledger, Scope()) as source:
        series = figures.revenue(source, WINDOW)
        found = {m: traces.get_trace("movement").run(ledger, source, traces.DrillRequest("movement", WINDOW, item=m))
                 for m in traces.MOVEMENTS}  # fmt: skip
        paying = traces.get_trace("paying").run(ledger, source, traces.DrillRequest("paying", WINDOW, month=date(2025, 6, 1)))
    accounts = {m: sorted({r.external_id for r in result.rows}) for m, result in found.items()}
    assert accounts == {"new": ["cube"], "expansion": ["acme", "cube"], "reactivation": ["dart"],
                        "contraction": ["echo"], "churn": ["bolt", "dart"]}  # fmt: skip
    sums = {"new": "new_mrr", "expansion": "expansion_mrr", "reactivation": "reactivation_mrr",
            "contraction": "contraction_mrr", "churn": "churned_mrr"}  # fmt: skip
    for movement, column in sums.items():
        total = sum((getattr(m, column) for m in series.months), D(0))
        assert abs(traces.total(found[movement], "change")) == total, movement
    assert traces.total(paying, "mrr") == series.months[-1].mrr
    assert {r.external_id for r in paying.rows} == {"acme", "cube", "dart", "echo"}


def test_retention_and_renewal_drill_downs_filter_by_movement_and_status(ledger) -> None:
    with figures.scoped_ledger(ledger, Scope()) as source:
        churned = traces.get_trace("retention").run(
            ledger, source, traces.DrillRequest("retention", WINDOW, month=date(2025, 3, 1), item="churned"))
        due = traces.get_trace("renewal").run(
            ledger, source, traces.DrillRequest("renewal", WINDOW, quarter="2025-Q2", as_of=date(2025, 8, 1)))
    # the cohort of 2024-03 is dart alone (bolt started later); it paid nothing at the end of March
    assert [r.external_id for r in churned.rows] == ["dart"]
    assert [(r.external_id, r.values["status"]) for r in due.rows] == [("acme", "renewed"), ("echo", "churned")]


def test_waterfall_starts_moves_and_ends_on_the_engine_s_figures(ledger) -> None:
    with figures.scoped_ledger(ledger, Scope(segment="smb")) as source:
        series = figures.revenue(source, WINDOW)
    rows = charts.waterfall_rows(series, lambda kind, **kw: f"/x?kind={kind}&" + "&".join(f"{k}={v}" for k, v in kw.items()))
    assert [r["step"] for r in rows] == ["Start MRR", "New", "Expansion", "Reactivation",
                                         "Contraction", "Churn", "End MRR"]  # fmt: skip
    assert rows[0]["high"] == float(series.opening_mrr) == 200.0  # acme 100 + bolt 100 at end of 2024-12
    level = rows[0]["high"]
    for row in rows[1:-1]:
        assert row["low"] == pytest.approx(level)
        level = row["high"]
    assert rows[-1]["high"] == pytest.approx(level) == float(series.months[-1].mrr)
    assert rows[1]["amount"] == 300.0 and rows[5]["amount"] == -100.0
    assert rows[5]["href"] == "/x?kind=movement&item=churn"
    spec = charts.waterfall(series, lambda kind, **kw: "/x")
    assert spec["encoding"]["href"] == {"field": "href"} and spec["data"]["values"] == charts.waterfall_rows(series, lambda kind, **kw: "/x")


def test_rate_charts_carry_each_point_and_its_drill_down(ledger) -> None:
    with figures.scoped_ledger(ledger, Scope()) as source:
        trend = figures.retention_trend(source, WINDOW)
        quarters = figures.renewals_by_quarter(source, (figures.Quarter(2025, 1), figures.Quarter(2025, 2)), date(2025, 8, 1))
    rows = charts.retention_rows(trend, lambda kind, month: f"{kind}:{month:%Y-%m}")
    june = {r["measure"]: r for r in rows if r["month"] == "2025-06"}
    assert june["NRR"]["rate"] == float(trend[-1].result.figures.nrr)
    assert june["GRR"]["rate"] == float(trend[-1].result.figures.grr)
    assert june["NRR"]["href"] == "retention:2025-06"
    renewal = charts.renewal_rows(quarters, lambda kind, quarter: f"{kind}:{quarter}")
    assert [(r["quarter"], r["rate_kind"], r["rate"]) for r in renewal] == [
        ("2025-Q1", "logo renewal rate", 0.0), ("2025-Q1", "ARR renewal rate", 0.0),  # bolt, dart lost
        ("2025-Q2", "logo renewal rate", 0.5), ("2025-Q2", "ARR renewal rate", 0.75)]  # acme 1200 -> 1800; echo's 1200 not renewed


def test_filters_and_windows_are_parsed_and_checked() -> None:
    assert parse_scope(" smb ", "Ana@Example.test") == Scope("smb", "ana@example.test")
    assert parse_scope("", None).is_everything
    assert parse_window(None, None, date(2026, 1, 15)) == Window(date(2025, 1, 1), date(2025, 12, 1))
    with pytest.raises(Exception, match="from: expected a month"):
        parse_window("2025-13", "2025-12")
    with pytest.raises(Exception, match="after to"):
        parse_window("2025-06", "2025-01")
    assert figures.Quarter.parse("2025-q3").last_day == date(2025, 9, 30)
    with pytest.raises(Exception, match="quarter: expected"):
        figures.Quarter.parse("2025-Q5")


def store_grades(context: AppContext, grades: dict[str, tuple[float | None, str | None]], day: date) -> None:
    """Health snapshots for a day, as the health job stores them."""
    import json

    from sqlalchemy import insert, select

    from tenure.models.accounts import Account
    from tenure.models.health import HealthSnapshot

    with context.engine.begin() as connection:
        ids = dict(connection.execute(select(Account.external_id, Account.id)).all())
        connection.execute(insert(HealthSnapshot), [
            {"account_id": ids[name], "as_of": day, "scorecard": "default", "scorecard_version": 1,
             "score": score, "grade": grade,
             "measures": json.dumps([{"name": "seat_utilisation", "group": "usage", "value": 0.5,
                                      "score": score, "weight": 1.0, "contribution": score}])}
            for name, (score, grade) in grades.items()
        ])  # fmt: skip


def test_health_distribution_and_arr_at_risk_from_stored_scores(ledger) -> None:
    from tenure.web.dashboards import health
    from tenure.web.dashboards.schemas import DashboardParams

    today = date(2025, 6, 15)
    params = DashboardParams(Scope(), WINDOW, today)
    with figures.scoped_ledger(ledger, Scope()) as source:
        assert health.HealthSection().build(ledger, source, params).empty == health.NOT_SCORED
    store_grades(ledger, {"acme": (40.0, "red"), "cube": (60.0, "yellow"), "dart": (90.0, "green"),
                          "echo": (None, None)}, today)  # fmt: skip
    with figures.scoped_ledger(ledger, Scope()) as source:
        view = health.HealthSection().build(ledger, source, params)
        at_risk = traces.get_trace("at_risk").run(ledger, source, traces.DrillRequest("at_risk", WINDOW, as_of=today))
        unscored = traces.get_trace("health").run(
            ledger, source, traces.DrillRequest("health", WINDOW, item="not scored", as_of=today))
    stats = dict(view.stats)
    # ARR on 2025-06-15: acme 150 x 12 = 1800 (red), cube 350 x 12 = 4200 (yellow)
    assert stats["ARR at risk (red + yellow)"].value == D("6000.00")
    assert stats["Red ARR"].value == D("1800.00")
    assert stats["Accounts at risk"].value == 2
    assert [(r.external_id, r.values["grade"], r.values["arr"]) for r in at_risk.rows] == [
        ("cube", "yellow", D("4200.00")), ("acme", "red", D("1800.00"))]  # fmt: skip
    assert sorted(r.external_id for r in unscored.rows) == ["bolt", "echo"]  # bolt: no snapshot
    (table,) = view.tables
    smb = next(row for row in table.rows if row[0].value == "smb")
    assert [c.value for c in smb[1:]] == [1, 1, 0, 1]  # red acme, yellow cube, bolt not scored


def test_churn_probabilities_weigh_the_arr_at_risk_when_scored(ledger) -> None:
    from sqlalchemy import insert, select

    from tenure.models.accounts import Account
    from tenure.models.health import ChurnScore
    from tenure.web.dashboards import health
    from tenure.web.dashboards.schemas import DashboardParams

    today = date(2025, 6, 15)
    store_grades(ledger, {"acme": (40.0, "red"), "cube": (60.0, "yellow")}, today)
    with ledger.engine.begin() as connection:
        ids = dict(connection.execute(select(Account.external_id, Account.id)).all())
        connection.execute(insert(ChurnScore), [{"account_id": ids["acme"], "scored_on": today,
                                                 "model_version": 1, "probability": 0.25, "drivers": "[]"}])  # fmt: skip
    with figures.scoped_ledger(ledger, Scope()) as source:
        view = health.HealthSection().build(ledger, source, DashboardParams(Scope(), WINDOW, today))
        listed = traces.get_trace("at_risk").run(ledger, source, traces.DrillRequest("at_risk", WINDOW, as_of=today))
    assert dict(view.stats)["At-risk ARR x churn probability"].value == D("450.00")  # 1800 x 0.25; cube unscored
    assert {r.external_id: r.values["churn_probability"] for r in listed.rows} == {"cube": None, "acme": 0.25}


def test_cohort_cells_list_their_customers(ledger) -> None:
    with figures.scoped_ledger(ledger, Scope()) as source:
        table = figures.cohorts(source, Window(date(2024, 11, 1), date(2025, 6, 1)))
        december = traces.get_trace("cohort").run(
            ledger, source, traces.DrillRequest("cohort", WINDOW, month=date(2024, 12, 1), item="4"))
    (cohort,) = [c for c in table.cohorts if c.month == date(2024, 12, 1)]
    assert [r.external_id for r in december.rows] == ["echo"]  # echo's first month-end: December
    row = december.rows[0].values
    assert (row["start_mrr"], row["mrr_at_age"]) == (D("1000.00"), D("900.00"))  # April: contracted
    assert cohort.customers == len(december.rows) and cohort.start_mrr == row["start_mrr"]
    assert cohort.ages[4].mrr == row["mrr_at_age"]

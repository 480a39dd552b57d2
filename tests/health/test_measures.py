"""Each measure on the hand-made base (both databases), point in time."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tenure.health.measures import MEASURES, measure_table
from tenure.kit.context import AppContext
from tests.health.factory import AS_OF, seed

NAN = float("nan")

# account -> measure -> expected raw value on 2025-06-30 (NaN = missing)
EXPECTED = {
    1: {
        "seat_utilisation": 0.3,  # peak 3 daily users / 10 seats
        "login_days": 3,  # 06-10, 06-20, 06-30
        "usage_trend": 3.0,  # 8 events vs 2 the 30 days before
        "feature_breadth": 3,  # login, report, export
        "days_since_last_seen": 0,
        "open_tickets": 2,  # k2, k3 (k3 closes after as_of; k5 opens after)
        "open_urgent_tickets": 2,
        "time_to_resolve": 1.5,  # k1: 06-01 12:00 to 06-03 00:00; k4 is older than 90 days
        "nps": 4,  # the 07-05 answer is not known yet
        "csat": 5,
        "csm_sentiment": 100,  # green, 29 days old
        "payment_issues": 3,  # i1 overdue, i4 failed, i5 overdue then (paid 07-03)
        "recent_downgrade": 0,
        "champion_present": 1,  # leaves 07-10
        "days_since_csm_touch": 10,  # call 06-20; the 07-02 meeting is later
        "onboarding_milestones": 1,  # kickoff due 06-25, 5 days late: behind
        "days_to_renewal": 90,  # term ends 2025-09-28
    },
    2: {
        "seat_utilisation": 0.0,  # 5 seats, nobody active
        "login_days": NAN, "usage_trend": NAN, "feature_breadth": NAN,
        "days_since_last_seen": NAN,  # never seen: no usage data at all
        "open_tickets": 0, "open_urgent_tickets": 0, "time_to_resolve": NAN,
        "nps": NAN, "csat": NAN,
        "csm_sentiment": NAN,  # red but from 2025-01-01: stale after 90 days
        "payment_issues": 0,
        "recent_downgrade": 1,  # 300 -> 200 on 05-01
        "champion_present": 0,  # left 06-01
        "days_since_csm_touch": NAN,
        "onboarding_milestones": NAN,
        "days_to_renewal": NAN,  # evergreen
    },
}  # fmt: skip


@pytest.fixture
def table(context: AppContext):  # type: ignore[no-untyped-def]
    seed(context)
    return measure_table(context, AS_OF)


def test_every_registered_measure_is_a_float_column(table) -> None:  # type: ignore[no-untyped-def]
    assert list(table.columns) == list(MEASURES)
    assert table.index.tolist() == [1, 2, 3]
    assert all(str(dtype) == "float64" for dtype in table.dtypes)


@pytest.mark.parametrize("account", [1, 2])
@pytest.mark.parametrize("name", list(EXPECTED[1]))
def test_measure_values(table, account: int, name: str) -> None:  # type: ignore[no-untyped-def]
    expected, got = EXPECTED[account][name], table.loc[account, name]
    if math.isnan(expected):
        assert math.isnan(got), f"{name} of account {account}: {got}"
    else:
        assert got == pytest.approx(expected), f"{name} of account {account}"


def test_account_without_terms_has_only_event_free_measures(table) -> None:  # type: ignore[no-untyped-def]
    row = table.loc[3]
    assert math.isnan(row["seat_utilisation"]) and math.isnan(row["days_to_renewal"])
    assert row["open_tickets"] == 0 and row["champion_present"] == 0


def test_later_as_of_sees_later_rows(context: AppContext) -> None:
    seed(context)
    later = measure_table(context, date(2025, 7, 5))
    assert later.loc[1, "nps"] == 10
    assert later.loc[1, "open_tickets"] == 2  # k2 and k5 (k3 closed 07-02)
    assert later.loc[1, "days_since_csm_touch"] == 3
    assert later.loc[1, "login_days"] == 4  # 06-10, 06-20, 06-30, 07-01
    assert later.loc[1, "seat_utilisation"] == pytest.approx(0.9)  # 9 users on 07-01


def test_monthly_term_end_is_known_only_after_notice(context: AppContext) -> None:
    """A monthly term's end date read before its cancellation would leak the future."""
    from tenure.kit.db import unit_of_work
    from tests.health.factory import term

    seed(context)
    with unit_of_work(context.sessions) as session:
        monthly = term(90, 3, date(2025, 6, 1), date(2025, 8, 1), "100", 1, 2)
        monthly.canceled_at = date(2025, 7, 1)
        session.add(monthly)
    assert math.isnan(measure_table(context, AS_OF).loc[3, "days_to_renewal"])
    assert measure_table(context, date(2025, 7, 5)).loc[3, "days_to_renewal"] == 27

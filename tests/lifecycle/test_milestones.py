"""Onboarding milestones: planning, point-in-time statuses (METRICS.md section 8), completion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tenure.errors import NotFound
from tenure.kit.db import unit_of_work
from tenure.lifecycle import service
from tests.risk import factories as f

START = date(2025, 1, 1)


def test_plan_is_idempotent_and_uses_first_paying_contract(context) -> None:
    with unit_of_work(context.sessions) as s:
        a = f.account(s, "acme")
        f.term(s, a, date(2024, 6, 1), amount="0")  # a free trial is not the contract
        f.term(s, a, START)
        f.term(s, a, date(2026, 1, 1))
        none = f.account(s, "nocontract")
        first = service.plan_milestones(s, [a.id, none.id])
        again = service.plan_new_customers(s)
        rows = service.list_milestones(s, a.id, START)
    assert first.milestones_created == 5 and first.accounts == 1
    assert again.milestones_created == 0
    assert [(m.key, (m.due_on - START).days) for m in rows] == [
        ("kickoff", 7), ("day_14", 14), ("day_30", 30), ("day_60", 60), ("day_90", 90)
    ]


@pytest.mark.parametrize(
    ("days_after_kickoff_due", "expected"),
    [(0, "on_track"), (1, "behind"), (6, "behind"), (7, "stuck"), (30, "stuck")],
)
def test_status_boundaries(context, days_after_kickoff_due: int, expected: str) -> None:
    with unit_of_work(context.sessions) as s:
        a = f.account(s, "acme")
        f.term(s, a, START)
        service.plan_milestones(s, [a.id])
        as_of = START + timedelta(days=7 + days_after_kickoff_due)
        frame = service.milestone_statuses(s, as_of)
    assert frame.loc[a.id, "status"] == expected
    assert frame.loc[a.id, ["on_track", "behind", "stuck"]].sum() == 5


def test_worst_status_counts_and_point_in_time_completion(context) -> None:
    with unit_of_work(context.sessions) as s:
        a = f.account(s, "acme")
        f.term(s, a, START)
        b = f.account(s, "bare")
        service.plan_milestones(s, [a.id])
        service.complete_milestone(s, a.id, "kickoff", START + timedelta(days=20))
    as_of = START + timedelta(days=35)  # kickoff done, day_14 stuck, day_30 behind
    with unit_of_work(context.sessions) as s:
        frame = service.milestone_statuses(s, as_of)
        before = service.milestone_statuses(s, START + timedelta(days=19))
    row = frame.loc[a.id]
    assert (row.on_track, row.behind, row.stuck, row.status) == (2, 1, 1, "stuck")
    assert frame.loc[b.id, "status"] is None and frame.loc[b.id, "stuck"] == 0
    # Completed on day 20: on day 19 the kick-off still counts as open and stuck.
    assert before.loc[a.id, ["on_track", "behind", "stuck"]].tolist() == [3, 1, 1]


def test_all_done_is_on_track(context) -> None:
    with unit_of_work(context.sessions) as s:
        a = f.account(s, "acme")
        f.term(s, a, START)
        service.plan_milestones(s, [a.id])
        for template in service.MILESTONES:
            service.complete_milestone(s, a.id, template.key, START + timedelta(days=template.day))
        frame = service.milestone_statuses(s, START + timedelta(days=400))
    assert frame.loc[a.id, "status"] == "on_track"
    assert frame.loc[a.id, ["on_track", "behind", "stuck"]].sum() == 0


def test_complete_unknown_milestone(context) -> None:
    with unit_of_work(context.sessions) as s:
        a = f.account(s, "acme")
        with pytest.raises(NotFound):
            service.complete_milestone(s, a.id, "kickoff", START)

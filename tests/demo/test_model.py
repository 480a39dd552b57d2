"""The demo's model, checked on in-memory plans (no database) at sizes where averages
are stable. Each check can fail if the generator stops being realistic."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from tenure.demo.calendar import month_starts
from tenure.demo.plan import DemoPlan, build_plan
from tenure.demo.profile import DEFAULT_PROFILE, DemoOptions
from tenure.demo.usage import UsageGenerator, UsageInputs
from tenure.models.types import Segment

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return build_plan(DEFAULT_PROFILE, DemoOptions(accounts=1500, seed=7, as_of=AS_OF))


def _starting_arr(plan: DemoPlan) -> dict[Segment, float]:
    t = plan.contracts.terms
    first: dict[int, float] = {}
    for k in range(len(t)):
        if t.amount[k] > 0 and t.account[k] not in first:
            first[t.account[k]] = 12 * t.amount[k] / t.billing[k]
    by_tier: dict[Segment, list[float]] = {tier.segment: [] for tier in plan.profile.tiers}
    for account, arr in sorted(first.items()):
        by_tier[plan.profile.tiers[int(plan.accounts.tier[account])].segment].append(arr)
    return {segment: float(np.median(values)) for segment, values in by_tier.items()}


def test_tier_arr_is_ordered_and_in_range(plan: DemoPlan) -> None:
    arr = _starting_arr(plan)
    assert 3_000 <= arr[Segment.smb] <= 15_000
    assert 20_000 <= arr[Segment.mid_market] <= 80_000
    assert 100_000 <= arr[Segment.enterprise] <= 1_000_000
    assert arr[Segment.smb] < arr[Segment.mid_market] < arr[Segment.enterprise]


def test_smb_mostly_monthly_enterprise_annual_or_multi_year(plan: DemoPlan) -> None:
    t = plan.contracts.terms
    periods: dict[int, Counter[int]] = {0: Counter(), 1: Counter(), 2: Counter()}
    for k in range(len(t)):
        if t.amount[k] > 0 and not t.plan[k].endswith("add-on seats"):
            periods[int(plan.accounts.tier[t.account[k]])][t.billing[k]] += 1
    smb, enterprise = periods[2], periods[0]
    assert smb[1] > 0.6 * sum(smb.values())
    assert enterprise[1] == 0 and enterprise[24] + enterprise[36] > 0
    assert periods[1][12] > periods[1][1]


def test_renewal_rate_rises_with_tenure(plan: DemoPlan) -> None:
    decisions = Counter(plan.contracts.decisions)

    def rate(k: int) -> float:
        return decisions[(k, True)] / (decisions[(k, True)] + decisions[(k, False)])

    assert rate(1) < rate(3)
    assert 0.6 < rate(1) < 0.95


def _mrr_snapshots(plan: DemoPlan) -> tuple[list[int], np.ndarray]:
    t = plan.contracts.terms
    months = month_starts(plan.first_event_day, plan.options.today)
    ends = [m - 1 for m in months[1:]] + [plan.options.today]
    mrr = np.zeros((plan.accounts.n, len(ends)))
    for k in range(len(t)):
        for j, day in enumerate(ends):
            if t.start[k] <= day and (t.end[k] < 0 or day < t.end[k]):
                mrr[t.account[k], j] += t.amount[k] / t.billing[k]
    return ends, mrr


def test_mrr_is_positive_and_every_movement_kind_occurs(plan: DemoPlan) -> None:
    _, mrr = _mrr_snapshots(plan)
    assert (mrr.sum(axis=0) > 0).all()
    kinds: Counter[str] = Counter()
    for j in range(1, mrr.shape[1]):
        before, now = mrr[:, j - 1], mrr[:, j]
        ever = (mrr[:, :j] > 0).any(axis=1)
        kinds["new"] += int(((before == 0) & (now > 0) & ~ever).sum())
        kinds["reactivation"] += int(((before == 0) & (now > 0) & ever).sum())
        kinds["expansion"] += int(((before > 0) & (now > before + 1e-6)).sum())
        kinds["contraction"] += int(((before > 0) & (now > 0) & (now < before - 1e-6)).sum())
        kinds["churn"] += int(((before > 0) & (now == 0)).sum())
    assert all(kinds[k] > 0 for k in ("new", "reactivation", "expansion", "contraction",
                                      "churn")), kinds
    assert kinds["new"] > kinds["reactivation"]


def test_trials_and_cancellation_notices_exist(plan: DemoPlan) -> None:
    t = plan.contracts.terms
    assert sum(1 for k in range(len(t)) if t.plan[k] == "Trial" and t.amount[k] == 0) > 10
    assert sum(1 for c in t.canceled if c >= 0) > 10


def test_healthier_accounts_answer_nps_higher(plan: DemoPlan) -> None:
    s = plan.surveys
    nps = np.array([kind == "nps" for kind in s.kind])
    days = s.responded[nps] // 86_400
    health = plan.health.at(s.account[nps], days)
    score = s.score[nps]
    assert score[health > 0.5].mean() > score[health < -0.5].mean() + 1.0
    assert 0.2 < np.corrcoef(health, score)[0, 1] < 0.9  # informative, and noisy


def test_unhealthy_months_bring_more_and_more_urgent_tickets(plan: DemoPlan) -> None:
    t = plan.tickets
    urgent = np.array([p in ("high", "urgent") for p in t.priority])
    assert urgent[t.health < -1].mean() > urgent[t.health > 1].mean()


def test_some_churners_are_silent_and_some_healthy_accounts_dip(plan: DemoPlan) -> None:
    churners = plan.contracts.churn_day >= 0
    silent = churners & ~plan.declines
    assert 0.05 < silent.sum() / churners.sum() < 0.4
    assert (plan.health.dip_depth[~churners] > 0).sum() > 0


def test_champions_leave_more_often_before_churn(plan: DemoPlan) -> None:
    churners = plan.contracts.churn_day >= 0
    lost = np.zeros(plan.accounts.n, dtype=bool)
    lost[[c.account for c in plan.champion_changes]] = True
    assert lost[churners].mean() > 2 * lost[~churners].mean()


def test_churners_use_the_product_less_before_they_churn() -> None:
    plan = build_plan(DEFAULT_PROFILE, DemoOptions(accounts=300, seed=3, as_of=AS_OF))
    a = plan.accounts
    inputs = UsageInputs(3, plan.first_event_day, plan.options.today, a.tier, a.acquired,
                         pa.array(a.external_id), plan.contracts.terms, plan.health)
    generator = UsageGenerator(plan.profile, inputs, plan.rngs["usage"])
    per_day: dict[int, Counter[int]] = {}
    for _, table in generator.batches(1_000_000):
        accounts = np.array([int(x[4:]) - 1 for x in
                             table.column("account_external_id").to_pylist()])
        days = table.column("event_time").cast(pa.int64()).to_numpy() // 86_400_000_000
        for account, day in zip(accounts.tolist(), days.tolist(), strict=True):
            per_day.setdefault(account, Counter())[day] += 1
    churn = plan.contracts.churn_day
    ratios = []
    settled = churn - a.acquired >= 300  # compare against usage after onboarding
    for i in np.flatnonzero((churn >= 0) & (churn <= plan.options.today) & settled).tolist():
        day = int(churn[i]) - 719_163  # days since 1970
        counts = per_day.get(i, Counter())
        before = sum(n for d, n in counts.items() if day - 270 <= d < day - 120) / 150
        last = sum(n for d, n in counts.items() if day - 90 <= d < day) / 90
        if before > 0:
            ratios.append(last / before)
    assert len(ratios) >= 20
    ratio = np.array(ratios)
    assert np.exp(np.mean(np.log(np.maximum(ratio, 0.01)))) < 0.75  # geometric mean
    assert np.median(ratio) < 0.75
    assert np.mean(ratio < 1) > 0.6
    assert np.mean(ratio >= 0.9) > 0.03  # some churners give no warning

"""The hand-recorded signals the demo adds (champions leaving, CSM sentiment, onboarding
milestones, payment problems), checked on an in-memory plan large enough for stable
averages. Each check fails if the signal stops carrying (imperfect) information."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tenure.demo.plan import DemoPlan, build_plan
from tenure.demo.profile import DEFAULT_PROFILE, DemoOptions
from tenure.demo.signals import ONBOARDING_WINDOW_DAYS, SENTIMENTS
from tenure.lifecycle.service import MILESTONES

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return build_plan(DEFAULT_PROFILE, DemoOptions(accounts=3000, seed=11, as_of=AS_OF))


def _left_within(plan: DemoPlan, accounts: np.ndarray, ends: np.ndarray, days: int
                 ) -> float:
    """Share of `accounts` whose champion left in the `days` before their end day."""
    left = {c.account: c.day for c in plan.champion_changes}
    hits = [i in left and end - days <= left[i] < end
            for i, end in zip(accounts.tolist(), ends.tolist(), strict=True)]
    return float(np.mean(hits))


def test_champions_leave_more_often_before_churn(plan: DemoPlan) -> None:
    today, churn = plan.options.today, plan.contracts.churn_day
    since = plan.contracts.customer_since
    churners = np.flatnonzero((churn >= 0) & (churn <= today) & (churn - since > 200))
    stayers = np.flatnonzero(plan.active_today & (churn < 0) & (today - since > 200))
    assert churners.size > 100 and stayers.size > 300
    before_churn = _left_within(plan, churners, churn[churners], 180)
    otherwise = _left_within(plan, stayers, np.full(stayers.size, today), 180)
    assert before_churn > 3 * otherwise
    assert 0 < otherwise  # some champions of healthy customers leave too: not a sure sign
    assert before_churn < 0.6  # and most churners keep theirs: imperfect


def test_a_champion_who_left_keeps_the_role_and_some_are_replaced(plan: DemoPlan) -> None:
    c = plan.contacts
    left = np.asarray(c.left)
    assert len(plan.champion_changes) > 30
    for change in plan.champion_changes:
        assert c.role[change.former] == "champion" and left[change.former] == change.day
        assert plan.accounts.acquired[change.account] < change.day <= plan.options.today
        if change.successor >= 0:
            assert c.role[change.successor] == "champion" and left[change.successor] == -1
            assert c.created[change.successor] > change.day
    replaced = sum(change.successor >= 0 for change in plan.champion_changes)
    assert 0 < replaced < len(plan.champion_changes)
    current = [i for i, role in enumerate(c.role) if role == "champion" and left[i] < 0]
    accounts = [c.account[i] for i in current]
    assert len(accounts) == len(set(accounts))  # at most one current champion each


def test_milestones_follow_the_day_rules(plan: DemoPlan) -> None:
    m, since, today = plan.milestones, plan.contracts.customer_since, plan.options.today
    assert len(m) > 100
    days = np.array([t.day for t in MILESTONES])
    assert (m.due == since[m.account] + days[m.template]).all()
    assert (today - since[m.account] <= ONBOARDING_WINDOW_DAYS).all()
    new = np.flatnonzero((since >= 0) & (since <= today) & (today - since <= 120))
    assert set(np.unique(m.account).tolist()) == set(new.tolist())
    for account in np.unique(m.account)[:50].tolist():  # one row per template, in order
        assert m.template[m.account == account].tolist() == list(range(len(MILESTONES)))
    done = m.completed >= 0
    assert (m.completed[done] > since[m.account[done]]).all()
    assert (m.completed[done] <= today).all()
    assert done.any() and (~done & (m.due < today)).any()  # some done, some overdue


def test_weaker_health_means_later_or_missing_milestones(plan: DemoPlan) -> None:
    m, today = plan.milestones, plan.options.today
    due = m.due < today - 7
    health = plan.health.at(m.account, m.due)
    missing = (m.completed < 0) | (m.completed > m.due + 7)
    weak, strong = due & (health < -0.5), due & (health > 0.5)
    assert weak.sum() > 20 and strong.sum() > 20
    assert missing[weak].mean() > missing[strong].mean() + 0.15


def test_sentiment_reads_health_with_noise_and_is_sometimes_stale(plan: DemoPlan) -> None:
    s, today = plan.sentiment, plan.options.today
    given = s.value >= 0
    assert 0.3 < given.mean() < 0.95
    assert set(np.unique(s.value[given]).tolist()) == {0, 1, 2}
    since = plan.contracts.customer_since
    assert (s.day[given] >= since[given]).all() and (s.day[given] <= today).all()
    health = plan.health.at(np.flatnonzero(given), s.day[given])
    value = s.value[given]
    red, green = value == 0, value == 2
    assert health[red].mean() < health[green].mean() - 1.0
    assert 0.3 < np.corrcoef(health, value)[0, 1] < 0.9  # informative, not exact
    active = given & plan.active_today
    age = today - s.day[active]
    assert 0.1 < (age > 60).mean() < 0.5  # a good share is stale
    assert [plan.sentiment.label(i) for i in np.flatnonzero(given)[:5].tolist()][0] in SENTIMENTS


def test_payment_problems_follow_weak_health(plan: DemoPlan) -> None:
    inv = plan.invoices
    status = np.asarray(inv.status)
    problem = np.isin(status, ("failed", "overdue"))
    health = plan.health.at(inv.account, inv.issued)
    assert problem.any() and (status == "failed").any()
    assert problem[health < -1].mean() > 3 * problem[health > 1].mean()


def test_seat_reach_is_mostly_below_full(plan: DemoPlan) -> None:
    """Reach (share of seats that ever sign in) is below 0.9 for most accounts, so the
    seat-utilisation expansion signal picks out a minority."""
    from tenure.demo.randomness import sigmoid
    from tenure.demo.usage import UsageGenerator, UsageInputs

    import pyarrow as pa

    a = plan.accounts
    inputs = UsageInputs(1, plan.first_event_day, plan.options.today, a.tier, a.acquired,
                         pa.array(a.external_id, pa.string()), plan.contracts.terms,
                         plan.health)
    generator = UsageGenerator(plan.profile, inputs, np.random.default_rng(0))
    r0, r1 = plan.profile.usage.reach_logit
    today = plan.health.at(np.arange(a.n), np.full(a.n, plan.options.today))
    reach = sigmoid(r0 + r1 * today + generator.reach_offset)[plan.active_today]
    assert 0.03 < (reach >= 0.9).mean() < 0.25
    assert 0.5 < np.median(reach) < 0.8

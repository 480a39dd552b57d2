"""Build the whole demo company in memory (everything but usage events), from one seed.

Pure: no database, no clock. Tests use it directly at larger sizes to check the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tenure.demo import behaviour, billing, people, signals, worklist
from tenure.demo.contracts import ContractOutcome, simulate_contracts
from tenure.demo.customers import AccountPlan, build_accounts, first_day, history_start
from tenure.demo.health import HealthModel, add_declines, draw_health
from tenure.demo.profile import DAYS_PER_MONTH, DemoOptions, DemoProfile
from tenure.demo.randomness import streams
from tenure.lifecycle.service import MILESTONES as MILESTONE_TEMPLATES
from tenure.models.types import LifecycleStage


@dataclass
class DemoPlan:
    profile: DemoProfile
    options: DemoOptions
    accounts: AccountPlan
    health: HealthModel
    contracts: ContractOutcome
    declines: np.ndarray  # churners whose health visibly declines before churn
    staff: people.Staff
    owner: np.ndarray  # staff row index per account
    contacts: people.Contacts
    champion_changes: list[people.ChampionChange]
    invoices: billing.Invoices
    spend: list[tuple[int, float]]
    tickets: behaviour.Tickets
    surveys: behaviour.Surveys
    activities: behaviour.Activities
    tasks: worklist.Tasks
    sentiment: signals.Sentiment
    milestones: signals.Milestones
    stages: list[str]
    active_today: np.ndarray
    rngs: dict[str, np.random.Generator]

    @property
    def first_event_day(self) -> int:
        return history_start(self.profile, self.options)


def active_today(contracts: ContractOutcome, n: int, today: int) -> np.ndarray:
    t = contracts.terms
    start, end = np.asarray(t.start), np.asarray(t.end)
    live = (np.asarray(t.amount) > 0) & (start <= today) & ((end < 0) | (end > today))
    active = np.zeros(n, dtype=bool)
    active[np.asarray(t.account, dtype=np.int64)[live]] = True
    return active


def lifecycle_stages(contracts: ContractOutcome, active: np.ndarray, today: int) -> list[str]:
    t = contracts.terms
    renewing = set()
    for k in range(len(t)):
        if t.amount[k] > 0 and t.billing[k] != 1 and t.end[k] >= 0 and \
                today < t.end[k] <= today + 90:
            renewing.add(t.account[k])
    stages = []
    for i in range(active.size):
        since = int(contracts.customer_since[i])
        if not active[i]:
            stage = LifecycleStage.renewal if contracts.churn_day[i] < 0 else \
                LifecycleStage.churned
        elif today - since < 90:
            stage = LifecycleStage.onboarding
        elif i in renewing:
            stage = LifecycleStage.renewal
        else:
            stage = LifecycleStage.adoption if today - since < 365 else LifecycleStage.mature
        stages.append(stage.value)
    return stages


def _people(profile: DemoProfile, options: DemoOptions, accounts: AccountPlan,
            contracts: ContractOutcome, declines: np.ndarray, active: np.ndarray,
            rngs: dict[str, np.random.Generator]):  # type: ignore[no-untyped-def]
    high = np.array([profile.tiers[t].high_touch for t in accounts.tier.tolist()])
    staff = people.build_staff(profile, int((high & active).sum()), rngs["customers"])
    owner = people.assign_owners(profile, accounts, staff, rngs["customers"])
    contacts = people.build_contacts(profile, accounts, rngs["contacts"])
    changes = people.champions_leave(contacts, accounts, contracts.churn_day, declines,
                                     options.today, rngs["contacts"])
    return staff, owner, contacts, changes


def _work(profile: DemoProfile, options: DemoOptions, accounts: AccountPlan,
          contracts: ContractOutcome, health: HealthModel, active: np.ndarray,
          rngs: dict[str, np.random.Generator]):  # type: ignore[no-untyped-def]
    today = options.today
    months = behaviour.active_months(contracts.terms, health, first_day(profile, options),
                                     today, accounts.n)
    window = months.month >= history_start(profile, options) - 31
    recent = behaviour.AccountMonths(months.account[window], months.month[window],
                                     months.days[window], months.health[window])
    tickets = behaviour.build_tickets(profile, recent, accounts.tier, today * 86_400,
                                      rngs["tickets"])
    surveys = behaviour.build_surveys(recent, tickets, today * 86_400, rngs["surveys"])
    activities = behaviour.build_activities(profile, recent, accounts.tier, rngs["activities"])
    tasks = worklist.Tasks()
    enterprise = accounts.tier == 0
    worklist.renewal_tasks(tasks, contracts.terms, accounts.name, accounts.external_id,
                           enterprise, today)
    # Risk outreach tasks come from the early-warning engine (`tenure.demo.engine`).
    worklist.onboarding_tasks(tasks, contracts.customer_since, active, accounts.name,
                              accounts.external_id, today)
    worklist.follow_up_tasks(tasks, activities, today, rngs["tasks"])
    return tickets, surveys, activities, tasks


def build_plan(profile: DemoProfile, options: DemoOptions,
               step: Callable[[str], None] = lambda _: None) -> DemoPlan:
    """Build every operational record of the demo; `step(phase)` reports progress."""
    rngs = streams(options.seed)
    accounts = build_accounts(profile, options, rngs["customers"])
    origin = first_day(profile, options)
    months = int((options.today + profile.renewal.lookahead_days + 62 - origin)
                 / DAYS_PER_MONTH) + 2
    health = draw_health(accounts.n, origin, months, profile.health, rngs["health"])
    step("accounts")
    contracts = simulate_contracts(profile, options, accounts, health, rngs["contracts"])
    declines = add_declines(health, contracts.churn_day, profile.health, rngs["health"])
    active = active_today(contracts, accounts.n, options.today)
    step("terms")
    invoices = billing.build_invoices(contracts.terms, health, options, profile.billing,
                                      rngs["billing"])
    first_arr = _first_arr(contracts)
    spend = billing.monthly_spend(contracts.customer_since, first_arr, origin, options,
                                  profile.billing, rngs["billing"])
    step("invoices")
    staff, owner, contacts, changes = _people(profile, options, accounts, contracts,
                                              declines, active, rngs)
    step("people")
    tickets, surveys, activities, tasks = _work(profile, options, accounts, contracts,
                                                health, active, rngs)
    sentiment, milestones = _signals(profile, options, accounts, contracts, health, rngs)
    step("behaviour")
    return DemoPlan(profile, options, accounts, health, contracts, declines, staff, owner,
                    contacts, changes, invoices, spend, tickets, surveys, activities, tasks,
                    sentiment, milestones, lifecycle_stages(contracts, active, options.today),
                    active, rngs)


def _signals(profile: DemoProfile, options: DemoOptions, accounts: AccountPlan,
             contracts: ContractOutcome, health: HealthModel,
             rngs: dict[str, np.random.Generator]
             ) -> tuple[signals.Sentiment, signals.Milestones]:
    high = np.array([profile.tiers[t].high_touch for t in accounts.tier.tolist()], dtype=bool)
    since, churn = contracts.customer_since, contracts.churn_day
    sentiment = signals.csm_sentiment(health, high, since, churn, options.today,
                                      rngs["sentiment"])
    days = tuple(t.day for t in MILESTONE_TEMPLATES)
    milestones = signals.onboarding_milestones(health, since, churn, days, options.today,
                                               rngs["onboarding"])
    return sentiment, milestones


def _first_arr(contracts: ContractOutcome) -> np.ndarray:
    """ARR of each account's first paid term (0 if none)."""
    t = contracts.terms
    arr = np.zeros(contracts.customer_since.size)
    seen = np.zeros(contracts.customer_since.size, dtype=bool)
    for k in range(len(t)):
        i = t.account[k]
        if not seen[i] and t.amount[k] > 0:
            arr[i] = 12 * t.amount[k] / t.billing[k]
            seen[i] = True
    return arr

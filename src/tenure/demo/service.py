"""Generate the demo company into the operational database and the event store.

`generate_demo` flushes and never commits: the caller (the CLI) owns the transaction.
Operational rows go in with bulk Core inserts; usage events in large Arrow batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.demo import rows
from tenure.demo.behaviour import SECONDS_PER_DAY, Activities
from tenure.demo.people import SIGN_IN_USERS
from tenure.demo.plan import DemoPlan, build_plan
from tenure.demo.profile import DEFAULT_PROFILE, DemoOptions, DemoProfile
from tenure.demo.usage import UsageGenerator, UsageInputs, plan_sampling
from tenure.errors import Conflict
from tenure.kit import bulk
from tenure.lifecycle.service import MILESTONES as MILESTONE_TEMPLATES
from tenure.models import (
    Account,
    Activity,
    Contact,
    Invoice,
    MarketingSpend,
    OnboardingMilestone,
    SubscriptionTerm,
    SurveyResponse,
    Task,
    Ticket,
    User,
)
from tenure.usage.store import EventStore


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None:
        """Start a phase of `total` steps (replacing the previous one)."""

    def advance(self, steps: int = 1) -> None: ...


class NoProgress:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass(frozen=True)
class DemoSummary:
    accounts: int
    customers: int  # paying today
    arr: float
    terms: int
    contacts: int
    invoices: int
    tickets: int
    surveys: int
    activities: int
    tasks: int
    milestones: int
    champions_left: int
    events: int
    event_sample_rate: float
    sign_in: tuple[tuple[str, str, str], ...]  # (role, email, password)
    csms: int


# Tables the demo writes; any row in them means TENURE_HOME already holds data.
OPERATIONAL_TABLES = (Account, Contact, SubscriptionTerm, Invoice, Ticket, SurveyResponse,
                      Activity, Task, MarketingSpend, User, OnboardingMilestone)


def ensure_empty(session: Session, events: EventStore) -> None:
    for model in OPERATIONAL_TABLES:
        if session.execute(select(func.count()).select_from(model)).scalar_one():
            raise Conflict(
                f"the database already holds data (table {model.__tablename__}); the demo "
                "never mixes with real data: use `tenure demo --reset` to delete the "
                "embedded databases and rebuild, or point TENURE_HOME elsewhere")
    if events.stats().events:
        raise Conflict("the event store already holds events; use `tenure demo --reset` "
                       "or point TENURE_HOME elsewhere")


class _Writer:
    def __init__(self, session: Session, progress: Progress, batch_rows: int) -> None:
        self.session, self.progress, self.batch = session, progress, batch_rows

    def insert(self, model: type, columns: rows.Columns) -> None:
        bulk.append_columns(self.session, model, columns, self.batch, self.progress.advance)
        if "id" in columns:
            bulk.reset_id_sequence(self.session, model)


def _respondents(plan: DemoPlan) -> np.ndarray:
    """A contact of the account for each survey answer."""
    account = np.asarray(plan.contacts.account, dtype=np.int64)
    first = np.searchsorted(account[: _initial(plan)], np.arange(plan.accounts.n))
    count = np.bincount(account[: _initial(plan)], minlength=plan.accounts.n)
    who = plan.surveys.account
    u = plan.rngs["surveys"].random(who.size)
    return first[who] + (u * count[who]).astype(np.int64)


def _activity_contacts(plan: DemoPlan) -> np.ndarray:
    """Who each call, meeting or email was with (-1 for notes): the champion 60% of the
    time, else another of the account's first contacts; the decision maker instead of a
    champion who had left by then."""
    account = np.asarray(plan.contacts.account, dtype=np.int64)
    first = np.searchsorted(account[: _initial(plan)], np.arange(plan.accounts.n))
    count = np.bincount(account[: _initial(plan)], minlength=plan.accounts.n)
    acts = plan.activities
    who = acts.account
    rng = plan.rngs["activities"]
    other = first[who] + 1 + (rng.random(who.size) * (count[who] - 1)).astype(np.int64)
    contact = np.where(rng.random(who.size) < 0.6, first[who], other)
    left = np.asarray(plan.contacts.left, dtype=np.int64)[contact]
    gone = (left >= 0) & (acts.at // SECONDS_PER_DAY >= left)
    contact = np.where(gone, first[who] + 1, contact)
    return np.where(np.asarray(acts.kind) == "note", -1, contact)


def _initial(plan: DemoPlan) -> int:
    """Contacts before the first replacement champion (those are in account order)."""
    successors = [c.successor for c in plan.champion_changes if c.successor >= 0]
    return min(successors) if successors else len(plan.contacts)


def _champion_notes(plan: DemoPlan) -> Activities:
    changes = plan.champion_changes
    c = plan.contacts
    return Activities(
        np.array([x.account for x in changes], dtype=np.int64),
        np.array([x.day * SECONDS_PER_DAY + 34_200 for x in changes], dtype=np.int64),
        ["note"] * len(changes),
        [f"Champion {c.first_name[x.former]} {c.last_name[x.former]} left the company"
         for x in changes])


def _operational_rows(plan: DemoPlan) -> int:
    return (len(plan.staff.rows) + plan.accounts.n + len(plan.contacts)
            + len(plan.contracts.terms) + len(plan.invoices) + len(plan.spend)
            + len(plan.tickets.account) + len(plan.surveys.account)
            + len(plan.activities.account) + len(plan.champion_changes) + len(plan.tasks)
            + len(plan.milestones))


def write_operational(session: Session, plan: DemoPlan, progress: Progress,
                      batch_rows: int) -> None:
    """Every operational row, with explicit ids (the tables are empty), through the
    driver's fastest bulk path (see `tenure.kit.bulk.append_columns`)."""
    w = _Writer(session, progress, max(batch_rows, 100_000))
    progress.phase("operational records", _operational_rows(plan))
    owner_ids = plan.owner + 1
    segments = [plan.profile.tiers[t].segment.value for t in plan.accounts.tier.tolist()]
    contact_ids = rows.ids(len(plan.contacts))
    with bulk.sqlite_bulk_load(session):
        w.insert(User, rows.user_columns(plan.staff.rows, plan.options.today))
        w.insert(Account, rows.account_columns(
            plan.accounts, segments, owner_ids, plan.stages, plan.contracts.customer_since,
            plan.sentiment))
        w.insert(Contact, rows.contact_columns(plan.contacts))
        w.insert(SubscriptionTerm, rows.term_columns(plan.contracts.terms))
        w.insert(Invoice, rows.invoice_columns(plan.invoices))
        w.insert(MarketingSpend, rows.spend_columns(plan.spend))
        w.insert(Ticket, rows.ticket_columns(plan.tickets))
        w.insert(SurveyResponse, rows.survey_columns(plan.surveys, contact_ids,
                                                     plan.contacts.email, _respondents(plan)))
        w.insert(Activity, rows.activity_columns(plan.activities, owner_ids,
                                                 _activity_contacts(plan)))
        w.insert(Activity, rows.activity_columns(_champion_notes(plan), owner_ids))
        w.insert(Task, rows.task_columns(plan.tasks, owner_ids))
        w.insert(OnboardingMilestone, rows.milestone_columns(
            plan.milestones, [t.key for t in MILESTONE_TEMPLATES],
            [t.name for t in MILESTONE_TEMPLATES], plan.contracts.customer_since))
    session.flush()


def write_events(events: EventStore, plan: DemoPlan, progress: Progress,
                 batch_rows: int) -> tuple[int, float]:
    a = plan.accounts
    inputs = UsageInputs(plan.options.seed, plan.first_event_day, plan.options.today, a.tier,
                         a.acquired, pa.array(a.external_id, pa.string()),
                         plan.contracts.terms, plan.health)
    generator = UsageGenerator(plan.profile, inputs, plan.rngs["usage"])
    rate = plan_sampling(generator, plan.profile.usage.max_events)
    batch_rows = max(batch_rows, plan.profile.usage.min_event_batch_rows)
    progress.phase("usage events", plan.options.today - plan.first_event_day)
    stored, done, pending = 0, plan.first_event_day, []
    for window_end, table in generator.batches(batch_rows):
        pending.append(table)
        if sum(t.num_rows for t in pending) >= batch_rows:
            stored += events.append(pa.concat_tables(pending), deduplicate=False)
            pending = []
        progress.advance(window_end - done)
        done = window_end
    if pending:
        stored += events.append(pa.concat_tables(pending), deduplicate=False)
    return stored, rate


def _arr_today(plan: DemoPlan) -> float:
    t, today = plan.contracts.terms, plan.options.today
    return sum(12 * t.amount[k] / t.billing[k] for k in range(len(t))
               if t.start[k] <= today and (t.end[k] < 0 or t.end[k] > today))


def generate_demo(session: Session, events: EventStore, options: DemoOptions,
                  progress: Progress | None = None, batch_rows: int = 50_000,
                  profile: DemoProfile = DEFAULT_PROFILE) -> DemoSummary:
    """Generate the demo company. The databases must be migrated and empty."""
    progress = progress or NoProgress()
    ensure_empty(session, events)
    progress.phase("building the company", 5)
    plan = build_plan(profile, options, lambda _: progress.advance())
    write_operational(session, plan, progress, batch_rows)
    stored, rate = write_events(events, plan, progress, batch_rows)
    return DemoSummary(
        accounts=plan.accounts.n, customers=int(plan.active_today.sum()),
        arr=round(_arr_today(plan), 2), terms=len(plan.contracts.terms),
        contacts=len(plan.contacts), invoices=len(plan.invoices),
        tickets=len(plan.tickets.account), surveys=len(plan.surveys.account),
        activities=len(plan.activities.account) + len(plan.champion_changes),
        tasks=len(plan.tasks), milestones=len(plan.milestones),
        champions_left=len(plan.champion_changes), events=stored, event_sample_rate=rate,
        sign_in=tuple((role.value, email, password)
                      for role, email, password, _ in SIGN_IN_USERS),
        csms=len(plan.staff.named_csms) + len(plan.staff.pool_csms),
    )

"""The demo's bulk writer and the engine steps after generation, on SQLite and
PostgreSQL: values round-trip as SQLAlchemy would write them, id sequences continue
after explicit ids, demo users sign in, and the engine fills health history, alerts and
tasks (or skips a missing step with a note)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select

from tenure.demo import engine
from tenure.demo.profile import DemoOptions
from tenure.demo.service import NoProgress, generate_demo
from tenure.kit import bulk
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import (
    Account,
    Activity,
    Alert,
    Contact,
    HealthSnapshot,
    Invoice,
    OnboardingMilestone,
    Task,
    User,
)
from tenure.users import service as users

AS_OF = date(2026, 6, 30)


def test_append_columns_round_trips_and_ids_continue(context: AppContext) -> None:
    times = np.array(["2026-01-02T03:04:05", "NaT"], dtype="datetime64[s]")
    with unit_of_work(context.sessions) as session:
        with bulk.sqlite_bulk_load(session):
            bulk.append_columns(session, User, {
                "id": [7, 8], "email": ["a@x.dev", "b@x.dev"], "name": ["A", None],
                "created_at": times[[0, 0]], "updated_at": times[[0, 0]]})
            bulk.reset_id_sequence(session, User)
            bulk.append_columns(session, Account, {
                "id": [1, 2], "external_id": ["A-1", "A-2"], "name": ["One", "Two"],
                "owner_id": np.array([7, 8]), "customer_since": times,
                "created_at": times[[0, 0]], "updated_at": times[[0, 0]]}, chunk_rows=1)
            bulk.append_columns(session, Invoice, {
                "external_id": ["I-1"], "account_id": [1], "amount": np.array([12.34]),
                "issued_on": np.array(["2026-01-02"], dtype="datetime64[D]"),
                "due_on": np.array(["NaT"], dtype="datetime64[D]"),
                "created_at": times[:1], "updated_at": times[:1]})
    with unit_of_work(context.sessions) as session:
        added = users.create_user(session, users.UserCreate(
            email="c@x.dev", password="long-enough-password", role="viewer"))
        assert added.id == 9  # the sequence continued after the explicit ids
        a, b = session.scalars(select(User).where(User.id < 9).order_by(User.id)).all()
        assert (a.role, a.is_active, b.name) == ("csm", True, None)  # scalar defaults filled
        one, two = session.scalars(select(Account).order_by(Account.id)).all()
        since = one.customer_since.replace(tzinfo=one.customer_since.tzinfo or UTC)
        assert since == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert two.customer_since is None and two.owner_id == 8
        invoice = session.scalars(select(Invoice)).one()
        assert invoice.amount == Decimal("12.34") and invoice.issued_on == date(2026, 1, 2)
        assert invoice.due_on is None and (invoice.currency, invoice.status) == ("USD", "open")


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _generate(context: AppContext, accounts: int = 60) -> None:
    context.events.ensure_schema()
    with unit_of_work(context.sessions) as session:
        generate_demo(session, context.events, DemoOptions(accounts, 3, AS_OF))


def test_demo_rows_and_users_per_role_sign_in(context: AppContext) -> None:
    _generate(context)
    with unit_of_work(context.sessions) as session:
        for email, password, role in (("admin@demo.tenure.dev", "demo-admin", "admin"),
                                      ("manager@demo.tenure.dev", "demo-manager", "manager"),
                                      ("csm@demo.tenure.dev", "demo-csm", "csm"),
                                      ("viewer@demo.tenure.dev", "demo-viewer", "viewer")):
            user = users.authenticate(session, email, password)
            assert user is not None and user.role == role
        assert users.authenticate(session, "admin@demo.tenure.dev", "demo-csm") is None
        csms = session.scalars(select(User.id).where(User.role == "csm")).all()
        owners = session.execute(select(Account.owner_id, func.count())
                                 .group_by(Account.owner_id)).all()
        assert {owner for owner, _ in owners} <= set(csms)
        named = session.scalar(select(func.count()).select_from(User).where(
            User.role == "csm", User.email.not_like("digital-cs-%")))
        assert named is not None and named >= 2  # at least two books of business
        left = session.scalars(select(Contact).where(Contact.left_at.is_not(None))).all()
        assert all(c.role == "champion" for c in left)
        sentiments = session.scalars(select(Account.csm_sentiment).distinct()).all()
        assert set(sentiments) - {None} <= {"red", "yellow", "green"}
        touches = session.execute(select(Activity.account_id, Activity.kind,
                                         Activity.occurred_at, Contact.account_id,
                                         Contact.left_at)
                                  .join(Contact, Contact.id == Activity.contact_id)).all()
        assert touches and all(mine == theirs and kind != "note"
                               and (gone is None or _utc(gone) > _utc(at))
                               for mine, kind, at, theirs, gone in touches)
        milestones = session.scalars(select(OnboardingMilestone)).all()
        assert milestones and all(m.completed_on is None or m.completed_on <= AS_OF
                                  for m in milestones)


class _Broken(engine.Step):
    name = "broken"

    def run(self, run: engine.EngineRun) -> str:
        raise RuntimeError("first line\nthe last line says why")


class _Missing(engine.Step):
    name = "missing"

    def run(self, run: engine.EngineRun) -> str:
        engine._lookup("tenure.health.service", "no_such_function")
        return "never"


class _After(engine.Step):
    name = "after"
    needs = ("missing",)


def test_engine_skips_and_reports_steps(context: AppContext) -> None:
    outcomes = engine.run_engine(context, AS_OF, 10, NoProgress(),
                                 (_Broken(), _Missing(), _After()))
    assert [(o.name, o.status) for o in outcomes] == [
        ("broken", "failed"), ("missing", "skipped"), ("after", "skipped")]
    assert outcomes[0].note == "the last line says why"
    assert "no_such_function does not exist yet" in outcomes[1].note
    assert outcomes[2].note == "needs missing"


def test_engine_skips_churn_training_for_large_demos(context: AppContext) -> None:
    class Train(engine.TrainChurn):
        needs = ()

    (outcome,) = engine.run_engine(context, AS_OF, engine.CHURN_MAX_ACCOUNTS + 1,
                                   NoProgress(), (Train(),))
    assert outcome.status == "skipped" and "tenure jobs run train-churn-model" in outcome.note


def test_history_days_keep_the_comparison_days_and_fit_the_budget() -> None:
    days = engine.history_days(AS_OF, 500)
    assert days[-1] == AS_OF and len(days) == len(set(days))
    for back in (7, 30, 91, 1, 13):
        assert date.fromordinal(AS_OF.toordinal() - back) in days
    big = engine.history_days(AS_OF, 100_000)
    assert len(big) * 100_000 <= engine.HISTORY_BUDGET
    assert big[-1] == AS_OF and date(2026, 6, 23) in big
    assert engine.history_days(AS_OF, 10**9) == [AS_OF]
    mid = engine.history_days(AS_OF, 20_000)
    assert date(2026, 3, 31) in mid and date(2026, 6, 29) not in mid  # weekly before daily


def test_day_runs_group_consecutive_days() -> None:
    days = [date(2026, 6, d) for d in (1, 2, 3, 10, 12, 13)]
    assert engine.day_runs(days) == [(date(2026, 6, 1), date(2026, 6, 3)),
                                     (date(2026, 6, 10), date(2026, 6, 10)),
                                     (date(2026, 6, 12), date(2026, 6, 13))]
    assert engine.day_runs([]) == []


def test_engine_fills_health_history_alerts_and_tasks(context: AppContext) -> None:
    _generate(context, accounts=40)
    steps = tuple(s for s in engine.STEPS if s.name in (
        "usage rollups", "health scores", "early warnings"))
    outcomes = {o.name: o for o in engine.run_engine(context, AS_OF, 40, NoProgress(), steps)}
    assert outcomes["usage rollups"].status == "done", outcomes
    assert outcomes["health scores"].status == "done", outcomes
    with unit_of_work(context.sessions) as session:
        days = session.scalars(select(HealthSnapshot.as_of).distinct()).all()
        assert set(days) == set(engine.history_days(AS_OF, 40))
        scored = session.scalar(select(func.count()).select_from(HealthSnapshot).where(
            HealthSnapshot.as_of == AS_OF, HealthSnapshot.score.is_not(None)))
        assert scored and scored > 10
        if outcomes["early warnings"].status == "done":
            alerts = session.scalars(select(Alert)).all()
            assert alerts and all(a.fired_on == AS_OF for a in alerts)
            task_ids = {a.task_id for a in alerts} - {None}
            owners = session.scalars(select(Task.owner_id).where(Task.id.in_(task_ids))).all()
            assert owners and all(owner is not None for owner in owners)


def test_jobs_run_on_the_as_of_day_with_real_durations() -> None:
    run = engine.EngineRun(None, AS_OF, 1, NoProgress(), set())  # type: ignore[arg-type]
    first = run.clock()
    later = run.clock()
    assert first.date() == AS_OF and first.tzinfo is not None and later >= first
    today = engine.EngineRun(None, datetime.now(UTC).date(), 1, NoProgress(), set())  # type: ignore[arg-type]
    assert abs((today.clock() - datetime.now(UTC)).total_seconds()) < 5

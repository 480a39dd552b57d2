"""A small book of business for web tests, written through the ORM the way the engine
and imports store it: three accounts owned by one CSM, terms, two days of health
snapshots, a churn score, an alert, tasks, a note and survey answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import (
    Account, Activity, Alert, ChurnScore, Contact, HealthSnapshot, SubscriptionTerm,
    SurveyResponse, Task, User,
)


@dataclass(frozen=True)
class Book:
    today: date
    task_ids: dict[str, int]  # account external_id -> its open task


def _measures(usage_score: float) -> str:
    return json.dumps([
        {"name": "login_days", "group": "usage", "value": 3.0, "score": usage_score,
         "weight": 0.6, "contribution": 0.6 * usage_score},
        {"name": "latest_nps", "group": "voice", "value": 9.0, "score": 90.0,
         "weight": 0.4, "contribution": 36.0},
    ])


def seed_book(context: AppContext, owner_email: str, today: date) -> Book:
    """ACME (red, renews in 20 days, $120k ARR), BETA (green, renews in 100 days,
    $24k), GAMMA (yellow, no health yesterday, renews in 300 days, $60k)."""
    specs = [("ACME", "Acme Corp", "enterprise", 20, Decimal("10000"), "red", 30.0),
             ("BETA", "Beta Labs", "smb", 100, Decimal("2000"), "green", 90.0),
             ("GAMMA", "Gamma Inc", "mid_market", 300, Decimal("5000"), "yellow", 60.0)]
    task_ids = {}
    with unit_of_work(context.sessions) as session:
        owner = session.query(User).filter(User.email == owner_email).one()
        for ext, name, segment, renews_in, monthly, grade, usage in specs:
            account = Account(external_id=ext, name=name, segment=segment, owner_id=owner.id,
                              lifecycle_stage="mature")
            session.add(account)
            session.flush()
            session.add(SubscriptionTerm(
                external_id=f"T-{ext}", account_id=account.id, plan="pro",
                start_date=today - timedelta(days=365 - renews_in),
                end_date=today + timedelta(days=renews_in), amount=monthly,
                billing_period_months=1, quantity=10, currency="USD"))
            score = 0.6 * usage + 36.0
            session.add(HealthSnapshot(account_id=account.id, as_of=today, scorecard="default",
                                       scorecard_version=1, score=score, grade=grade,
                                       measures=_measures(usage)))
            if ext != "GAMMA":
                session.add(HealthSnapshot(account_id=account.id, as_of=today - timedelta(days=7),
                                           scorecard="default", scorecard_version=1,
                                           score=score + 10, grade="green",
                                           measures=_measures(usage + 16)))
            task = Task(account_id=account.id, owner_id=owner.id, type="manual",
                        title=f"Call {name}", priority="high" if ext == "ACME" else "low",
                        due_on=today + timedelta(days=2), status="open")
            session.add(task)
            session.flush()
            task_ids[ext] = task.id
            session.add(Contact(external_id=f"C-{ext}", account_id=account.id,
                                email=f"champion@{ext.lower()}.test", first_name="Chris",
                                last_name=ext.title(), role="champion"))
            session.add(SurveyResponse(external_id=f"S-{ext}", account_id=account.id, kind="nps",
                                       score=8, responded_at=datetime.now(UTC) - timedelta(days=3),
                                       comment=f"Fine, says {name}"))
        acme = session.query(Account).filter(Account.external_id == "ACME").one()
        session.add(ChurnScore(account_id=acme.id, scored_on=today, model_version=3,
                               probability=0.42, drivers=json.dumps(
                                   [{"feature": "login_days", "value": 3.0, "effect": 0.12}])))
        session.add(Alert(account_id=acme.id, rule="usage_drop", reason="Logins fell by half",
                          fired_on=today, inputs=json.dumps({"drop": 0.5}),
                          dedup_key="usage_drop:ACME"))
        session.add(Activity(account_id=acme.id, kind="call", author_id=owner.id,
                             occurred_at=datetime.now(UTC) - timedelta(days=1),
                             subject="Quarterly check-in", body="Quarterly check-in"))
    return Book(today=today, task_ids=task_ids)

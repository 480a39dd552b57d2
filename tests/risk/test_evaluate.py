"""Evaluating the rules: alerts with their inputs, one task per (account, rule, reason),
snooze, re-fire after a closed task, idempotent re-runs, rules.yaml."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tenure.errors import Invalid
from tenure.kit.db import unit_of_work
from tenure.kit.pagination import PageParams
from tenure.models import Alert, Task
from tenure.risk import service
from tenure.risk.config import load_rules
from tenure.tasks import service as tasks
from tests.risk import factories as f

DAY = date(2025, 6, 10)


def setup_detractor(context) -> tuple[int, int]:
    with unit_of_work(context.sessions) as s:
        owner = f.user(s, "ana@example.com")
        a = f.account(s, "acme", owner=owner)
        f.term(s, a, date(2025, 1, 1))  # no seats: the usage rules stay quiet
        f.nps(s, a, 2, DAY - timedelta(days=3))
        return a.id, owner.id


def evaluate(context, day: date = DAY):
    with unit_of_work(context.sessions) as s:
        return service.evaluate(context, s, day)


def counts(context) -> tuple[int, int]:
    with unit_of_work(context.sessions) as s:
        return s.scalar(select(func.count()).select_from(Alert)), s.scalar(select(func.count()).select_from(Task))


def test_firing_records_inputs_and_opens_one_task_for_the_owner(context) -> None:
    account_id, owner_id = setup_detractor(context)
    first = evaluate(context)
    assert (first.fired, first.alerts, first.tasks_opened) == (1, 1, 1)
    assert not first.health_available  # no health snapshots stored
    with unit_of_work(context.sessions) as s:
        alert = s.scalars(select(Alert)).one()
        task = s.get(Task, alert.task_id)
        assert json.loads(alert.inputs)["score"] == 2
        assert (alert.rule, alert.account_id, alert.fired_on) == ("nps_detractor", account_id, DAY)
        assert (task.owner_id, task.status, task.dedup_key) == (owner_id, "open", alert.dedup_key)
        assert task.due_on == DAY + timedelta(days=3)
        page = service.list_alerts(s, "acme", None, PageParams())
    assert page.items[0].owner_email == "ana@example.com" and page.items[0].task_status == "open"
    # The same day again, and the next day while the task is open: nothing new.
    evaluate(context)
    again = evaluate(context, DAY + timedelta(days=1))
    assert again.rules[[r.rule for r in again.rules].index("nps_detractor")].already_open == 1
    assert counts(context) == (1, 1)


def test_snoozed_task_is_neither_reopened_nor_duplicated(context) -> None:
    setup_detractor(context)
    evaluate(context)
    with unit_of_work(context.sessions) as s:
        task_id = s.scalars(select(Task.id)).one()
        tasks.snooze(s, task_id, DAY + timedelta(days=30), DAY)
    evaluate(context, DAY + timedelta(days=2))
    with unit_of_work(context.sessions) as s:
        task = s.get(Task, task_id)
        assert (task.status, task.snoozed_until) == ("open", DAY + timedelta(days=30))
    assert counts(context) == (1, 1)


def test_closed_task_refires_only_after_the_cooldown(context) -> None:
    setup_detractor(context)
    evaluate(context)
    with unit_of_work(context.sessions) as s:
        task_id = s.scalars(select(Task.id)).one()
        tasks.complete(s, task_id)
        s.get(Task, task_id).completed_at = f.at(DAY)  # closed on DAY
    cooling = evaluate(context, DAY + timedelta(days=29))
    assert cooling.alerts == 0 and counts(context) == (1, 1)
    refire = evaluate(context, DAY + timedelta(days=31))
    assert (refire.alerts, refire.tasks_opened) == (1, 1)
    assert counts(context) == (2, 2)


def test_closed_task_refires_at_once_without_cooldown(context) -> None:
    setup_detractor(context)
    (context.settings.home).mkdir(parents=True, exist_ok=True)
    (context.settings.home / "rules.yaml").write_text("refire_after_days: 0\n")
    evaluate(context)
    with unit_of_work(context.sessions) as s:
        tasks.complete(s, s.scalars(select(Task.id)).one())
    assert evaluate(context, DAY + timedelta(days=1)).tasks_opened == 1


def test_rules_yaml_overrides_and_disables(context) -> None:
    setup_detractor(context)
    home = context.settings.home
    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.yaml").write_text("rules:\n  nps_detractor:\n    max_score: 1\n")
    assert evaluate(context).fired == 0
    (home / "rules.yaml").write_text("rules:\n  nps_detractor:\n    enabled: false\n")
    assert "nps_detractor" not in [r.rule for r in evaluate(context).rules]
    listed = service.list_rules(context)
    assert listed.source == str(home / "rules.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  nope: {}\n", "rules.nope: unknown rule"),
        ("rules:\n  usage_decline:\n    months: two\n", "rules.usage_decline.months: expected a number"),
        ("rules:\n  usage_decline:\n    weeks: 2\n", "rules.usage_decline.weeks: unknown threshold"),
        ("refire_after_days: -1\n", "refire_after_days: expected a number"),
        ("rules: [\n", "not valid YAML"),
        ("colour: red\n", "colour: unknown key"),
    ],
)
def test_bad_rules_yaml_names_the_path(tmp_path, text: str, message: str) -> None:
    (tmp_path / "rules.yaml").write_text(text)
    with pytest.raises(Invalid) as error:
        load_rules(tmp_path)
    assert message in error.value.message and str(tmp_path / "rules.yaml") in error.value.message


def snapshot(s, account_id: int, day: date, score: float, grade: str) -> None:
    from tenure.models import HealthSnapshot

    s.add(HealthSnapshot(account_id=account_id, as_of=day, scorecard="default",
                         scorecard_version=1, score=score, grade=grade, measures="[]"))  # fmt: skip


def test_health_rules_read_the_real_health_scores(context) -> None:
    with unit_of_work(context.sessions) as s:
        owner = f.user(s)
        dropped = f.account(s, "dropped", owner=owner)
        f.term(s, dropped, date(2025, 1, 1))
        renewing = f.account(s, "renewing", owner=owner)
        f.term(s, renewing, date(2024, 9, 1), DAY + timedelta(days=60))
        stale = f.account(s, "stale", owner=owner)
        f.term(s, stale, date(2025, 1, 1))
        snapshot(s, dropped.id, DAY - timedelta(days=30), 90, "green")
        snapshot(s, dropped.id, DAY, 70, "yellow")
        snapshot(s, renewing.id, DAY - timedelta(days=30), 72, "yellow")
        snapshot(s, renewing.id, DAY, 70, "yellow")
        snapshot(s, stale.id, DAY - timedelta(days=8), 10, "red")  # too old to count on DAY
    result = evaluate(context)
    assert result.health_available
    with unit_of_work(context.sessions) as s:
        fired = {(a.rule, a.reason): json.loads(a.inputs) for a in s.scalars(select(Alert))}
    assert set(fired) == {("health_decline", "health dropped"),
                          ("renewal_at_risk", f"renewal {DAY + timedelta(days=60)}")}  # fmt: skip
    assert fired[("health_decline", "health dropped")]["drop"] == 20
    assert fired[("renewal_at_risk", f"renewal {DAY + timedelta(days=60)}")]["grade"] == "yellow"

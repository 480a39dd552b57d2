"""Early warning: evaluate the rules for every account on a date, record each new firing
as an alert with its inputs and open one task per (account, rule, reason) for the owner.

A firing is new when no open task (snoozed or not) has its dedup key, no alert of the key
was already recorded that day, and no task of the key was closed within
`refire_after_days`. Repeated firings while the task is open are counted, not stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from tenure.kit.context import AppContext
from tenure.kit.pagination import Page, PageParams
from tenure.risk import repository
from tenure.risk.config import RuleSet, load_rules
from tenure.risk.health_source import health_source
from tenure.risk.inputs import RiskData, load_data, usage_window
from tenure.risk.rules import Rule
from tenure.risk.schemas import AlertOut, EvaluationOut, RuleCount, RuleOut, RulesOut
from tenure.tasks import service as tasks

Progress = Callable[[str], None]


def list_rules(context: AppContext) -> RulesOut:
    ruleset = load_rules(context.settings.home)
    return RulesOut(
        source=ruleset.source, refire_after_days=ruleset.refire_after_days,
        rules=[
            RuleOut(name=r.name, title=r.title, kind=r.kind, priority=r.priority,
                    description=r.description, thresholds=r.params)
            for r in ruleset.rules
        ],
    )  # fmt: skip


def usage_months(ruleset: RuleSet) -> int:
    return max([int(r.params.get("months", 1)) for r in ruleset.rules] + [1])


def fire_all(data: RiskData, rules: list[Rule], as_of: date) -> pd.DataFrame:
    """Every rule's firings on `as_of`: account_id, rule, reason, inputs."""
    frames = [rule.evaluate(data, as_of).assign(rule=rule.name) for rule in rules]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["account_id", "reason", "inputs", "rule"])
    return pd.concat(frames, ignore_index=True)


def dedup_key(rule: str, account_id: int, reason: str) -> str:
    return f"risk:{rule}:{account_id}:{reason}"[:300]


def evaluate(
    context: AppContext, session: Session, as_of: date, progress: Progress | None = None
) -> EvaluationOut:
    ruleset = load_rules(context.settings.home)
    start, end = usage_window(as_of, usage_months(ruleset))
    source = health_source(session)
    data = load_data(context, session, start, end, health=source)
    fired = fire_all(data, ruleset.rules, as_of)
    if progress:
        progress(f"{len(fired)} firings")
    counts = {r.name: RuleCount(rule=r.name, fired=0, alerts=0, tasks_opened=0,
                                already_open=0, cooling_down=0) for r in ruleset.rules}  # fmt: skip
    record(session, data, ruleset, fired, as_of, counts)
    rows = list(counts.values())
    health = data.health_on(as_of)
    return EvaluationOut(
        as_of=as_of, health_available=health is not None and not health.empty,
        fired=sum(r.fired for r in rows),
        alerts=sum(r.alerts for r in rows), tasks_opened=sum(r.tasks_opened for r in rows),
        rules=rows,
    )


def record(
    session: Session, data: RiskData, ruleset: RuleSet, fired: pd.DataFrame, as_of: date,
    counts: dict[str, RuleCount],
) -> None:
    """Store new firings as alerts and open (or find) their tasks."""
    if fired.empty:
        return
    keys = [dedup_key(r, int(a), s) for r, a, s in
            zip(fired["rule"], fired["account_id"], fired["reason"])]  # fmt: skip
    fired = fired.assign(key=keys)
    today = repository.alert_keys_on(session, as_of)
    open_keys = tasks.open_keys(session, keys)
    cooling = _cooling(session, keys, as_of, ruleset.refire_after_days)
    owners = tasks.account_owners(session, fired["account_id"].astype(int).tolist())
    names = data.accounts.set_index("account_id")["external_id"]
    rules = {r.name: r for r in ruleset.rules}
    alerts: list[dict[str, Any]] = []
    for row in fired.itertuples():
        count = counts[row.rule]
        count.fired += 1
        if row.key in open_keys:
            count.already_open += 1
        elif row.key in cooling:
            count.cooling_down += 1
        elif row.key not in today:
            account_id = int(row.account_id)
            task_id, created = _open_task(session, rules[row.rule], row, as_of,
                                          names.get(account_id, account_id), owners.get(account_id))  # fmt: skip
            open_keys[row.key] = task_id
            today.add(row.key)
            count.alerts += 1
            count.tasks_opened += int(created)
            alerts.append({"account_id": account_id, "rule": row.rule, "reason": row.reason[:300],
                           "fired_on": as_of, "inputs": row.inputs, "task_id": task_id,
                           "dedup_key": row.key})  # fmt: skip
    repository.add_alerts(session, alerts)


def _cooling(session: Session, keys: list[str], as_of: date, days: int) -> set[str]:
    """Keys whose task was closed within the last `days` days (no re-fire yet)."""
    if not days:
        return set()
    since = datetime.combine(as_of - timedelta(days=days), datetime.min.time(), UTC)
    return repository.recently_closed_keys(session, keys, since)


def _open_task(
    session: Session, rule: Rule, row: Any, as_of: date, account_name: object,
    owner_id: int | None,
) -> tuple[int, bool]:
    task, created = tasks.open_deduplicated(
        session, account_id=int(row.account_id), dedup_key=row.key,
        title=f"{rule.title}: {account_name}",
        reason=f"{row.reason}: {json.dumps(row.inputs, default=str)}"[:2000],
        type=f"{rule.kind}:{rule.name}"[:40], priority=rule.priority,
        due_on=as_of + timedelta(days=rule.due_days), owner_id=owner_id,
    )
    return task.id, created


def list_alerts(
    session: Session, account: str | None, rule: str | None, page: PageParams
) -> Page[AlertOut]:
    rows, total = repository.list_alerts(session, account, rule, page.limit, page.offset)
    items = [
        AlertOut(
            id=alert.id, account_external_id=external_id, rule=alert.rule, reason=alert.reason,
            fired_on=alert.fired_on, inputs=json.loads(alert.inputs), task_id=alert.task_id,
            task_status=status, owner_email=email,
        )
        for alert, external_id, status, email in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)

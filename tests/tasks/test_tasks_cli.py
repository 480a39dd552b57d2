"""`tenure tasks ...` and `tenure risk ...` through the real console script."""

from __future__ import annotations

import json
from datetime import date, timedelta

from tenure.kit.db import unit_of_work
from tests.cli_runner import run_tenure
from tests.risk import factories as f


def seed(context) -> None:
    today = date.today()
    with unit_of_work(context.sessions) as s:
        ana = f.user(s, "ana@example.com")
        f.user(s, "bo@example.com")
        a = f.account(s, "acme", owner=ana)
        f.term(s, a, today - timedelta(days=200))
        f.nps(s, a, 1, today - timedelta(days=2))


def test_risk_and_tasks_commands(context, env_for) -> None:
    seed(context)
    evaluated = run_tenure("risk", "evaluate", "--json", env=env_for)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["tasks_opened"] == 1
    alerts = json.loads(run_tenure("risk", "alerts", "--account", "acme", "--json", env=env_for).stdout)
    assert alerts["items"][0]["rule"] == "nps_detractor" and alerts["items"][0]["inputs"]["score"] == 1
    rules = json.loads(run_tenure("risk", "rules", "--json", env=env_for).stdout)
    assert {r["name"] for r in rules["rules"]} >= {"usage_decline", "expansion_seats"}

    listed = json.loads(run_tenure("tasks", "list", "--owner", "ana@example.com", "--json", env=env_for).stdout)
    task_id = str(listed["items"][0]["id"])
    assigned = run_tenure("tasks", "assign", task_id, "--owner", "bo@example.com", "--json", env=env_for)
    assert json.loads(assigned.stdout)["owner_email"] == "bo@example.com"
    until = str(date.today() + timedelta(days=7))
    snoozed = json.loads(run_tenure("tasks", "snooze", task_id, "--until", until, "--json", env=env_for).stdout)
    assert snoozed["snoozed_until"] == until
    done = run_tenure("tasks", "complete", task_id, env=env_for)
    assert done.returncode == 0 and "done" in done.stdout
    table = run_tenure("tasks", "list", "--status", "done", env=env_for)
    assert "acme" in table.stdout


def test_errors_are_one_line_on_stderr(context, env_for) -> None:
    seed(context)
    missing = run_tenure("tasks", "complete", "999", env=env_for)
    assert missing.returncode != 0 and missing.stderr.strip() == "error: no task with id 999"
    bad_date = run_tenure("risk", "evaluate", "--as-of", "2025-13-01", env=env_for)
    assert bad_date.returncode != 0 and "--as-of" in bad_date.stderr and bad_date.stdout == ""
    unknown = run_tenure("risk", "alerts", "--account", "nope", "--json", env=env_for)
    assert unknown.returncode != 0 and "nope" in unknown.stderr and unknown.stdout == ""
    bad_status = run_tenure("tasks", "list", "--status", "later", env=env_for)
    assert bad_status.returncode != 0 and "--status" in bad_status.stderr

"""Onboarding milestones through the API and the console script."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.api.deps import get_today
from tenure.kit.db import unit_of_work
from tenure.worker.registry import load_registry
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.risk import factories as f

TODAY = date(2025, 6, 10)


@pytest.fixture
def client(context) -> Iterator[TestClient]:
    with unit_of_work(context.sessions) as s:
        f.term(s, f.account(s, "acme"), TODAY - timedelta(days=20))
    app = create_app(context, run_jobs=False)
    app.dependency_overrides[get_today] = lambda: TODAY
    with authorized_client(app, context) as test_client:
        yield test_client


def test_api_plan_list_complete(client: TestClient) -> None:
    planned = client.post("/api/v1/accounts/acme/milestones/plan").json()
    assert [(m["key"], m["status"]) for m in planned[:3]] == [
        ("kickoff", "stuck"), ("day_14", "behind"), ("day_30", "on_track")
    ]
    done = client.post("/api/v1/accounts/acme/milestones/kickoff/complete",
                       json={"completed_on": "2025-05-28"})  # fmt: skip
    assert done.json()["status"] == "done"
    listed = client.get("/api/v1/accounts/acme/milestones").json()
    assert listed[0]["completed_on"] == "2025-05-28"
    assert client.post("/api/v1/accounts/acme/milestones/nope/complete").status_code == 404
    assert client.get("/api/v1/accounts/nope/milestones").status_code == 404


def test_job_plans_new_customers(context) -> None:
    with unit_of_work(context.sessions) as s:
        f.term(s, f.account(s, "acme"), TODAY)
    spec = load_registry().get("plan-onboarding-milestones")
    spec.function(context, f.at(TODAY))
    spec.function(context, f.at(TODAY))  # idempotent
    from tenure.lifecycle import service

    with unit_of_work(context.sessions) as s:
        frame = service.milestone_statuses(s, TODAY)
    assert frame["on_track"].tolist() == [5]


def test_cli(context, env_for) -> None:
    with unit_of_work(context.sessions) as s:
        f.term(s, f.account(s, "acme"), date.today() - timedelta(days=10))
    planned = run_tenure("onboarding", "plan", "--json", env=env_for)
    assert json.loads(planned.stdout) == {"accounts": 1, "milestones_created": 5}
    run_tenure("onboarding", "complete", "acme", "kickoff", env=env_for)
    shown = json.loads(run_tenure("onboarding", "show", "acme", "--json", env=env_for).stdout)
    assert shown["milestones"][0]["status"] == "done"
    bad = run_tenure("onboarding", "complete", "acme", "nope", env=env_for)
    assert bad.returncode != 0 and "nope" in bad.stderr

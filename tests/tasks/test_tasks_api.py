"""The tasks API (/api/v1/tasks) and alerts API on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.api.app import create_app
from tenure.api.deps import get_today
from tenure.kit.db import unit_of_work
from tenure.models import Activity
from tests.conftest import authorized_client
from tests.risk import factories as f

TODAY = date(2025, 6, 10)


@pytest.fixture
def client(context) -> Iterator[TestClient]:
    with unit_of_work(context.sessions) as s:
        ana = f.user(s, "ana@example.com")
        f.user(s, "bo@example.com")
        f.account(s, "acme", owner=ana)
        f.account(s, "bolt")
    app = create_app(context, run_jobs=False)
    app.dependency_overrides[get_today] = lambda: TODAY
    with authorized_client(app, context) as test_client:
        yield test_client


def make(client: TestClient, **body) -> dict:
    response = client.post("/api/v1/tasks", json={"title": "Call", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_defaults_owner_to_account_owner(client: TestClient) -> None:
    task = make(client, account="acme", priority="high", due_on="2025-06-12")
    assert (task["owner_email"], task["status"], task["priority"]) == ("ana@example.com", "open", "high")
    assert make(client, account="bolt")["owner_email"] is None
    assert client.post("/api/v1/tasks", json={"title": "x", "account": "nope"}).status_code == 404
    assert client.post("/api/v1/tasks", json={"title": ""}).status_code == 422


def test_list_filters_and_paging(client: TestClient) -> None:
    for day in range(5):
        make(client, account="acme", due_on=str(TODAY + timedelta(days=day)),
             priority="high" if day % 2 else "low")  # fmt: skip
    make(client, account="bolt", owner="bo@example.com")
    page = client.get("/api/v1/tasks", params={"owner": "ana@example.com", "limit": 2}).json()
    assert (page["total"], len(page["items"])) == (5, 2)
    assert [t["due_on"] for t in page["items"]] == ["2025-06-10", "2025-06-11"]
    second = client.get("/api/v1/tasks", params={"owner": "ana@example.com", "limit": 2, "offset": 4}).json()
    assert [t["due_on"] for t in second["items"]] == ["2025-06-14"]
    window = {"due_from": "2025-06-11", "due_to": "2025-06-13", "priority": "high"}
    assert client.get("/api/v1/tasks", params=window).json()["total"] == 2
    assert client.get("/api/v1/tasks", params={"account": "bolt"}).json()["total"] == 1
    assert client.get("/api/v1/tasks", params={"status": "done"}).json()["total"] == 0
    assert client.get("/api/v1/tasks", params={"status": "weird"}).status_code == 422


def test_assign_complete_snooze_reopen_note(client: TestClient, context) -> None:
    task = make(client, account="acme")
    url = f"/api/v1/tasks/{task['id']}"
    assert client.post(f"{url}/assign", json={"owner": "bo@example.com"}).json()["owner_email"] == "bo@example.com"
    assert client.post(f"{url}/assign", json={"owner": "nobody@example.com"}).status_code == 404
    assert client.post(f"{url}/snooze", json={"until": "2025-06-10"}).status_code == 422  # not after today
    snoozed = client.post(f"{url}/snooze", json={"until": "2025-06-20"}).json()
    assert (snoozed["status"], snoozed["snoozed_until"]) == ("open", "2025-06-20")
    hidden = client.get("/api/v1/tasks", params={"include_snoozed": False}).json()
    assert hidden["total"] == 0
    done = client.post(f"{url}/complete").json()
    assert done["status"] == "done" and done["completed_at"] and done["snoozed_until"] is None
    assert client.post(f"{url}/snooze", json={"until": "2025-06-20"}).status_code == 409
    assert client.post(f"{url}/reopen").json()["status"] == "open"
    noted = client.post(f"{url}/notes", json={"body": "Called, all fine", "author": "ana@example.com"})
    assert noted.status_code == 201
    assert [(n["body"], n["author_email"]) for n in noted.json()["notes"]] == [("Called, all fine", "ana@example.com")]
    with unit_of_work(context.sessions) as s:
        activity = s.scalars(select(Activity)).one()
        assert (activity.task_id, activity.kind) == (task["id"], "note")
    assert client.post("/api/v1/tasks/9999/complete").status_code == 404


def test_alerts_endpoint_lists_inputs(client: TestClient, context) -> None:
    with unit_of_work(context.sessions) as s:
        acme = s.scalars(select(f.Account).where(f.Account.external_id == "acme")).one()
        f.term(s, acme, date(2025, 1, 1))
        f.nps(s, acme, 4, TODAY - timedelta(days=1))
    result = client.post("/api/v1/risk/evaluate", params={"as_of": str(TODAY)}).json()
    assert result["tasks_opened"] == 1
    alerts = client.get("/api/v1/alerts", params={"account": "acme"}).json()
    assert alerts["items"][0]["inputs"]["score"] == 4
    assert alerts["items"][0]["owner_email"] == "ana@example.com"
    assert client.get("/api/v1/alerts", params={"account": "bolt"}).json()["total"] == 0
    rules = client.get("/api/v1/risk/rules").json()
    assert "usage_decline" in [r["name"] for r in rules["rules"]]
    tasks = client.get("/api/v1/tasks", params={"account": "acme"}).json()["items"]
    assert tasks[0]["dedup_key"].startswith("risk:nps_detractor:")

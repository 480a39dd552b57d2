"""Read endpoints for accounts, contacts and subscriptions, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from tenure.api.app import create_app
from tenure.api.deps import get_today
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import Account, Contact, SubscriptionTerm, User

from tests.conftest import authorized_client

TODAY = date(2025, 6, 15)


def _seed(context: AppContext) -> None:
    with unit_of_work(context.sessions) as session:
        session.execute(
            # no explicit id: PostgreSQL's sequence must know it (the API token's user
            # is created after this one); the first user of a fresh database is id 1
            insert(User), [{"email": "ana@vendor.test", "role": "csm"}]
        )
        session.execute(
            insert(Account),
            [
                {"id": 1, "external_id": "acme", "name": "Acme", "segment": "enterprise",
                 "owner_id": 1, "domain": "acme.test"},
                {"id": 2, "external_id": "acme-eu", "name": "Acme Europe", "parent_id": 1,
                 "segment": "enterprise", "owner_id": 1},
                {"id": 3, "external_id": "bolt", "name": "Bolt", "segment": "smb"},
            ],
        )
        term = {"plan": "pro", "currency": "USD", "source": "import"}
        session.execute(
            insert(SubscriptionTerm),
            [
                # 12,000 a year is 1,000 MRR; a 3-year 36,000 is 1,000 MRR too.
                {**term, "external_id": "t1", "account_id": 1, "start_date": date(2025, 1, 1),
                 "end_date": date(2026, 1, 1), "amount": Decimal("12000"),
                 "billing_period_months": 12},
                {**term, "external_id": "t2", "account_id": 1, "start_date": date(2024, 1, 1),
                 "end_date": date(2027, 1, 1), "amount": Decimal("36000"),
                 "billing_period_months": 36},
                # Ended before today: not in MRR.
                {**term, "external_id": "t3", "account_id": 3, "start_date": date(2025, 1, 1),
                 "end_date": date(2025, 6, 15), "amount": Decimal("99"),
                 "billing_period_months": 1},
                # 1,000 a year: 83.333... rounded once to 83.33.
                {**term, "external_id": "t4", "account_id": 2, "start_date": date(2025, 1, 1),
                 "end_date": None, "amount": Decimal("1000"), "billing_period_months": 12},
            ],
        )
        session.execute(
            insert(Contact),
            [
                {"external_id": "c1", "account_id": 1, "email": "Jo@Acme.test",
                 "role": "champion"},
                {"external_id": "c2", "account_id": 1, "email": "max@acme.test", "role": "billing"},
                {"external_id": "c3", "account_id": 3, "email": "li@bolt.test", "role": "champion"},
            ],
        )


@pytest.fixture
def client(context: AppContext) -> Iterator[TestClient]:
    _seed(context)
    app = create_app(context, run_jobs=False)
    app.dependency_overrides[get_today] = lambda: TODAY
    with authorized_client(app, context) as test_client:
        yield test_client


def test_accounts_list_with_mrr_filters_and_paging(client: TestClient) -> None:
    body = client.get("/api/v1/accounts").json()
    assert body["total"] == 3
    by_id = {a["external_id"]: a for a in body["items"]}
    assert Decimal(by_id["acme"]["mrr"]) == Decimal("2000.00")
    assert Decimal(by_id["acme"]["arr"]) == Decimal("24000.00")
    assert Decimal(by_id["acme-eu"]["mrr"]) == Decimal("83.33")
    assert Decimal(by_id["bolt"]["mrr"]) == Decimal("0")
    assert by_id["acme-eu"]["parent_external_id"] == "acme"
    assert by_id["acme"]["owner_email"] == "ana@vendor.test"

    enterprise = client.get("/api/v1/accounts", params={"segment": "enterprise"}).json()
    assert {a["external_id"] for a in enterprise["items"]} == {"acme", "acme-eu"}
    owned = client.get("/api/v1/accounts", params={"owner": "ANA@vendor.test"}).json()
    assert owned["total"] == 2
    children = client.get("/api/v1/accounts", params={"parent": "acme"}).json()
    assert [a["external_id"] for a in children["items"]] == ["acme-eu"]
    found = client.get("/api/v1/accounts", params={"q": "europe"}).json()
    assert [a["external_id"] for a in found["items"]] == ["acme-eu"]

    page = client.get("/api/v1/accounts", params={"limit": 2, "offset": 2, "sort": "-name"})
    assert page.json()["total"] == 3
    assert [a["external_id"] for a in page.json()["items"]] == ["acme"]


def test_account_detail_and_not_found(client: TestClient) -> None:
    detail = client.get("/api/v1/accounts/acme").json()
    assert detail["children"] == ["acme-eu"]
    assert detail["contacts"] == 2
    assert detail["active_terms"] == 2
    missing = client.get("/api/v1/accounts/nope")
    assert missing.status_code == 404
    assert "nope" in missing.json()["message"]


def test_invalid_parameters_are_422(client: TestClient) -> None:
    assert client.get("/api/v1/accounts", params={"segment": "giant"}).status_code == 422
    assert client.get("/api/v1/accounts", params={"limit": 501}).status_code == 422
    assert client.get("/api/v1/subscriptions", params={"active_on": "June"}).status_code == 422


def test_contacts_by_account_role_and_email(client: TestClient) -> None:
    of_acme = client.get("/api/v1/contacts", params={"account": "acme"}).json()
    assert {c["external_id"] for c in of_acme["items"]} == {"c1", "c2"}
    champions = client.get("/api/v1/contacts", params={"role": "champion"}).json()
    assert {c["account_external_id"] for c in champions["items"]} == {"acme", "bolt"}
    by_email = client.get("/api/v1/contacts", params={"email": "jo@acme.test"}).json()
    assert [c["external_id"] for c in by_email["items"]] == ["c1"]
    assert client.get("/api/v1/contacts", params={"account": "nope"}).status_code == 404


def test_subscriptions_with_term_mrr_and_active_filter(client: TestClient) -> None:
    terms = client.get("/api/v1/subscriptions", params={"account": "acme"}).json()
    assert {t["external_id"]: Decimal(t["mrr"]) for t in terms["items"]} == {
        "t1": Decimal("1000.00"),
        "t2": Decimal("1000.00"),
    }
    active = client.get("/api/v1/subscriptions", params={"active_on": "2025-06-15"}).json()
    # t3 ends on 2025-06-15: the end date is exclusive.
    assert {t["external_id"] for t in active["items"]} == {"t1", "t2", "t4"}
    evergreen = [t for t in active["items"] if t["external_id"] == "t4"][0]
    assert evergreen["end_date"] is None and evergreen["account_external_id"] == "acme-eu"


def test_openapi_lists_the_read_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/healthz", "/api/v1/accounts", "/api/v1/accounts/{external_id}",
                 "/api/v1/contacts", "/api/v1/subscriptions", "/api/v1/metrics/revenue"):
        assert path in paths

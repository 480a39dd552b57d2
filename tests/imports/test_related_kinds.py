"""contacts, subscriptions, tickets, survey-responses and spend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tenure.kit.context import AppContext
from tenure.models import Contact, MarketingSpend, SubscriptionTerm, SurveyResponse, Ticket

from tests.imports.helpers import rejected, rows, run_import, write


@pytest.fixture
def accounts(context: AppContext, tmp_path: Path) -> None:
    run_import(context, "accounts", write(tmp_path, "accounts.csv", "external_id,name\nA1,Acme\nA2,Beta\n"))


@pytest.mark.usefixtures("accounts")
def test_contacts_good_and_upsert(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", """
Contact ID,Account ID,Email,First Name,Last Name,Job Title,Role
C1,A1,Jo@Acme.com,Jo,Doe,CTO,Decision Maker
C2,A2,sam@beta.io,,,,
""")
    report = run_import(context, "contacts", path)
    assert (report.inserted, report.updated) == (2, 0)
    assert rows(context, Contact.external_id, Contact.email, Contact.title, Contact.role) == [
        ("C1", "jo@acme.com", "CTO", "decision_maker"),
        ("C2", "sam@beta.io", None, None),
    ]
    path = write(tmp_path, "c2.csv", "external_id,account_external_id,email,role\nC2,A1,sam@beta.io,champion\n")
    report = run_import(context, "contacts", path)
    assert (report.inserted, report.updated) == (0, 1)
    assert rows(context, Contact.external_id, Contact.role)[1] == ("C2", "champion")


@pytest.mark.usefixtures("accounts")
def test_contacts_problems(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", """
external_id,account_external_id,email,role
C1,NOPE,not-an-email,boss
C1,A1,,user
""")
    assert rejected(context, "contacts", path) == [
        "c.csv:2:account_external_id: unknown account 'NOPE' (no such external_id)",
        "c.csv:2:email: 'not-an-email' is not an email address",
        "c.csv:2:role: unknown value 'boss'; expected one of: champion decision_maker admin user billing",
        "c.csv:3:external_id: duplicate external_id 'C1' (first on row 2)",
        "c.csv:3:email: a value is required",
    ]
    assert rows(context, Contact.id) == []


SUBSCRIPTIONS = """
external_id,account_external_id,start_date,end_date,amount,billing_period_months,plan,quantity,currency,signed_at,canceled_at
S1,A1,2024-01-01,2025-01-01,12000.50,12,pro,10,eur,2023-12-20,
S2,A2,2024-03-01,,49,monthly,,,,,
"""


@pytest.mark.usefixtures("accounts")
def test_subscriptions_good(context: AppContext, tmp_path: Path) -> None:
    report = run_import(context, "subscriptions", write(tmp_path, "s.csv", SUBSCRIPTIONS))
    assert report.inserted == 2
    got = rows(context, SubscriptionTerm.external_id, SubscriptionTerm.amount,
               SubscriptionTerm.billing_period_months, SubscriptionTerm.currency,
               SubscriptionTerm.end_date, SubscriptionTerm.signed_at)  # fmt: skip
    assert got == [
        ("S1", Decimal("12000.50"), 12, "EUR", date(2025, 1, 1), date(2023, 12, 20)),
        ("S2", Decimal("49"), 1, "USD", None, None),
    ]
    assert all(isinstance(amount, Decimal) for _, amount in rows(context, SubscriptionTerm.id, SubscriptionTerm.amount))
    again = run_import(context, "subscriptions", write(tmp_path, "s2.csv", SUBSCRIPTIONS))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.usefixtures("accounts")
def test_subscriptions_problems(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", """
external_id,account_external_id,start_date,end_date,amount,billing_period_months,currency,quantity
S1,A1,2024-02-30,2024-01-01,-5,0,US,-1
S2,A1,2024-05-01,2024-05-01,1.23456,1.5,usd,2
S3,A9,01/02/2024,,ten,,EUR,
""")
    assert rejected(context, "subscriptions", path) == [
        "s.csv:2:start_date: '2024-02-30' is not a date (use YYYY-MM-DD)",
        "s.csv:2:amount: -5 is negative; amounts must not be negative",
        "s.csv:2:billing_period_months: 0 must be positive",
        "s.csv:2:currency: 'US' is not a 3-letter currency code (e.g. USD)",
        "s.csv:2:quantity: -1 must not be negative",
        "s.csv:3:end_date: end_date 2024-05-01 is not after start_date 2024-05-01 (end is exclusive)",
        "s.csv:3:amount: 1.23456 has more than 4 decimal places",
        "s.csv:3:billing_period_months: '1.5' is not a whole number",
        "s.csv:4:account_external_id: unknown account 'A9' (no such external_id)",
        "s.csv:4:start_date: '01/02/2024' is not a date (use YYYY-MM-DD)",
        "s.csv:4:amount: 'ten' is not a number",
        "s.csv:4:billing_period_months: a value is required",
    ]
    assert rows(context, SubscriptionTerm.id) == []


@pytest.mark.usefixtures("accounts")
def test_tickets(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", """
Ticket ID,Organization ID,Created At,Solved At,Priority,Status,Subject
T1,A1,2024-01-01T09:00:00Z,2024-01-02T09:00:00Z,High,,Login broken
T2,A2,2024-01-03,,,new,
""")
    assert run_import(context, "tickets", path).inserted == 2
    got = rows(context, Ticket.external_id, Ticket.priority, Ticket.status, Ticket.subject)
    assert got == [("T1", "high", "closed", "Login broken"), ("T2", "normal", "open", None)]
    bad = write(tmp_path, "bad.csv", """
external_id,account_external_id,opened_at,closed_at,priority,status
T3,A1,2024-01-05,2024-01-04,p1,done
T4,A1,yesterday,,,
""")
    assert rejected(context, "tickets", bad) == [
        "bad.csv:2:closed_at: closed_at 2024-01-04 00:00:00+00:00 is before opened_at",
        "bad.csv:2:priority: unknown value 'p1'; expected one of: low normal high urgent",
        "bad.csv:2:status: unknown value 'done'; expected one of: open pending solved closed",
        "bad.csv:3:opened_at: 'yesterday' is not a date or date-time (use ISO 8601)",
    ]
    assert len(rows(context, Ticket.id)) == 2


@pytest.mark.usefixtures("accounts")
def test_survey_responses_link_contacts(context: AppContext, tmp_path: Path) -> None:
    run_import(context, "contacts", write(tmp_path, "c.csv", "external_id,account_external_id,email\nC1,A1,jo@acme.com\nC2,A2,jo@acme.com\n"))
    path = write(tmp_path, "r.csv", """
external_id,account_external_id,kind,score,responded_at,contact_email,comment
R1,A1,NPS,9,2024-04-01,JO@acme.com,Great
R2,A1,csat,5,2024-04-02,other@acme.com,
R3,A2,nps,0,2024-04-03,,
""")
    assert run_import(context, "survey-responses", path).inserted == 3
    contact_ids = dict(rows(context, Contact.external_id, Contact.id))
    got = rows(context, SurveyResponse.external_id, SurveyResponse.kind, SurveyResponse.score, SurveyResponse.contact_id)
    assert got == [("R1", "nps", 9, contact_ids["C1"]), ("R2", "csat", 5, None), ("R3", "nps", 0, None)]


@pytest.mark.usefixtures("accounts")
def test_survey_response_problems(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", """
external_id,account_external_id,kind,score,responded_at
R1,A1,nps,11,2024-04-01
R2,A1,csat,0,2024-04-01
R3,A1,ces,3,2024-04-01
R4,A1,nps,x,
""")
    assert rejected(context, "survey-responses", path) == [
        "r.csv:2:score: nps score 11 is outside 0-10",
        "r.csv:3:score: csat score 0 is outside 1-5",
        "r.csv:4:kind: unknown value 'ces'; expected one of: nps csat",
        "r.csv:5:score: 'x' is not a whole number",
        "r.csv:5:responded_at: a value is required",
    ]


def test_spend_upserts_by_month(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "month,sales_marketing_spend\n2024-01,1000\n2024-02,1500.25\n")
    assert run_import(context, "spend", path).inserted == 2
    path = write(tmp_path, "m2.csv", "Month,S&M Spend\n2024-02,1600\n2024-03,0\n")
    report = run_import(context, "spend", path)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 0)
    assert rows(context, MarketingSpend.month, MarketingSpend.sales_marketing_spend) == [
        (date(2024, 1, 1), Decimal("1000")),
        (date(2024, 2, 1), Decimal("1600")),
        (date(2024, 3, 1), Decimal("0")),
    ]
    bad = write(tmp_path, "bad.csv", "month,sales_marketing_spend\n2024-13,5\n2024-1,-1\n2024-02,1\n2024-02,2\n")
    assert rejected(context, "spend", bad) == [
        "bad.csv:2:month: '2024-13' is not a month (use YYYY-MM)",
        "bad.csv:3:month: '2024-1' is not a month (use YYYY-MM)",
        "bad.csv:3:sales_marketing_spend: -1 is negative; amounts must not be negative",
        "bad.csv:5:month: duplicate month 2024-02 (first on row 4)",
    ]

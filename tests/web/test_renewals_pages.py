"""The renewals page over HTTP: the pipeline by quarter equals `tenure metrics renewals`'
service, statuses and filters narrow the list, the sales pool lists released accounts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tenure.api.deps import get_today
from tenure.metrics import service as metrics
from tenure.web.renewals.service import pipeline_quarters
from tests.metrics.ledger import Term, label_accounts, write_ledger

TODAY = date(2025, 5, 10)  # 2025-Q2; the pipeline shows 2024-Q4 .. 2026-Q1
LEDGER = [
    Term("keep", date(2024, 2, 1), date(2025, 2, 1), "1200", 12),
    Term("keep", date(2025, 2, 1), date(2026, 2, 1), "2400", 12),  # renewed in Q1 (upsell)
    Term("gone", date(2024, 1, 10), date(2025, 1, 10), "600", 12),  # churned in Q1, pool 2025-02-09
    Term("soon", date(2024, 6, 1), date(2025, 6, 1), "1200", 12),  # due in Q2: pending
    Term("late", date(2024, 5, 1), date(2025, 5, 1), "2400", 12),  # due in Q2: pending until 05-31
    Term("next", date(2024, 8, 1), date(2025, 8, 1), "3600", 12),  # due in Q3
]
LABELS = {"keep": {"segment": "smb", "owner": "ana@example.test"},
          "gone": {"segment": "smb", "owner": "ben@example.test"},
          "soon": {"segment": "enterprise", "owner": "ana@example.test"},
          "late": {"segment": "smb", "owner": "ana@example.test"},
          "next": {"segment": "enterprise", "owner": "ben@example.test"}}  # fmt: skip


@pytest.fixture
def ledger(context, web_app):  # type: ignore[no-untyped-def]
    write_ledger(context, LEDGER)
    label_accounts(context, LABELS)
    web_app.dependency_overrides[get_today] = lambda: TODAY
    return context


def listed(page: str, section: str) -> list[str]:
    part = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/accounts/(\w+)"', part)


def test_pipeline_quarters_span_two_before_to_three_after() -> None:
    assert [q.label for q in pipeline_quarters(TODAY)] == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]  # fmt: skip


def test_quarter_figures_are_the_renewals_service_figures(ledger, as_role) -> None:
    page = as_role("viewer").get("/renewals?quarter=2025-Q1").text
    q1 = metrics.renewals(ledger, date(2025, 1, 1), date(2025, 3, 31), as_of=TODAY).figures
    assert (q1.due_customers, q1.renewed_customers, q1.pending_customers, q1.churned_customers) == (2, 1, 0, 1)
    assert "2 due</a>" in page and "1 renewed</a>" in page and "1 churned</a>" in page
    assert f">${q1.due_arr:,.0f}<" in page  # $1,800 due in Q1
    assert listed(page, "due-title") == ["gone", "keep"]  # by the day the window closes
    assert listed(page, "pool-title") == ["gone"]
    assert "2025-02-09" in page  # released to the pool on E + 30


def test_the_current_quarter_is_selected_and_status_filters_the_list(ledger, as_role) -> None:
    viewer = as_role("viewer")
    page = viewer.get("/renewals").text
    assert "2025-Q2: accounts due" in page
    assert listed(page, "due-title") == ["late", "soon"]  # by the day the window closes
    assert listed(viewer.get("/renewals?quarter=2025-Q2&status=renewed").text, "due-title") == []
    assert listed(viewer.get("/renewals?quarter=2025-Q2&status=pending").text, "due-title") == ["late", "soon"]


def test_segment_and_owner_filters(ledger, as_role) -> None:
    viewer = as_role("viewer")
    smb = viewer.get("/renewals?quarter=2025-Q2&segment=smb").text
    assert listed(smb, "due-title") == ["late"]
    ben = viewer.get("/renewals?quarter=2025-Q1&owner=ben@example.test").text
    assert listed(ben, "due-title") == ["gone"] and listed(ben, "pool-title") == ["gone"]


def test_bad_input_and_signed_out(ledger, client, as_role) -> None:
    viewer = as_role("viewer")
    assert viewer.get("/renewals?quarter=2025-Q9").status_code == 422
    assert viewer.get("/renewals?status=lost").status_code == 422
    assert client.get("/renewals", follow_redirects=False).status_code == 303


def test_empty_pipeline_says_what_to_do(context, as_role) -> None:
    page = as_role("viewer").get("/renewals").text
    assert "No terms fall due in these quarters" in page and "end_date" in page

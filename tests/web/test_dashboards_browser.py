"""In Chromium: the dashboards and renewals pages draw every chart, numbers open the
accounts behind them, filters narrow the figures; screenshots in test-artifacts/web/;
no console errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tenure.api.deps import get_today
from tenure.kit.context import AppContext
from tests.metrics.ledger import label_accounts, write_ledger
from tests.web.conftest import PASSWORD, screenshot
from tests.web.test_dashboards_data import LABELS, LEDGER

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TODAY = date(2025, 7, 15)


@pytest.fixture
def book(context: AppContext, web_app: Any) -> AppContext:
    write_ledger(context, LEDGER)
    label_accounts(context, LABELS)
    web_app.dependency_overrides[get_today] = lambda: TODAY
    return context


def test_dashboards_and_renewals_in_the_browser(
    book: AppContext, live_server: str, page: Any, make_user: Callable[..., str]
) -> None:
    from playwright.sync_api import expect

    # The renewals figures run once per quarter (seconds on a loaded 2-core machine).
    page.set_default_timeout(60_000)
    email = make_user("manager", name="Morgan Manager")
    page.goto(f"{live_server}/dashboards")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/dashboards")

    expect(page.get_by_text("Computing…")).to_have_count(0, timeout=60_000)  # every section loaded
    charts = page.locator(".dash-section .chart")
    expect(charts.first).to_be_visible()
    for index in range(charts.count()):  # vega-embed drew each one
        expect(charts.nth(index).locator("svg")).to_be_visible()
    expect(page.locator("#section-revenue")).to_contain_text("$1,800")  # MRR at the end of June: 150 + 350 + 400 + 900
    screenshot(page, "dashboards")

    page.get_by_label("Segment").select_option("smb")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/dashboards?segment=smb*")
    expect(page.locator("#section-revenue .stat-value").first).to_have_text("$500", timeout=60_000)
    page.locator("#section-revenue .stat-value a").first.click()
    page.wait_for_url("**/dashboards/accounts?kind=paying*")
    expect(page.get_by_role("heading", name="Paying customers at the end of 2025-06")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)  # acme and cube
    screenshot(page, "dashboards-drill-down")

    page.get_by_role("link", name="Renewals").click()
    page.wait_for_url(f"{live_server}/renewals")
    expect(page.get_by_role("heading", name="2025-Q3: accounts due")).to_be_visible()
    expect(page.locator(".chart svg")).to_be_visible()
    page.get_by_role("link", name="2025-Q2").first.click()
    expect(page.locator("#due-title")).to_have_text("2025-Q2: accounts due")
    screenshot(page, "renewals")
    assert page.errors == []
    assert page.csp_violations == []  # the Content-Security-Policy blocked nothing

"""End to end in Chromium against uvicorn: a CSM's day. Sign in, filter the portfolio,
open an account, add a note, snooze a task, sign out; no console errors; a screenshot
of every main page in test-artifacts/web/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tenure.kit.context import AppContext
from tenure.kit.timeutil import utcnow
from tests.web.book import seed_book
from tests.web.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/portfolio")
    assert "/login?next=" in page.url
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/portfolio")


def test_a_csms_day_in_the_browser(
    live_server: str, page: Any, make_user: Callable[..., str], context: AppContext
) -> None:
    from playwright.sync_api import expect

    email = make_user("csm", name="Casey Owner")
    seed_book(context, email, utcnow().date())
    make_user("csm", email="other.csm@example.test")
    _sign_in(page, live_server, email)

    table = page.locator("#portfolio-table tbody tr")
    expect(table).to_have_count(3)
    page.get_by_label("Health", exact=True).select_option("red")  # HTMX swaps the results in place
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text("Acme Corp")
    assert "grade=red" in page.url
    screenshot(page, "portfolio")

    page.get_by_role("link", name="Acme Corp").click()
    page.wait_for_url(f"{live_server}/accounts/ACME")
    expect(page.locator(".chart svg").first).to_be_visible()  # vega-embed drew the charts
    page.get_by_label("Add a note").fill("Renewal call booked for Tuesday")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline-items")).to_contain_text("Renewal call booked for Tuesday")
    screenshot(page, "account")

    page.get_by_role("link", name="Tasks").click()
    row = page.locator("tr", has_text="Call Acme Corp")
    row.get_by_label("Snooze for").select_option("7")
    row.get_by_role("button", name="Snooze").click()
    expect(page.locator("tr", has_text="Call Acme Corp")).to_contain_text("snoozed until")
    screenshot(page, "tasks")

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="My open tasks")).to_be_visible()
    screenshot(page, "home")

    page.goto(f"{live_server}/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot(page, "not-found")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(f"{live_server}/")
    assert "/login" in page.url
    # The 404 above logs one "Failed to load resource" line by design; nothing else.
    errors = [e for e in page.errors if "404" not in e]
    assert errors == []
    assert page.csp_violations == []  # the Content-Security-Policy blocked nothing


def test_tablet_layout_and_keyboard(
    live_server: str, browser: Any, make_user: Callable[..., str], context: AppContext
) -> None:
    seed_book(context, make_user("csm"), utcnow().date())
    email = make_user("viewer")
    tablet = browser.new_context(viewport={"width": 820, "height": 1180}).new_page()
    errors: list[str] = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))
    tablet.goto(f"{live_server}/login")
    tablet.keyboard.press("Tab")  # focus starts on the skip link, then the form by keyboard
    tablet.get_by_label("Email").fill(email)
    tablet.get_by_label("Password").fill(PASSWORD)
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{live_server}/")
    tablet.goto(f"{live_server}/portfolio")
    assert tablet.locator("#portfolio-table tbody tr").count() == 3
    overflow = tablet.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a tablet"
    assert tablet.locator("#save-view").count() == 0  # viewers get no saving controls
    screenshot(tablet, "portfolio-tablet")
    tablet.context.close()
    assert errors == []

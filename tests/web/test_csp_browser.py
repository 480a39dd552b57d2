"""The Content-Security-Policy in a real browser: every main page renders (charts,
HTMX panels, the scorecard preview) with the policy on and Chromium reports no
violation; and the violation listener does catch one when something breaks the policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tenure.kit.context import AppContext
from tenure.kit.timeutil import utcnow
from tenure.web.install import CONTENT_SECURITY_POLICY
from tests.web.book import seed_book
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
MAIN_PAGES = (
    "/", "/portfolio", "/accounts/ACME", "/tasks", "/renewals", "/dashboards",
    "/admin/users", "/admin/sources", "/admin/scorecards", "/admin/import",
)


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_main_pages_break_no_policy(
    live_server: str, page: Any, make_user: Callable[..., str], context: AppContext
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(60_000)
    email = make_user("admin")
    seed_book(context, email, utcnow().date())
    _sign_in(page, live_server, email)
    for path in MAIN_PAGES:
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        page.wait_for_load_state("networkidle")
        if path == "/accounts/ACME":
            expect(page.locator(".chart svg").first).to_be_visible()  # vega without eval
            page.get_by_label("Add a note").fill("Checked under the policy")
            page.get_by_role("button", name="Add note").click()
            expect(page.locator("#timeline-items")).to_contain_text("Checked under the policy")
            expect(page.get_by_label("Add a note")).to_have_value("")  # reset without hx-on
    page.goto(f"{live_server}/admin/scorecards")  # the last page: open a scorecard, preview
    page.locator('a[href^="/admin/scorecards/"]').first.click()
    page.wait_for_url("**/admin/scorecards/*")
    page.locator('input[name$=".weight"]').first.fill("3")
    expect(page.locator("#preview")).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert page.csp_violations == []


def test_the_listener_sees_a_violation(live_server: str, page: Any) -> None:
    """A control: an injected <style> element is blocked and reported, so an empty list
    above means the policy held, not that nothing was listening."""
    page.goto(f"{live_server}/login")
    page.evaluate(
        "() => { const s = document.createElement('style');"
        " s.textContent = 'body { color: red }'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert any("style-src" in violation for violation in page.csp_violations), page.csp_violations

"""In Chromium: an admin changes a scorecard weight and sees the preview move before
saving; screenshots of the admin pages (test-artifacts/web/); no console errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from tenure.kit.context import AppContext
from tenure.models.accounts import Account
from tenure.models.support import Ticket
from tests.metrics.ledger import Term, write_ledger
from tests.web.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def seed(context: AppContext) -> None:
    """Four paying accounts; two with open urgent tickets, so the support group pulls
    their scores down and its weight matters."""
    write_ledger(context, [Term(f"acct{i}", date(2024, 1, 1), None, str(100 * (i + 1))) for i in range(4)])
    with context.engine.begin() as connection:
        ids = dict(connection.execute(select(Account.external_id, Account.id)).all())
        connection.execute(insert(Ticket), [
            {"external_id": f"t{i}{k}", "account_id": ids[f"acct{i}"], "priority": "urgent",
             "status": "open", "opened_at": datetime(2025, 1, 1, tzinfo=UTC), "subject": "down"}
            for i in (0, 1) for k in range(6)
        ])  # fmt: skip


def sign_in(page: Any, base: str, email: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{target}")


def test_change_a_scorecard_weight_and_see_the_preview_move(
    live_server: str, page: Any, make_user: Callable[..., str], context: AppContext
) -> None:
    from playwright.sync_api import expect

    seed(context)
    page.set_default_timeout(60_000)  # each preview scores every account twice
    sign_in(page, live_server, make_user("admin", name="Ada Admin"), "/admin/scorecards")
    screenshot(page, "admin-scorecards")
    page.get_by_role("link", name="default").click()
    page.wait_for_url(f"{live_server}/admin/scorecards/default")

    page.get_by_role("button", name="Preview now").click()
    mean = page.locator("#preview-mean")
    expect(mean).to_be_visible()
    before = mean.inner_text()
    page.locator("#g1-w").fill("200")  # support: the group weight
    expect(mean).not_to_have_text(before, timeout=30_000)
    after = mean.inner_text()
    assert float(after) < float(before)  # more weight on a group scoring low pulls the mean down
    expect(page.locator("#preview .chart svg")).to_be_visible()
    screenshot(page, "admin-scorecard-preview")

    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Saved default as version 2.")).to_be_visible()
    assert page.locator("#g1-w").input_value() == "200.0"

    page.goto(f"{live_server}/admin/users")
    screenshot(page, "admin-users")
    page.goto(f"{live_server}/admin/sources")
    page.get_by_label("Name").fill("website")
    page.get_by_role("button", name="Create source").click()
    expect(page.locator("#write-key")).to_contain_text("wk_")
    screenshot(page, "admin-sources")

    page.goto(f"{live_server}/admin/import")
    page.get_by_label("File (CSV; Parquet or JSON Lines for events)").set_input_files(
        files=[{"name": "accounts.csv", "mimeType": "text/csv",
                "buffer": b"external_id,name,employees\nN1,New Co,5\nN2,,lots\n"}])  # fmt: skip
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".problems")).to_contain_text("accounts.csv:3:name: a value is required")
    screenshot(page, "admin-import")
    assert page.errors == []
    assert page.csp_violations == []  # the Content-Security-Policy blocked nothing

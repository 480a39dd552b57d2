"""The core pages over HTTP, on SQLite and PostgreSQL: what they show comes from the
engine's services and stored results; every change needs the right role and CSRF."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tenure.accounts import service as accounts
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.models import Activity, SavedView, Task
from tenure.web.pages import PAGES
from tests.web.book import Book, seed_book
from tests.web.conftest import csrf_of, sign_in


@pytest.fixture
def book_owner(
    web_app: FastAPI, make_user: Callable[..., str], context: AppContext
) -> Iterator[tuple[TestClient, Book, str]]:
    email = make_user("csm", name="Casey Owner")
    book = seed_book(context, email, utcnow().date())
    with TestClient(web_app) as owner:
        assert sign_in(owner, email).status_code == 303
        yield owner, book, email


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/accounts/[^"]+">([^<]+)</a><div', html)


def _count(context: AppContext, model: type, **where: object) -> int:
    with unit_of_work(context.sessions) as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(session.scalar(query) or 0)


def test_portfolio_shows_the_engines_arr_health_and_risk(
    book_owner: tuple[TestClient, Book, str], context: AppContext
) -> None:
    owner, book, _ = book_owner
    page = owner.get("/portfolio")
    assert page.status_code == 200
    assert _names(page.text) == ["Acme Corp", "Beta Labs", "Gamma Inc"]
    with unit_of_work(context.sessions) as session:
        acme = accounts.get_account(session, "ACME", book.today)
    assert acme.arr == Decimal("120000")
    assert "$120,000" in page.text and "42.0%" in page.text
    assert 'class="grade grade-red"' in page.text and "<polyline" in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grade=red", ["Acme Corp"]),
        ("grade=green&segment=smb", ["Beta Labs"]),
        ("renewal=30", ["Acme Corp"]),
        ("renewal=120", ["Acme Corp", "Beta Labs"]),
        ("owner=me&sort=-arr", ["Acme Corp", "Gamma Inc", "Beta Labs"]),
        ("owner=none", []),
        ("sort=health", ["Acme Corp", "Gamma Inc", "Beta Labs"]),
        ("q=gam", ["Gamma Inc"]),
    ],
)
def test_portfolio_filters_and_sorts(
    book_owner: tuple[TestClient, Book, str], query: str, expected: list[str]
) -> None:
    owner, _, _ = book_owner
    page = owner.get(f"/portfolio?{query}")
    assert page.status_code == 200
    assert _names(page.text) == expected
    if not expected:
        assert "No accounts match these filters" in page.text


def test_portfolio_htmx_returns_only_the_results(book_owner: tuple[TestClient, Book, str]) -> None:
    owner, _, _ = book_owner
    partial = owner.get("/portfolio?grade=red", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and _names(partial.text) == ["Acme Corp"]


def test_portfolio_rejects_a_bad_filter_by_name(book_owner: tuple[TestClient, Book, str]) -> None:
    owner, _, _ = book_owner
    page = owner.get("/portfolio?renewal=45")
    assert page.status_code == 422 and "renewal" in page.text


def test_portfolio_csv_export_follows_the_filters(book_owner: tuple[TestClient, Book, str]) -> None:
    owner, _, _ = book_owner
    response = owner.get("/portfolio.csv?renewal=120&sort=-arr")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["external_id"] for r in rows] == ["ACME", "BETA"]
    assert Decimal(rows[0]["arr"]) == Decimal("120000") and rows[0]["health_grade"] == "red"


def test_saved_views_belong_to_csms_not_viewers(
    book_owner: tuple[TestClient, Book, str], as_role: Callable[[str], TestClient],
    context: AppContext,
) -> None:
    owner, _, _ = book_owner
    form = {"name": "Red renewals", "query": "grade=red&renewal=30", "csrf_token": csrf_of(owner)}
    saved = owner.post("/portfolio/views", data=form, follow_redirects=False)
    assert saved.status_code == 303 and "grade=red" in saved.headers["location"]
    page = owner.get("/portfolio")
    assert "Red renewals" in page.text and "Saved the view" in page.text
    viewer = as_role("viewer")
    refused = viewer.post("/portfolio/views", data={**form, "csrf_token": csrf_of(viewer)})
    assert refused.status_code == 403
    assert _count(context, SavedView) == 1


def test_account_360_shows_every_panel(book_owner: tuple[TestClient, Book, str]) -> None:
    owner, _, _ = book_owner
    page = owner.get("/accounts/ACME")
    assert page.status_code == 200
    text = page.text
    for expected in ["Acme Corp", "$120,000", "Pulling it down most: <strong>login days",
                     "Logins fell by half", "drop = 0.50", "42.0%", "Quarterly check-in",
                     "NPS 8", "champion", "Call Acme Corp"]:
        assert expected in text, expected
    assert text.count("data-vega-spec") >= 3  # health history, contributions, MRR


def test_account_360_of_an_unknown_account_is_a_friendly_404(
    book_owner: tuple[TestClient, Book, str],
) -> None:
    owner, _, _ = book_owner
    page = owner.get("/accounts/NOPE")
    assert page.status_code == 404 and "no account with id" in page.text.lower()


def test_add_note_as_csm_but_not_as_viewer(
    book_owner: tuple[TestClient, Book, str], as_role: Callable[[str], TestClient],
    context: AppContext,
) -> None:
    owner, _, _ = book_owner
    before = _count(context, Activity, kind="note")
    added = owner.post("/accounts/ACME/notes", data={"body": "Renewal call booked",
                                                     "csrf_token": csrf_of(owner)},
                       headers={"HX-Request": "true"})
    assert added.status_code == 200 and "Renewal call booked" in added.text
    assert _count(context, Activity, kind="note") == before + 1
    viewer = as_role("viewer")
    refused = viewer.post("/accounts/ACME/notes", data={"body": "x", "csrf_token": csrf_of(viewer)})
    assert refused.status_code == 403
    forged = owner.post("/accounts/ACME/notes", data={"body": "x", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert _count(context, Activity, kind="note") == before + 1


def _task(context: AppContext, task_id: int) -> Task:
    with unit_of_work(context.sessions) as session:
        found = session.get(Task, task_id)
        assert found is not None
        return found


def test_task_actions_change_the_task(
    book_owner: tuple[TestClient, Book, str], make_user: Callable[..., str], context: AppContext,
) -> None:
    owner, book, _ = book_owner
    token = csrf_of(owner)
    htmx = {"HX-Request": "true", "X-CSRF-Token": token}
    acme, beta = book.task_ids["ACME"], book.task_ids["BETA"]
    snoozed = owner.post(f"/tasks/{acme}/snooze", data={"days": "7"}, headers=htmx)
    assert snoozed.status_code == 200 and f'id="task-{acme}"' in snoozed.text
    assert (_task(context, acme).snoozed_until - book.today).days == 7
    other = make_user("csm", email="other.csm@example.test")
    assigned = owner.post(f"/tasks/{acme}/assign", data={"owner": other}, headers=htmx)
    assert assigned.status_code == 200 and other in assigned.text
    assert owner.post(f"/tasks/{beta}/notes", data={"body": "Left a voicemail"}, headers=htmx).status_code == 200
    assert owner.post(f"/tasks/{beta}/complete", headers=htmx).status_code == 200
    assert _task(context, beta).status == "done"
    assert _count(context, Activity, task_id=beta) == 1
    queue = owner.get("/tasks").text  # mine, open, not snoozed: only GAMMA's task is left
    assert "Call Gamma Inc" in queue and "Call Beta Labs" not in queue and "Call Acme Corp" not in queue


def test_snoozing_into_the_past_is_refused(book_owner: tuple[TestClient, Book, str]) -> None:
    owner, book, _ = book_owner
    response = owner.post(f"/tasks/{book.task_ids['ACME']}/snooze",
                          data={"until": book.today.isoformat(), "csrf_token": csrf_of(owner)})
    assert response.status_code == 422 and "not after today" in response.text


def test_home_is_my_day(book_owner: tuple[TestClient, Book, str]) -> None:
    owner, _, _ = book_owner
    page = owner.get("/").text
    assert "3 accounts in your book" in page
    assert page.index("Call Acme Corp") < page.index("Call Beta Labs")  # high before low
    assert "Within 30 days" in page and "Within 120 days" in page
    assert "Logins fell by half" in page
    assert "grade-red" in page  # ACME went green -> red this week


def _posts_of(routes: list[Any], prefix: str = "") -> set[str]:
    """POST paths of routes, following included routers (FastAPI keeps them nested)."""
    found: set[str] = set()
    for route in routes:
        context = getattr(route, "include_context", None)
        if context is not None:
            found |= _posts_of(context.included_router.routes, prefix + context.prefix)
        elif "POST" in getattr(route, "methods", set()):
            found.add(prefix + re.sub(r"\{[^}]+\}", "1", route.path))
    return found


def _page_posts() -> list[str]:
    """Every POST route of every registered page module (the analytics pages' too)."""
    paths = set().union(*(_posts_of(router.routes) for router in PAGES()))
    return sorted(paths - {"/login", "/logout"})


def test_a_viewer_cannot_change_anything(as_role: Callable[[str], TestClient]) -> None:
    posts = _page_posts()
    assert "/accounts/1/notes" in posts and "/tasks/1/complete" in posts
    viewer = as_role("viewer")
    token = csrf_of(viewer)
    for path in posts:
        response = viewer.post(path, headers={"X-CSRF-Token": token}, follow_redirects=False)
        assert response.status_code == 403, path


def test_account_usage_panel_charts_the_stored_usage(
    book_owner: tuple[TestClient, Book, str], context: AppContext
) -> None:
    import pyarrow as pa

    from tenure.usage.store import EVENT_SCHEMA

    owner, _, _ = book_owner
    empty = owner.get("/accounts/ACME/usage", headers={"HX-Request": "true"})
    assert empty.status_code == 200 and "No product usage" in empty.text
    now = utcnow().replace(microsecond=0)
    rows = [{"message_id": f"m{i}", "source": "test", "event_time": now, "received_at": now,
             "account_external_id": "ACME", "user_id": f"u{i % 3}", "event": "report_viewed",
             "properties": None} for i in range(6)]
    context.events.append(pa.Table.from_pylist(rows, schema=EVENT_SCHEMA))
    context.events.refresh_rollups()
    panel = owner.get("/accounts/ACME/usage", headers={"HX-Request": "true"})
    assert "Active users: 3 in 7 days" in panel.text and "10 seats" in panel.text
    assert panel.text.count("data-vega-spec") == 3 and "report_viewed" in panel.text


def test_a_csm_cannot_manage_users(
    as_role: Callable[[str], TestClient], context: AppContext
) -> None:
    from tenure.models import User

    user_posts = [path for path in _page_posts() if path.startswith("/admin/users")]
    assert user_posts, "no user-management actions are registered"
    csm = as_role("csm")
    token = csrf_of(csm)
    before = _count(context, User)
    for path in user_posts:
        form = {"email": "new.admin@example.test", "role": "admin", "password": "long-enough-1"}
        response = csm.post(path, data=form, headers={"X-CSRF-Token": token}, follow_redirects=False)
        assert response.status_code == 403, path
    assert _count(context, User) == before
    with unit_of_work(context.sessions) as session:
        assert session.scalar(select(User.role).where(User.id == 1)) == "csm"

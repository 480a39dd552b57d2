"""Admin pages over HTTP: who may see and change what (viewer and csm cannot manage
users; managers read; admins change), users and roles, sources with a key shown once,
the scorecard editor's preview and save, imports with a dry run and problems located
as file:row:column."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from tenure.models.accounts import Account
from tests.metrics.ledger import Term, write_ledger
from tests.web.conftest import csrf_of, sign_in


def post(client, path: str, data: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_of(client), **(data or {})},
                       follow_redirects=False, **kwargs)  # fmt: skip


@pytest.mark.parametrize("path", ["/admin", "/admin/users", "/admin/sources", "/admin/scorecards"])
def test_viewers_and_csms_cannot_open_admin_pages(as_role, path) -> None:
    for role in ("viewer", "csm"):
        response = as_role(role).get(path)
        assert response.status_code == 403, (role, path)
        assert "needs the manager role" in response.text


def test_managers_read_but_cannot_change(as_role) -> None:
    manager = as_role("manager")
    page = manager.get("/admin/users")
    assert page.status_code == 200 and "Add a user" not in page.text and "Change role" not in page.text
    assert post(manager, "/admin/users", {"email": "x@example.test", "role": "csm",
                                          "password": "long-enough"}).status_code == 403  # fmt: skip
    assert post(manager, "/admin/sources", {"name": "web"}).status_code == 403
    assert manager.get("/admin/import").status_code == 403


def test_admin_creates_changes_role_and_deactivates_a_user(as_role, client, context) -> None:
    admin = as_role("admin")
    created = post(admin, "/admin/users", {"email": "New.Person@Example.test", "name": "New Person",
                                           "role": "viewer", "password": "a-good-password"})  # fmt: skip
    assert created.status_code == 303
    page = admin.get("/admin/users").text
    assert "new.person@example.test" in page and "Created new.person@example.test (viewer)." in page
    user_id = re.search(r'action="/admin/users/(\d+)/role"(?:(?!</form>).)*Role of new.person@example.test', page, re.S)
    assert user_id
    uid = user_id.group(1)
    assert post(admin, f"/admin/users/{uid}/role", {"role": "csm"}).status_code == 303
    assert "new.person@example.test is now csm." in admin.get("/admin/users").text
    assert sign_in(client, "new.person@example.test", "a-good-password").status_code == 303
    assert client.get("/tasks").status_code == 200
    assert post(admin, f"/admin/users/{uid}/active", {"active": "0"}).status_code == 303
    assert client.get("/tasks", follow_redirects=False).status_code == 303  # signed out at once
    assert sign_in(client, "new.person@example.test", "a-good-password").status_code != 303


def test_bad_user_input_is_shown_on_the_form(as_role) -> None:
    admin = as_role("admin")
    short = post(admin, "/admin/users", {"email": "p@example.test", "role": "csm", "password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert 'value="p@example.test"' in short.text  # what was typed is kept
    role = post(admin, "/admin/users", {"email": "p@example.test", "role": "boss", "password": "long-enough"})
    assert role.status_code == 422 and "role must be one of" in role.text


def test_an_admin_cannot_lock_the_company_out(as_role, context) -> None:
    admin = as_role("admin")
    page = admin.get("/admin/users").text
    (me,) = re.findall(r'action="/admin/users/(\d+)/active"', page)  # the only user so far
    refused = post(admin, f"/admin/users/{me}/active", {"active": "0"})
    assert refused.status_code == 303
    assert "you cannot deactivate yourself" in admin.get("/admin/users").text
    assert post(admin, f"/admin/users/{me}/role", {"role": "viewer"}).status_code == 303
    assert "you cannot demote yourself" in admin.get("/admin/users").text
    assert admin.get("/admin/users").status_code == 200  # still an admin


def test_source_write_key_is_shown_once(as_role) -> None:
    admin = as_role("admin")
    created = post(admin, "/admin/sources", {"name": "web-app"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    key = re.search(r'id="write-key">(wk_[\w-]+)<', created.text).group(1)
    listing = admin.get("/admin/sources").text
    assert "web-app" in listing and key not in listing and key[:8] in listing  # only the hint
    duplicate = post(admin, "/admin/sources", {"name": "web-app"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.text


def test_csrf_is_required(as_role) -> None:
    admin = as_role("admin")
    response = admin.post("/admin/sources", data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 403


def wait_for(admin, run_id: str) -> str:  # type: ignore[no-untyped-def]
    for _ in range(100):
        page = admin.get(f"/admin/import/{run_id}", headers={"HX-Request": "true"}).text
        if "every 1s" not in page:
            return page
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def start(admin, content: bytes, dry_run: bool, name: str = "accounts.csv") -> str:  # type: ignore[no-untyped-def]
    data = {"kind": "accounts", **({"dry_run": "1"} if dry_run else {})}
    response = post(admin, "/admin/import", data, files={"file": (name, content, "text/csv")},
                    headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200, response.text
    return re.search(r'id="import-run-(\w+)"', response.text).group(1)


def count_accounts(context) -> int:  # type: ignore[no-untyped-def]
    with context.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Account)))


def test_import_dry_run_then_import_and_problems_by_row_and_column(as_role, context) -> None:
    admin = as_role("admin")
    good = b"external_id,name,segment\nA1,Acme,smb\nA2,Bolt,enterprise\n"
    page = wait_for(admin, start(admin, good, dry_run=True))
    assert "Dry run passed: 2 rows are valid; nothing was written." in page
    assert count_accounts(context) == 0
    page = wait_for(admin, start(admin, good, dry_run=False))
    assert "Imported 2 rows: 2 new, 0 updated" in page
    assert count_accounts(context) == 2
    bad = b"external_id,name,employees\nA3,Cube,12\nA4,,many\n"
    page = wait_for(admin, start(admin, bad, dry_run=False, name="crm export.csv"))
    assert "2 problems found; nothing was written." in page
    assert "crm export.csv:3:name: a value is required" in page
    assert "crm export.csv:3:employees:" in page
    assert count_accounts(context) == 2  # all or nothing
    run_id = re.search(r"import-run-(\w+)", page).group(1)
    full = admin.get(f"/admin/import/{run_id}")
    assert full.status_code == 200 and "<html" in full.text  # a page of its own without HTMX
    listing = admin.get("/admin/import").text
    assert len(re.findall(r'href="/admin/import/\w+"', listing)) == 3  # this server's runs only


def test_unknown_import_kind_is_refused(as_role) -> None:
    admin = as_role("admin")
    response = post(admin, "/admin/import", {"kind": "planets"},
                    files={"file": ("p.csv", b"a\n1\n", "text/csv")})  # fmt: skip
    assert response.status_code == 422 and "unknown import kind" in response.text


@pytest.fixture
def scored_book(context):  # type: ignore[no-untyped-def]
    from datetime import date

    write_ledger(context, [Term(f"acct{i}", date(2024, 1, 1), None, str(100 * (i + 1))) for i in range(4)])
    return context


def grade_counts(page: str) -> dict[str, tuple[int, int]]:
    rows = re.findall(r'data-grade="(\w+)">.*?<td class="num">(\d+)</td><td class="num proposed">(\d+)</td>', page, re.S)
    return {grade: (int(before), int(after)) for grade, before, after in rows}


def test_scorecard_preview_moves_with_the_form_and_saves_a_version(scored_book, as_role) -> None:
    admin, manager = as_role("admin"), as_role("manager")
    editor = manager.get("/admin/scorecards/default")
    assert editor.status_code == 200 and 'name="g0.weight"' in editor.text
    assert "Save as version" not in editor.text  # managers preview only
    same = grade_counts(post(manager, "/admin/scorecards/default/preview", headers={"HX-Request": "true"}).text)
    assert same and all(before == after for before, after in same.values())
    scored = sum(before for grade, (before, _) in same.items() if grade != "none")
    assert scored > 0, same
    # grade limits move every scored account: red up to 99.98 makes them red (scores
    # here are not a perfect 100), red and yellow up to 0.02 makes them green
    def preview(red: str, yellow: str) -> dict[str, tuple[int, int]]:
        page = post(manager, "/admin/scorecards/default/preview", {"grade0.max": red, "grade1.max": yellow},
                    headers={"HX-Request": "true"}).text  # fmt: skip
        return grade_counts(page)

    all_red, all_green = preview("99.98", "99.99"), preview("0.01", "0.02")
    assert {g: b for g, (b, _) in all_red.items() if b} == {g: b for g, (b, _) in same.items() if b}
    assert all_red["red"][1] == scored and all_green["green"][1] == scored
    bad = post(manager, "/admin/scorecards/default/preview", {"g0.m0.curve": "0: 0, oops"},
               headers={"HX-Request": "true"})  # fmt: skip
    assert "product_usage / seat_utilisation: curve: point 2 &#39;oops&#39;: expected `value: score`" in bad.text
    assert post(manager, "/admin/scorecards/default", {"g0.weight": "50"}).status_code == 403
    saved = post(admin, "/admin/scorecards/default", {"g0.weight": "55"})
    assert saved.status_code == 303
    page = admin.get("/admin/scorecards/default").text
    assert "Saved default as version 2." in page and 'name="g0.weight" type="number" min="0" step="any" value="55.0"' in page
    invalid = post(admin, "/admin/scorecards/default", {"g0.weight": "-1"})
    assert invalid.status_code == 422 and "groups[0].weight" in invalid.text


def test_a_csm_cannot_manage_users_or_sources(as_role, make_user, context) -> None:
    csm = as_role("csm")
    target = make_user("viewer")
    with context.sessions() as session:
        from tenure.models.users import User

        target_id = session.scalar(select(User.id).where(User.email == target))
    for path, data in (("/admin/users", {"email": "y@example.test", "role": "admin", "password": "long-enough"}),
                       (f"/admin/users/{target_id}/role", {"role": "admin"}),
                       (f"/admin/users/{target_id}/active", {"active": "0"}),
                       ("/admin/sources", {"name": "x"}),
                       ("/admin/scorecards/default", {"g0.weight": "1"})):  # fmt: skip
        response = post(csm, path, data)
        assert response.status_code == 403, path
    with context.sessions() as session:
        assert session.get(User, target_id).role == "viewer" and session.get(User, target_id).is_active

"""Sign-in, sessions, CSRF and roles over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.models.web import WebSession
from tenure.web.sessions import token_hash
from tests.web.conftest import PASSWORD, csrf_of, login_token, sign_in

PAGES = ["/", "/portfolio", "/tasks"]


def _sessions(context: AppContext) -> list[WebSession]:
    with unit_of_work(context.sessions) as session:
        return list(session.scalars(select(WebSession)))


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_pages_redirect_to_login_with_next(client: TestClient, path: str) -> None:
    response = client.get(path + "?segment=smb", follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login")
    if path != "/":
        assert "next=" in location and path.lstrip("/") in location


def test_login_form_has_contract_fields(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    for field in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert field in page.text
    assert page.headers["X-Frame-Options"] == "DENY"  # no clickjacking of the forms
    policy = dict(d.strip().split(" ", 1) for d in page.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == policy["style-src"] == policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:" and policy["base-uri"] == "'self'"


def test_no_page_template_carries_inline_script_or_style() -> None:
    """The policy allows neither; a template that adds one would break in browsers."""
    from pathlib import Path

    import tenure.web

    inline = re.compile(
        r"<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=|\shx-on|javascript:|\"js:|hx-trigger=\"[^\"]*\[",
        re.I,
    )
    root = Path(tenure.web.__file__).parent / "templates"
    offenders = [
        f"{template.relative_to(root)}: {found.group(0)}"
        for template in root.rglob("*.html")
        for found in inline.finditer(template.read_text())
    ]
    assert offenders == []


def test_api_answers_carry_no_page_policy(client: TestClient) -> None:
    assert "Content-Security-Policy" not in client.get("/healthz").headers
    assert "Content-Security-Policy" not in client.get("/api/v1/accounts").headers
    assert "default-src 'self'" in client.get("/no-such-page").headers["Content-Security-Policy"]


def test_sign_in_sets_a_safe_cookie_and_stores_only_a_hash(
    client: TestClient, make_user: Callable[..., str], context: AppContext
) -> None:
    email = make_user("csm")
    response = sign_in(client, email)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tenure_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "expires=" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    (stored,) = _sessions(context)
    assert stored.token_hash == token_hash(token) != token
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_email_are_refused_alike(
    client: TestClient, make_user: Callable[..., str], context: AppContext
) -> None:
    email = make_user("csm")
    wrong = sign_in(client, email, "not-the-password")
    unknown = sign_in(client, "nobody@example.test", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.text and "do not match" in unknown.text
    assert _sessions(context) == []


def test_next_goes_back_but_never_off_site(client: TestClient, make_user: Callable[..., str]) -> None:
    email = make_user("viewer")
    for target, expected in [("/tasks?x=1", "/tasks?x=1"), ("https://evil.example/", "/"),
                             ("//evil.example", "/")]:
        token = login_token(client)
        form = {"email": email, "password": PASSWORD, "csrf_token": token, "next": target}
        response = client.post("/login", data=form, follow_redirects=False)
        assert response.headers["location"] == expected
        client.cookies.clear()


def test_login_without_csrf_token_is_refused(client: TestClient, make_user: Callable[..., str]) -> None:
    email = make_user("csm")
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert "tenure_session" not in response.headers.get("set-cookie", "")


def test_sign_out_deletes_the_session_row(
    as_role: Callable[[str], TestClient], context: AppContext
) -> None:
    csm = as_role("csm")
    assert len(_sessions(context)) == 1
    old_cookie = csm.cookies.get("tenure_session")
    response = csm.post("/logout", data={"csrf_token": csrf_of(csm)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert _sessions(context) == []
    csm.cookies.set("tenure_session", old_cookie)  # a stolen cookie is worthless now
    assert csm.get("/", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token(as_role: Callable[[str], TestClient], context: AppContext) -> None:
    csm = as_role("csm")
    response = csm.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert len(_sessions(context)) == 1
    header = csm.post("/logout", headers={"X-CSRF-Token": csrf_of(csm)}, follow_redirects=False)
    assert header.status_code == 303


def test_expired_session_redirects_to_login(
    as_role: Callable[[str], TestClient], context: AppContext
) -> None:
    viewer = as_role("viewer")
    with unit_of_work(context.sessions) as session:
        session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert viewer.get("/portfolio", follow_redirects=False).status_code == 303


def test_inactive_user_loses_access(as_role: Callable[[str], TestClient], context: AppContext) -> None:
    from tenure.models.users import User

    viewer = as_role("viewer")
    with unit_of_work(context.sessions) as session:
        session.execute(update(User).values(is_active=False))
    assert viewer.get("/", follow_redirects=False).status_code == 303


def test_htmx_request_signed_out_gets_hx_redirect(client: TestClient) -> None:
    response = client.get("/tasks", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_friendly_404_page_for_people_and_json_for_the_api(
    as_role: Callable[[str], TestClient],
) -> None:
    viewer = as_role("viewer")
    page = viewer.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "Page not found" in page.text
    assert "<nav" in page.text  # the signed-in layout, with a way back
    api = viewer.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


def test_sessions_count_one_per_sign_in(
    client: TestClient, make_user: Callable[..., str], context: AppContext
) -> None:
    email = make_user("manager")
    sign_in(client, email)
    client.cookies.clear()
    sign_in(client, email)
    with unit_of_work(context.sessions) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 2

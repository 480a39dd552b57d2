"""Who is signed in, what their role allows, and CSRF protection for every form.

Dependencies for page modules (use them on every page and action):

- `page_router(**kwargs)`: an `APIRouter` for pages; HTML responses, hidden from the
  OpenAPI document, and `verify_csrf` on every POST/PUT/PATCH/DELETE it serves.
- `require_role("viewer" | "csm" | "manager" | "admin")`: a dependency returning the
  signed-in `SignedIn` (user_id, email, name, role, csrf_token) when their role is at
  least the one named (admin > manager > csm > viewer). Signed out: redirect to
  `/login?next=<this page>` (HTMX requests get an `HX-Redirect`). Role too low: the
  friendly 403 page. Reading pages use `require_role("viewer")`; changing anything
  needs at least `"csm"`; managing users needs `"admin"`.
- `current_user`: the `SignedIn` or None, never redirects.
- `role_at_least(user, "manager")`: the same rule as a boolean, e.g. to hide buttons.

CSRF: each session has its own token, in every template as `csrf_token` (and the
`csrf_field()` macro makes the hidden input). POSTs must send it as the form field
`csrf_token` or the `X-CSRF-Token` header (base.html sets that header for every HTMX
request). The sign-in form, before a session exists, uses a token in the
`tenure_login_csrf` cookie (double submit).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tenure.api.deps import get_session
from tenure.errors import TenureError
from tenure.web import sessions
from tenure.web.sessions import SignedIn

SESSION_COOKIE = "tenure_session"
LOGIN_CSRF_COOKIE = "tenure_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ROLE_RANK = {"viewer": 0, "csm": 1, "manager": 2, "admin": 3}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(TenureError):
    """Signed out (or the session expired): pages redirect to /login?next=..."""

    status = 401


class Forbidden(TenureError):
    status = 403


def role_at_least(user: SignedIn | None, role: str) -> bool:
    return user is not None and ROLE_RANK.get(user.role, -1) >= ROLE_RANK[role]


def current_user(
    request: Request, session: Annotated[Session, Depends(get_session)]
) -> SignedIn | None:
    """The signed-in user (looked up once per request), or None."""
    if not hasattr(request.state, "signed_in"):
        token = request.cookies.get(SESSION_COOKIE)
        request.state.signed_in = sessions.lookup(session, token) if token else None
    return request.state.signed_in  # type: ignore[no-any-return]


def require_role(role: str) -> Callable[..., SignedIn]:
    """A dependency: the signed-in user if their role is at least `role`."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def dependency(user: Annotated[SignedIn | None, Depends(current_user)]) -> SignedIn:
        if user is None:
            raise SignInRequired("please sign in")
        if not role_at_least(user, role):
            raise Forbidden(f"this needs the {role} role or higher; you are signed in as {user.role}")
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


class CsrfRejected(TenureError):
    status = 403


async def verify_csrf(
    request: Request, user: Annotated[SignedIn | None, Depends(current_user)]
) -> None:
    """Unsafe requests must carry the session's CSRF token (form field or header)."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = user.csrf_token if user is not None else request.cookies.get(LOGIN_CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        sent = (await request.form()).get(CSRF_FIELD)  # type: ignore[assignment]
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRejected(
            "this form has expired or did not come from Tenure; reload the page and try again"
        )


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def page_router(**kwargs: Any) -> APIRouter:
    """An APIRouter for web pages: HTML, not in the API schema, CSRF-checked."""
    dependencies = [Depends(verify_csrf), *kwargs.pop("dependencies", [])]
    return APIRouter(
        include_in_schema=False,
        default_response_class=HTMLResponse,
        dependencies=dependencies,
        **kwargs,
    )

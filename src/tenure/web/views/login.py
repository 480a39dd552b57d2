"""`/login` (the form: fields `email`, `password`, hidden `csrf_token`) and `/logout`."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tenure.api.deps import get_context, get_session
from tenure.kit.context import AppContext
from tenure.users import service as users
from tenure.web import sessions
from tenure.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SignedIn,
    current_user,
    page_router,
    require_role,
)
from tenure.web.templating import redirect, render
from tenure.web.throttle import SignInThrottle, minutes_text

router = page_router()


def safe_next(target: str | None) -> str:
    """Only local paths: `next` must never send people to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_form(
    request: Request,
    user: Annotated[SignedIn | None, Depends(current_user)],
    next: str | None = None,  # noqa: A002 - the query parameter's name
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next, status=200)


def _form(
    request: Request, next_url: str | None, *, status: int, error: str | None = None,
    email: str = "",
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    context = {"next": safe_next(next_url), "error": error, "email": email, "csrf_token": token}
    response = render(request, "login.html", context, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", path="/login",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    session: Annotated[Session, Depends(get_session)],
    context: Annotated[AppContext, Depends(get_context)],
    next: Annotated[str | None, Form()] = None,  # noqa: A002
) -> Response:
    throttle: SignInThrottle = request.app.state.signin_throttle
    address = request.client.host if request.client else None
    if wait := throttle.locked_for(email, address):
        return _too_many(request, next, email, wait)
    user = users.authenticate(session, email, password)
    if user is None:
        if wait := throttle.failed(email, address):
            return _too_many(request, next, email, wait)
        message = "That email and password do not match an active user."
        return _form(request, next, status=401, error=message, email=email)
    throttle.succeeded(email)
    lifetime = timedelta(hours=context.settings.web_session_hours)
    token, expires = sessions.start(session, user.id, lifetime)
    response = redirect(safe_next(next))
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", path="/", expires=expires,
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _too_many(request: Request, next_url: str | None, email: str, wait: float) -> Response:
    """429: the same answer whether or not the email belongs to a user."""
    message = f"Too many failed sign-in attempts. Try again in {minutes_text(wait)}."
    response = _form(request, next_url, status=429, error=message, email=email)
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


@router.post("/logout")
def logout(
    request: Request,
    _user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.end(session, token)
    response = redirect("/login", "You are signed out.", "info")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

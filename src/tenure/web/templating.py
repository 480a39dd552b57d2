"""The Jinja2 environment and the helpers every page uses: `render`, `redirect`, `flash`.

Templates live in `tenure/web/templates/` (an area's in a folder of its own, e.g.
`templates/dashboards/`). They extend `base.html` and fill the blocks `title`,
`content` and optionally `head` (extra stylesheets) and `scripts`. Every template sees
`user` (the `SignedIn` or None), `csrf_token`, `csrf_field()`, `flashes`, `nav`
(the current section), `request`, `can(role)` and the filters below.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tenure import __version__
from tenure.web.auth import LOGIN_CSRF_COOKIE, role_at_least

TEMPLATES = Path(__file__).parent / "templates"
FLASH_COOKIE = "tenure_flash"
FLASH_KINDS = ("success", "info", "warning", "error")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=money, number=number, percent=percent, day=day, tojson_attr=tojson_attr)
    env.globals.update(version=__version__, query_with=query_with)
    return env


# --- filters ---------------------------------------------------------------------------


def money(value: Decimal | float | int | None, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"${float(value):,.{places}f}"


def number(value: float | int | None, places: int = 0) -> str:
    return "–" if value is None else f"{float(value):,.{places}f}"


def percent(value: float | None, places: int = 1) -> str:
    """A fraction (0.25) shown as a percentage (25.0%)."""
    return "–" if value is None else f"{float(value) * 100:.{places}f}%"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else value.isoformat()


def tojson_attr(value: Any) -> str:
    """JSON for an HTML attribute (autoescaping quotes it), e.g. data-vega-spec."""
    return json.dumps(value, default=str, separators=(",", ":"))


def query_with(request: Request, **changes: Any) -> str:
    """This page's query string with some parameters changed (None removes one)."""
    params = {k: v for k, v in request.query_params.multi_items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None and v != ""})
    return "?" + urlencode(params)


# --- responses -------------------------------------------------------------------------


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with the common context; shows (and clears) pending flashes."""
    user = getattr(request.state, "signed_in", None)
    token = (context or {}).get("csrf_token") or (
        user.csrf_token if user is not None else request.cookies.get(LOGIN_CSRF_COOKIE, "")
    )
    # HTMX fragments have no flash area: leave pending flashes for the next full page.
    flashes = [] if request.headers.get("HX-Request") == "true" else _read_flashes(request)
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "csrf_token": token,
        "csrf_field": lambda: Markup('<input type="hidden" name="csrf_token" value="{}">').format(token),
        "flashes": flashes,
        "can": lambda role: role_at_least(user, role),
        "nav": None,
    }
    values.update(context or {})
    body = environment().get_template(template).render(values)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, message: str | None = None, kind: str = "success") -> RedirectResponse:
    """A 303 redirect (after a POST), optionally carrying a flash message."""
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, message, kind)
    return response


def flash(response: Response, message: str, kind: str = "success") -> None:
    """Show `message` on the next page rendered for this browser."""
    if kind not in FLASH_KINDS:
        raise ValueError(f"flash kind must be one of {FLASH_KINDS}")
    payload = json.dumps([[kind, message]]).encode()
    value = base64.urlsafe_b64encode(payload).decode()
    response.set_cookie(FLASH_COOKIE, value, path="/", httponly=True, samesite="lax", max_age=120)


def _read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return [(str(kind), str(text)) for kind, text in items if kind in FLASH_KINDS]
    except (ValueError, TypeError):
        return []

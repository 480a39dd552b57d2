"""Wire the web app into the FastAPI app: `/static`, page routers, HTML error pages."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenure.errors import TenureError
from tenure.kit.db import unit_of_work
from tenure.web import sessions
from tenure.web.auth import SESSION_COOKIE, SignInRequired
from tenure.web.pages import PAGES
from tenure.web.templating import render
from tenure.web.throttle import SignInThrottle

STATIC = Path(__file__).parent / "static"
# Paths that belong to machines (JSON errors), not to people.
API_PREFIXES = ("/api/", "/v1/", "/webhooks/", "/healthz", "/openapi.json", "/docs", "/redoc")
TITLES = {
    403: "You can't do that",
    404: "Page not found",
    405: "Not allowed here",
    500: "Something went wrong",
}
log = logging.getLogger("tenure.web")


# Content-Security-Policy for every page. No inline script, no eval and no inline style:
# tenure.js renders charts with vega-embed's expression interpreter (`ast: true`) and
# turns off the <style> elements htmx / vega-embed / vega-tooltip would inject (their
# rules are in tenure.css); templates use classes, never `style=` or `on*=` attributes.
# Vega and the tooltip set positions through the CSSOM (element.style.x = ...), which
# CSP allows, so 'unsafe-inline' is not needed for style-src.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.signin_throttle = SignInThrottle.from_settings(app.state.context.settings)

    app.add_middleware(SecurityHeaders)
    for router in PAGES():
        app.include_router(router)
    api_handler = app.exception_handlers[TenureError]

    async def tenure_error(request: Request, error: Exception) -> Response:
        if not is_page_request(request):
            return await api_handler(request, error)
        assert isinstance(error, TenureError)
        if isinstance(error, SignInRequired):
            return sign_in_redirect(request)
        return error_page(request, error.status, error.message)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if is_page_request(request) and _accepts_html(request):
            return error_page(request, error.status_code, None)
        return JSONResponse({"detail": error.detail}, error.status_code, headers=error.headers)

    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_page_request(request):
            return error_page(request, 500, None)
        return JSONResponse({"code": "InternalError", "message": "internal error"}, 500)

    app.add_exception_handler(TenureError, tenure_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)


class SecurityHeaders:
    """SECURITY_HEADERS on every page response. Plain ASGI: `@app.middleware("http")`
    (BaseHTTPMiddleware) would start a task group for every request, API ones included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_page_request(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def _accepts_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept or not accept


def sign_in_redirect(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login" if here == "/" else f"/login?next={quote(here, safe='')}"
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, message: str | None) -> Response:
    _resolve_user(request)
    title = TITLES.get(status, "Something went wrong" if status >= 500 else "That didn't work")
    context = {"status": status, "title": title, "message": message}
    return render(request, "error.html", context, status_code=status)


def _resolve_user(request: Request) -> None:
    """Routes that did not run (404s) never looked up who is signed in; do it for the nav."""
    if hasattr(request.state, "signed_in"):
        return
    token = request.cookies.get(SESSION_COOKIE)
    request.state.signed_in = None
    if not token:
        return
    try:
        with unit_of_work(request.app.state.context.sessions) as session:
            request.state.signed_in = sessions.lookup(session, token)
    except Exception:  # noqa: BLE001 - an error page must render even if the database is down
        log.warning("could not look up the session for an error page", exc_info=True)

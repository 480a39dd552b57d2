"""Fixtures for web tests: users per role, signed-in HTTP clients, and a real browser.

HTTP level (both databases, through `context`):
- `web_app`: the FastAPI app; `client`: a TestClient on it (signed out).
- `make_user(role, email=None)`: a user with password `PASSWORD`; returns the email.
- `sign_in(client, email)`: signs the client in through the real /login form.
- `as_role(role)`: a new TestClient signed in as a fresh user of that role.
- `csrf_of(client)`: the signed-in session's CSRF token, read from a page.

Browser (Playwright driving Debian's /usr/bin/chromium; skipped with the reason when it
is absent): `live_server` (uvicorn in a thread, base URL), `browser`, `page` (collects
console errors and page errors in `page.errors`), `screenshot(page, name)` saving
`test-artifacts/web/<name>.png` at the repository root.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.users import service as users
from tenure.users.schemas import UserCreate

PASSWORD = "correct-horse-battery"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')


@pytest.fixture
def web_app(context: AppContext) -> FastAPI:
    return create_app(context, run_jobs=False)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture
def make_user(context: AppContext) -> Callable[..., str]:
    counter = iter(range(1, 10_000))

    def make(role: str, email: str | None = None, name: str | None = None) -> str:
        email = email or f"{role}{next(counter)}@example.test"
        with unit_of_work(context.sessions) as session:
            data = UserCreate.parse(email=email, role=role, password=PASSWORD, name=name)
            users.create_user(session, data)
        return email

    return make


def login_token(client: TestClient, next_url: str | None = None) -> str:
    page = client.get("/login" + (f"?next={next_url}" if next_url else ""))
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the sign-in form has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    token = login_token(client)
    form = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=form, follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    found = _CSRF.search(client.get("/").text)
    assert found and found.group(1), "no CSRF token on the home page (signed out?)"
    return found.group(1)


@pytest.fixture
def as_role(web_app: FastAPI, make_user: Callable[..., str]) -> Iterator[Callable[[str], TestClient]]:
    opened: list[TestClient] = []

    def signed_in(role: str) -> TestClient:
        test_client = TestClient(web_app)
        test_client.__enter__()
        opened.append(test_client)
        response = sign_in(test_client, make_user(role))
        assert response.status_code == 303, response.text
        return test_client

    yield signed_in
    for test_client in opened:
        test_client.__exit__(None, None, None)


# --- the browser -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(web_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("browser tests need /usr/bin/chromium (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Reports every Content-Security-Policy violation the page sees to the test (the binding
# is installed by Playwright, outside the page's CSP).
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__tenureCspViolation(
    e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " +
    (e.sourceFile || location.pathname) + ":" + e.lineNumber + " on " + location.pathname);
});
"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab (1280x800); `page.errors` lists console errors and page errors,
    `page.csp_violations` every Content-Security-Policy violation (event or console)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    violations: list[str] = []
    context.expose_function("__tenureCspViolation", lambda text: violations.append(text))
    context.add_init_script(_CSP_LISTENER)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.errors = errors
    tab.csp_violations = violations
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def screenshot(tab: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path

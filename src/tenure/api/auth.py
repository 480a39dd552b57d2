"""Who is calling `/api/v1`, and whether their role allows it. Applied in one place.

`api_caller` is added to every router by `create_app` (tenure.api.app). It checks only
routes whose path starts with `/api/v1`; `/healthz`, the tracking API (`/v1/*`, write
keys), `POST /webhooks/stripe` (signatures), the OpenAPI document and the web pages are
left to their own rules.

The caller is either
- a bearer token: `Authorization: Bearer tnr_...` (`tenure users token create`), or
- the web session cookie; then POST/PUT/PATCH/DELETE also need the session's CSRF token
  in `X-CSRF-Token` (the same check as the web pages, `tenure.web.auth.verify_csrf`).

No credentials, a bad/revoked token, an expired session or an inactive user: 401 with
`WWW-Authenticate: Bearer`. Default rule: GET/HEAD need viewer, other methods csm. A
route that needs more declares it itself: `dependencies=[requires("manager")]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.params import Depends as DependsParam
from sqlalchemy.orm import Session

from tenure.api.deps import get_context
from tenure.errors import TenureError
from tenure.kit.db import unit_of_work
from tenure.users import tokens
from tenure.web.auth import ROLE_RANK, SESSION_COOKIE, Forbidden, current_user, verify_csrf

API_PREFIX = "/api/v1"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthorized(TenureError):
    """No valid credentials: rendered as 401 with `WWW-Authenticate: Bearer`."""

    status = 401
    headers = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    """The user behind a request: `via` is "token" or "session"."""

    user_id: int
    email: str
    role: str
    via: str


def is_protected(request: Request) -> bool:
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


async def api_caller(request: Request) -> Caller | None:
    """The authenticated caller of an `/api/v1` route (None for routes outside it).

    Its own short transaction (records the token's last use), so routes outside
    `/api/v1` (e.g. high-volume tracking) open no database session for it."""
    if not is_protected(request):
        return None
    with unit_of_work(get_context(request).sessions) as session:
        caller = await _identify(request, session)
    _check_role(caller, "viewer" if request.method in READ_METHODS else "csm")
    return caller


async def _identify(request: Request, session: Session) -> Caller:
    authorization = request.headers.get("authorization")
    if authorization is not None:
        return _bearer(session, authorization)
    signed_in = current_user(request, session)
    if signed_in is None:
        raise Unauthorized("authentication required: send Authorization: Bearer <API token>")
    await verify_csrf(request, signed_in)  # only unsafe methods are checked
    return Caller(signed_in.user_id, signed_in.email, signed_in.role, via="session")


def _bearer(session: Session, authorization: str) -> Caller:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <API token>'")
    owner = tokens.authenticate(session, token.strip())
    if owner is None:
        raise Unauthorized("the API token is unknown or revoked, or its user is inactive")
    return Caller(owner.user_id, owner.email, owner.role, via="token")


def _check_role(caller: Caller, role: str) -> None:
    if ROLE_RANK.get(caller.role, -1) < ROLE_RANK[role]:
        raise Forbidden(f"this needs the {role} role or higher; the caller is {caller.role}")


def requires(role: str) -> DependsParam:
    """A route dependency raising the bar above the default, e.g. `requires("admin")`."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def dependency(caller: Annotated[Caller | None, Depends(api_caller)]) -> None:
        if caller is None:  # a route outside /api/v1 cannot use this rule
            raise Forbidden(f"this needs the {role} role")
        _check_role(caller, role)

    dependency.__name__ = f"requires_{role}"
    return Depends(dependency)



# --- OpenAPI: the same rules, declared so generated clients and /docs "Authorize" work --

SECURITY_SCHEMES = {
    "apiToken": {
        "type": "http", "scheme": "bearer", "bearerFormat": "tnr_...",
        "description": "An API token from `tenure users token create`.",
    },
    "sessionCookie": {
        "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
        "description": "The web app's session cookie (signed in at /login).",
    },
    "csrfToken": {
        "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
        "description": "With the session cookie, POST/PUT/PATCH/DELETE also send the "
        "session's CSRF token (the `csrf-token` meta tag of any page).",
    },
}  # fmt: skip
UNAUTHORIZED = {"description": "No valid credentials (`WWW-Authenticate: Bearer`)."}


def document_security(app: FastAPI) -> None:
    """Declare the security schemes and, on every `/api/v1` operation, that it needs a
    bearer token or the session cookie (+ CSRF header for unsafe methods), its 401, and
    the role it needs (`x-tenure-role`, with a 403)."""
    generate = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            _add_security(generate(), _route_roles(app.router.routes))
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_security(schema: dict[str, Any], roles: dict[tuple[str, str], str]) -> None:
    schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            continue
        for method, operation in operations.items():
            read = method.upper() in READ_METHODS
            session = {"sessionCookie": []} if read else {"sessionCookie": [], "csrfToken": []}
            operation["security"] = [{"apiToken": []}, session]
            role = roles.get((method.upper(), path), "viewer" if read else "csm")
            operation["x-tenure-role"] = role
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", UNAUTHORIZED)
            responses.setdefault("403", {"description": f"Needs the {role} role or higher."})


def _route_roles(routes: list[Any], prefix: str = "") -> dict[tuple[str, str], str]:
    """(method, path) -> the role a `requires(...)` dependency on the route demands."""
    found: dict[tuple[str, str], str] = {}
    for route in routes:
        context = getattr(route, "include_context", None)
        if context is not None:
            found |= _route_roles(context.included_router.routes, prefix + context.prefix)
            continue
        names = [getattr(d.dependency, "__name__", "") for d in getattr(route, "dependencies", ())]
        demanded = [n.removeprefix("requires_") for n in names if n.startswith("requires_")]
        if demanded:
            top = max(demanded, key=ROLE_RANK.__getitem__)
            found |= {(method, prefix + route.path): top for method in route.methods or ()}
    return found

"""`/admin/users`: list (managers read), create, change role, deactivate (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.api.deps import get_session
from tenure.errors import TenureError
from tenure.models.types import Role
from tenure.users import service as users
from tenure.users.schemas import UserCreate
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import redirect, render

router = page_router()
Manager = Annotated[SignedIn, Depends(require_role("manager"))]
Admin = Annotated[SignedIn, Depends(require_role("admin"))]
DbSession = Annotated[Session, Depends(get_session)]
ROLES = [role.value for role in Role]


def _page(request: Request, session: Session, status: int = 200, error: str | None = None,
          form: dict[str, str] | None = None) -> Response:  # fmt: skip
    return render(request, "admin/users.html", {
        "nav": "admin", "users": users.list_users(session), "roles": ROLES, "error": error,
        "form": form or {},
    }, status_code=status)  # fmt: skip


@router.get("/admin/users")
def list_users(request: Request, user: Manager, session: DbSession) -> Response:
    return _page(request, session)


@router.post("/admin/users")
def create_user(
    request: Request, user: Admin, session: DbSession,
    email: Annotated[str, Form()], role: Annotated[str, Form()],
    password: Annotated[str, Form()], name: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        data = UserCreate.parse(email=email, role=role, password=password, name=name or None)
        created = users.create_user(session, data)
    except TenureError as error:
        session.rollback()
        return _page(request, session, error.status, error.message, {"email": email, "name": name, "role": role})
    return redirect("/admin/users", f"Created {created.email} ({created.role}).")


@router.post("/admin/users/{user_id}/role")
def change_role(request: Request, user_id: int, user: Admin, session: DbSession,
                role: Annotated[str, Form()]) -> Response:  # fmt: skip
    try:
        changed = users.change_role(session, user_id, role, user.user_id)
    except TenureError as error:
        return redirect("/admin/users", error.message, "error")
    return redirect("/admin/users", f"{changed.email} is now {changed.role}.")


@router.post("/admin/users/{user_id}/active")
def set_active(request: Request, user_id: int, user: Admin, session: DbSession,
               active: Annotated[str, Form()]) -> Response:  # fmt: skip
    try:
        changed = users.set_active(session, user_id, active == "1", user.user_id)
    except TenureError as error:
        return redirect("/admin/users", error.message, "error")
    state = "reactivated" if changed.is_active else "deactivated; their sessions no longer work"
    return redirect("/admin/users", f"{changed.email} {state}.")

"""Tasks queue: `/tasks` with filters; complete, snooze, reassign, add a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()


@router.get("/tasks")
def tasks(
    request: Request, user: Annotated[SignedIn, Depends(require_role("viewer"))]
) -> Response:
    return render(request, "tasks.html", {"nav": "tasks"})

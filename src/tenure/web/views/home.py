"""Home, "my day": my open tasks, health changes in my book, renewals due, new alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()


@router.get("/")
def home(
    request: Request, user: Annotated[SignedIn, Depends(require_role("viewer"))]
) -> Response:
    return render(request, "home.html", {"nav": "home"})

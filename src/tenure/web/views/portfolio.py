"""Portfolio (book of business): accounts filtered, sorted, paginated; saved views; CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()


@router.get("/portfolio")
def portfolio(
    request: Request, user: Annotated[SignedIn, Depends(require_role("viewer"))]
) -> Response:
    return render(request, "portfolio.html", {"nav": "portfolio"})

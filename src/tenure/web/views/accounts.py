"""Account 360: `/accounts/{external_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()


@router.get("/accounts/{external_id}")
def account(
    request: Request, external_id: str,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
) -> Response:
    return render(request, "account.html", {"nav": "portfolio", "external_id": external_id})

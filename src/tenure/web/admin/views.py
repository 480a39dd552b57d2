"""The admin area: `/admin` and its pages (users and roles, ingestion sources and write
keys, scorecard editor with live preview, file imports). Managers read where sensible
(users, sources, scorecards and their preview); only admins change anything."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from tenure.web.admin import import_views, scorecards_views, sources_views, users_views
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()


@router.get("/admin")
def admin_home(request: Request, user: Annotated[SignedIn, Depends(require_role("manager"))]) -> Response:
    return render(request, "admin/index.html", {"nav": "admin"})


for _area in (users_views, sources_views, scorecards_views, import_views):
    router.include_router(_area.router)

"""`/admin/import`: upload a CSV (or events file), dry run by default, progress polled
by HTMX, then the report or every problem as file:row:column. Admins only."""

from __future__ import annotations

import shutil
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from tenure.api.deps import get_context
from tenure.kit.context import AppContext
from tenure.web.admin import imports
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()
Admin = Annotated[SignedIn, Depends(require_role("admin"))]
Context = Annotated[AppContext, Depends(get_context)]


def kinds() -> list[str]:
    from tenure.imports.base import IMPORT_KINDS, get_kind

    get_kind("accounts")  # loads the registry
    return sorted(IMPORT_KINDS)


@router.get("/admin/import")
def import_page(request: Request, user: Admin, context: Context) -> Response:
    return render(request, "admin/import.html",
                  {"nav": "admin", "kinds": kinds(), "runs": imports.recent_runs(context)})  # fmt: skip


@router.post("/admin/import")
def start(
    request: Request, user: Admin, context: Context,
    kind: Annotated[str, Form()], file: Annotated[UploadFile, File()],
    dry_run: Annotated[str | None, Form()] = None,
) -> Response:  # fmt: skip
    name = file.filename or "upload.csv"
    path = imports.upload_path(context, name)
    with path.open("wb") as out:
        shutil.copyfileobj(file.file, out)
    run = imports.start_import(context, kind, path, name, dry_run is not None, user.email)
    return _run_response(request, run)


@router.get("/admin/import/{run_id}")
def progress(request: Request, run_id: str, user: Admin, context: Context) -> Response:
    return _run_response(request, imports.get_run(context, run_id))


def _run_response(request: Request, run: imports.ImportRun) -> Response:
    if request.headers.get("HX-Request"):
        return render(request, "admin/_import_run.html", {"run": run})
    return render(request, "admin/import_run.html", {"nav": "admin", "run": run})

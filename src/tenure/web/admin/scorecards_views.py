"""`/admin/scorecards`: the scorecards (managers read and preview), the editor with a
live preview of the score distribution and grades before saving (admins save).

Preview and save go through `tenure.health.service.preview_scorecard` and
`save_scorecard` (the same rules as `POST /api/v1/health/scorecards/{name}/preview`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from tenure.api.deps import get_context, get_today
from tenure.errors import TenureError
from tenure.kit.context import AppContext
from tenure.web.admin import scorecard_form
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import redirect, render

router = page_router()
Manager = Annotated[SignedIn, Depends(require_role("manager"))]
Context = Annotated[AppContext, Depends(get_context)]
GRADE_ORDER = ("red", "yellow", "green", "none")


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}


@router.get("/admin/scorecards")
def scorecards(request: Request, user: Manager, context: Context) -> Response:
    from tenure.health import service as health

    return render(request, "admin/scorecards.html",
                  {"nav": "admin", "cards": health.list_scorecards(context.settings)})  # fmt: skip


def _editor(request: Request, context: AppContext, name: str, status: int = 200,
            error: str | None = None, form: dict[str, str] | None = None) -> Response:  # fmt: skip
    from tenure.health import store

    card = store.get(context.settings, name)
    return render(request, "admin/scorecard_edit.html", {
        "nav": "admin", "card": card, "groups": scorecard_form.editor_fields(card),
        "error": error, "form": form or {},
    }, status_code=status)  # fmt: skip


@router.get("/admin/scorecards/{name}")
def edit(request: Request, name: str, user: Manager, context: Context) -> Response:
    return _editor(request, context, name)


def preview_view(preview: Any) -> dict[str, Any]:
    """Grade counts and histogram before and after, as the preview computed them."""
    grades = [{"grade": g, "before": preview.before["grades"].get(g, 0),
               "after": preview.after["grades"].get(g, 0)}
              for g in GRADE_ORDER
              if g in preview.before["grades"] or g in preview.after["grades"]]  # fmt: skip
    bars = [{"range": f"{b['from']}-{b['to']}", "from": b["from"], "accounts": b["accounts"], "when": when}
            for when in ("before", "after") for b in getattr(preview, when)["histogram"]]  # fmt: skip
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "Score distribution: saved vs proposed", "width": "container", "height": 220,
        "data": {"values": bars}, "mark": "bar",
        "encoding": {
            "x": {"field": "range", "type": "ordinal", "sort": {"field": "from"}, "title": "score"},
            "xOffset": {"field": "when", "sort": ["before", "after"]},
            "y": {"field": "accounts", "type": "quantitative", "title": "accounts"},
            "color": {"field": "when", "type": "nominal", "title": None, "sort": ["before", "after"],
                      "scale": {"range": ["#9aa5b1", "#4a6fa5"]}},
            "tooltip": [{"field": "when"}, {"field": "range"}, {"field": "accounts"}],
        },
        "config": {"view": {"stroke": None}},
    }  # fmt: skip
    return {"preview": preview, "grades": grades, "spec": spec}


@router.post("/admin/scorecards/{name}/preview")
async def preview(request: Request, name: str, user: Manager, context: Context,
                  today: Annotated[Any, Depends(get_today)]) -> Response:  # fmt: skip
    from tenure.health import service as health
    from tenure.health import store

    try:
        document = scorecard_form.apply_form(store.get(context.settings, name), await _form(request))
        result = health.preview_scorecard(context, name, document, today)
    except TenureError as error:
        return render(request, "admin/_preview.html", {"error": error.message})
    return render(request, "admin/_preview.html", preview_view(result))


@router.post("/admin/scorecards/{name}")
async def save(request: Request, name: str, user: Annotated[SignedIn, Depends(require_role("admin"))],
               context: Context) -> Response:  # fmt: skip
    from tenure.health import service as health
    from tenure.health import store

    form = await _form(request)
    try:
        document = scorecard_form.apply_form(store.get(context.settings, name), form)
        document.pop("version", None)
        saved = health.save_scorecard(context.settings, name, document, source="editor")
    except TenureError as error:
        return _editor(request, context, name, error.status, error.message, form)
    return redirect(f"/admin/scorecards/{name}",
                    f"Saved {saved.name} as version {saved.version}. Scores change from the next "
                    f"scoring run; re-score history with `tenure health rescore`.")  # fmt: skip

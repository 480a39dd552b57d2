"""Dashboards pages: `/dashboards` (filters and sections loaded by HTMX),
`/dashboards/sections/{name}` (one section's fragment) and `/dashboards/accounts`
(the drill-down listing the accounts behind a number). Viewers and up may read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.api.deps import get_context, get_session, get_today
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.models.types import Segment
from tenure.users import service as users
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.dashboards import directory, figures, health, sections, traces  # noqa: F401 - health registers
from tenure.web.dashboards.schemas import DashboardParams
from tenure.web.dashboards.scope import parse_scope, parse_window
from tenure.web.templating import render

router = page_router()
Viewer = Annotated[SignedIn, Depends(require_role("viewer"))]
Text = Annotated[str | None, Query()]


def dashboard_params(
    segment: Text = None, owner: Text = None,
    from_: Annotated[str | None, Query(alias="from")] = None, to: Text = None,
    cohort: Text = None,
    today: Annotated[object, Depends(get_today)] = None,
) -> DashboardParams:  # fmt: skip
    window = parse_window(from_, to, today)  # type: ignore[arg-type]
    return DashboardParams(parse_scope(segment, owner), window, today, parse_year(cohort))  # type: ignore[arg-type]


def parse_year(text: str | None) -> int | None:
    """The sBG cohort year (empty: chosen automatically)."""
    if not text or not text.strip():
        return None
    if not text.strip().isdigit() or not 1900 <= int(text) <= 9999:
        raise Invalid(f"cohort: expected a year YYYY, got {text!r}")
    return int(text)


Params = Annotated[DashboardParams, Depends(dashboard_params)]


def filter_options(session: Session) -> dict[str, object]:
    owners = sorted(u.email for u in users.list_users(session) if u.is_active)
    return {"segments": [s.value for s in Segment], "owners": owners}


@router.get("/dashboards")
def dashboards(request: Request, user: Viewer, params: Params,
               session: Annotated[Session, Depends(get_session)]) -> Response:  # fmt: skip
    query = {**params.scope.query(), **params.window.query()}
    if params.cohort_year:
        query["cohort"] = str(params.cohort_year)
    return render(request, "dashboards/index.html", {
        "nav": "dashboards", "params": params, "query": query,
        "dash_sections": list(sections.SECTIONS.values()), **filter_options(session),
    })  # fmt: skip


@router.get("/dashboards/sections/{name}")
def dashboard_section(request: Request, name: str, user: Viewer, params: Params,
                      context: Annotated[AppContext, Depends(get_context)]) -> Response:  # fmt: skip
    view = sections.build_section(context, name, params)
    return render(request, "dashboards/section.html", {"view": view})


@router.get("/dashboards/accounts")
def drill_down(
    request: Request, user: Viewer, params: Params,
    context: Annotated[AppContext, Depends(get_context)],
    session: Annotated[Session, Depends(get_session)],
    kind: Annotated[str, Query()], item: Text = None, month: Text = None, quarter: Text = None,
) -> Response:  # fmt: skip
    from tenure.metrics.service import parse_month

    trace = traces.get_trace(kind)
    drill = traces.DrillRequest(
        kind=kind, window=params.window, item=item or None, quarter=quarter,
        month=parse_month(month, "month") if month else None, as_of=params.today,
    )  # fmt: skip
    with figures.scoped_ledger(context, params.scope) as source:
        result = trace.run(context, source, drill)
    names = directory.labels(session, [row.external_id for row in result.rows])
    back = {**params.scope.query(), **params.window.query()}
    return render(request, "dashboards/accounts.html", {
        "nav": "dashboards", "result": result, "names": names, "params": params, "back": back,
    })  # fmt: skip

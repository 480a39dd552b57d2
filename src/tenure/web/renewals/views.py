"""`/renewals`: the pipeline by quarter (due, renewed, pending, churned) with the due
accounts of one quarter and the sales pool. Viewers and up may read it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.api.deps import get_context, get_session, get_today
from tenure.kit.context import AppContext
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.dashboards import directory
from tenure.web.dashboards.figures import Quarter
from tenure.web.dashboards.scope import parse_scope
from tenure.web.dashboards.views import filter_options
from tenure.web.renewals import service
from tenure.web.templating import render

router = page_router()
Text = Annotated[str | None, Query()]


@router.get("/renewals")
def renewals(
    request: Request, user: Annotated[SignedIn, Depends(require_role("viewer"))],
    context: Annotated[AppContext, Depends(get_context)],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[object, Depends(get_today)],
    segment: Text = None, owner: Text = None, quarter: Text = None, status: Text = None,
    grace_days: Annotated[int, Query(ge=0, le=3660)] = 30,
) -> Response:  # fmt: skip
    scope = parse_scope(segment, owner)
    selected = Quarter.parse(quarter) if quarter else None
    pipeline = service.build_pipeline(context, scope, today, selected, grace_days)  # type: ignore[arg-type]
    if status is not None and status not in service.STATUSES:
        from tenure.errors import Invalid

        raise Invalid(f"status: expected one of {', '.join(service.STATUSES)}, got {status!r}")
    base = {**scope.query(), **({"grace_days": str(grace_days)} if grace_days != 30 else {})}

    def href(label: str, state: str | None = None) -> str:
        return "/renewals?" + urlencode({**base, "quarter": label, **({"status": state} if state else {})})

    accounts = [a for a in pipeline.selected.result.accounts if status is None or a.status == status]
    shown = [a.external_id for a in accounts] + [a.external_id for _, a in pipeline.pool]
    return render(request, "renewals/index.html", {
        "nav": "renewals", "pipeline": pipeline, "scope": scope, "status": status,
        "accounts": sorted(accounts, key=lambda a: (a.window_closes_on, a.external_id)),
        "names": directory.labels(session, shown), "href": href, "grace_days": grace_days,
        "spec": service.pipeline_spec(pipeline, href), **filter_options(session),
    })  # fmt: skip

"""Portfolio (book of business): accounts filtered, sorted, paginated; saved views; CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from tenure.api.deps import get_session, get_today
from tenure.subscriptions import service as subscriptions
from tenure.web import saved_views
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.charts import sparkline_points
from tenure.web.forms import is_htmx, parse, query_of
from tenure.web.queries import portfolio as queries
from tenure.web.queries.portfolio import PAGE_SIZE, RENEWAL_WINDOWS, PortfolioFilters
from tenure.web.templating import redirect, render

router = page_router()
PAGE = "portfolio"
CSV_LIMIT = 200_000


@router.get("/portfolio")
def portfolio(
    request: Request,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    filters = parse(PortfolioFilters, query_of(request))
    rows, total = queries.rows(session, filters, today, user.email)
    ids = [row.id for row in rows]
    mrr = subscriptions.mrr_by_account(session, ids, today)
    trends = queries.health_trends(session, ids, today)
    context = {
        "nav": "portfolio",
        "filters": filters,
        "rows": [
            {"row": row, "arr": queries.arr_of(mrr, row.id),
             "spark": sparkline_points(trends.get(row.id, []))}
            for row in rows
        ],
        "total": total,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "health_day": queries.latest_health_day(session, today),
        "owners": queries.owners(session),
        "windows": RENEWAL_WINDOWS,
        "views": saved_views.list_views(session, user.user_id, PAGE),
        "export": "/portfolio.csv?" + urlencode(filters.query_params()),
    }
    template = "portfolio/_results.html" if is_htmx(request) else "portfolio/index.html"
    return render(request, template, context)


@router.get("/portfolio.csv")
def portfolio_csv(
    request: Request,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    filters = parse(PortfolioFilters, query_of(request))
    rows, _total = queries.rows(session, filters, today, user.email, limit=None)
    rows = rows[:CSV_LIMIT]
    mrr = subscriptions.mrr_by_account(session, [row.id for row in rows], today)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "name", "arr", "health_score", "health_grade", "stage",
                     "renewal_on", "owner_email", "segment", "churn_probability"])
    for row in rows:
        writer.writerow([
            row.external_id, row.name, queries.arr_of(mrr, row.id),
            "" if row.score is None else round(row.score, 1), row.grade or "", row.stage or "",
            row.renewal_on or "", row.owner_email or "", row.segment or "",
            "" if row.churn_probability is None else round(row.churn_probability, 4),
        ])
    headers = {"Content-Disposition": f'attachment; filename="portfolio-{today.isoformat()}.csv"'}
    return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv", headers=headers)


@router.post("/portfolio/views")
def save_view(
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
    name: Annotated[str, Form()],
    query: Annotated[str, Form()] = "",
) -> Response:
    filters = parse(PortfolioFilters, dict(parse_qsl(query.lstrip("?"))))
    stored = urlencode(filters.query_params())
    view = saved_views.save_view(session, user.user_id, PAGE, name, stored)
    return redirect(f"/portfolio?{stored}", f"Saved the view “{view.name}”.")


@router.post("/portfolio/views/{view_id}/delete")
def delete_view(
    view_id: int,
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
) -> Response:
    saved_views.delete_view(session, user.user_id, view_id)
    return redirect("/portfolio", "Deleted the saved view.", "info")

"""API routes of the health domain: `/api/v1/health/...` (docs/health.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy.orm import Session

from tenure.api.auth import requires
from tenure.api.deps import get_context, get_session, get_today
from tenure.health import service, store
from tenure.health.schemas import (
    AccountHealthOut,
    ChangesOut,
    PreviewOut,
    ScorecardInfoOut,
    ScoreListOut,
)
from tenure.kit.context import AppContext

router = APIRouter(prefix="/api/v1/health", tags=["health"])

Context = Annotated[AppContext, Depends(get_context)]
DbSession = Annotated[Session, Depends(get_session)]
Today = Annotated[date, Depends(get_today)]
AsOf = Annotated[date | None, Query(description="Day, YYYY-MM-DD; default today (UTC)")]
ScorecardBody = Annotated[dict[str, Any], Body(description="The scorecard as a JSON object "
                                                            "(the YAML document's structure)")]  # fmt: skip


@router.post("/score", dependencies=[requires("manager")])
def score(context: Context, session: DbSession, today: Today, as_of: AsOf = None) -> dict[str, Any]:
    """Score every account on a day now and store the snapshots; grade counts."""
    batch = service.score_and_store(context, session, as_of or today)
    grades = batch.accounts["grade"].fillna("not_scored").value_counts()
    return {"as_of": batch.as_of, "accounts": len(batch),
            "grades": {str(k): int(v) for k, v in grades.items()}}  # fmt: skip


@router.get("/scores", response_model=ScoreListOut)
def scores(
    session: DbSession, today: Today, as_of: AsOf = None,
    grade: Annotated[str | None, Query(description="Only this grade")] = None,
    scorecard: Annotated[str | None, Query(description="Only this scorecard")] = None,
    below: Annotated[float | None, Query(description="Only scores below this")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ScoreListOut:  # fmt: skip
    """Stored scores of the latest scored day on or before as_of, lowest first."""
    return service.list_scores(session, as_of or today, grade=grade, scorecard=scorecard,
                               below=below, limit=limit, offset=offset)  # fmt: skip


@router.get("/accounts/{external_id}", response_model=AccountHealthOut)
def account(
    external_id: str, session: DbSession, today: Today, as_of: AsOf = None,
    days: Annotated[int, Query(ge=1, le=3660, description="Days of history")] = 90,
) -> AccountHealthOut:  # fmt: skip
    """Score, grade, trend (7/30 days), each measure's contribution, the measure pulling
    the score down most, and the history."""
    return service.explain_account(session, external_id, as_of or today, history_days=days)


@router.get("/changes", response_model=ChangesOut)
def changes(
    session: DbSession, today: Today, as_of: AsOf = None,
    days: Annotated[int, Query(ge=1, le=366)] = 7,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> ChangesOut:  # fmt: skip
    """Grade changes and biggest score moves over the last `days` days."""
    return service.score_changes(session, as_of or today, days=days, limit=limit)


@router.get("/scorecards", response_model=list[ScorecardInfoOut])
def scorecards(context: Context) -> list[ScorecardInfoOut]:
    """Scorecards in matching order (first match wins; default last)."""
    return service.list_scorecards(context.settings)


@router.get("/scorecards/{name}")
def scorecard(
    name: str, context: Context,
    version: Annotated[int | None, Query(ge=1, description="An older version")] = None,
) -> dict[str, Any]:  # fmt: skip
    """One scorecard (current or an older version) as JSON."""
    return store.get(context.settings, name, version).model_dump(mode="json", exclude_none=True)


@router.put("/scorecards/{name}", dependencies=[requires("admin")])
def save_scorecard(name: str, context: Context, document: ScorecardBody) -> dict[str, Any]:
    """Validate and save as the next version (422 names the JSON path of a problem)."""
    saved = service.save_scorecard(context.settings, name, document, source="body")
    return saved.model_dump(mode="json", exclude_none=True)


@router.post(
    "/scorecards/{name}/preview", response_model=PreviewOut, dependencies=[requires("manager")]
)
def preview(
    name: str, context: Context, document: ScorecardBody, today: Today, as_of: AsOf = None
) -> PreviewOut:
    """Score with a proposed scorecard without saving: distributions and grade counts
    before (saved scorecards) and after (this one in place of `name`)."""
    return service.preview_scorecard(context, name, document, as_of or today)

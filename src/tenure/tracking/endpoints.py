"""API routes of the tracking domain: the Segment-compatible tracking API (`/v1/...`)
and `GET /api/v1/sources`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.api.auth import requires
from tenure.api.deps import get_context, get_session
from tenure.kit.context import AppContext
from tenure.tracking import front, service
from tenure.tracking.counts import events_by_source
from tenure.tracking.schemas import Accepted, SourceOut

router = APIRouter(tags=["tracking"])


async def _ingest(request: Request, kind: str) -> Response:
    """What `tenure.tracking.front` answers, for when the front handler is not installed."""
    headers = request.headers
    result = await front.answer(
        request.app.state, kind, headers.get("authorization"), headers.get("content-encoding"),
        await request.body(),
    )
    return Response(result.body, status_code=result.status, media_type="application/json")


def _route(kind: str) -> None:
    async def call(request: Request) -> Response:
        return await _ingest(request, kind)

    call.__name__ = f"tracking_{kind}"
    call.__doc__ = (
        f"Segment-compatible `{kind}` call: HTTP Basic auth with the write key as user "
        "name (or `writeKey` in the body), gzip allowed; 200 `{\"success\": true}` once stored."
    )
    router.post(f"/v1/{kind}", response_model=Accepted)(call)


for _kind in front.CALLS:
    _route(_kind)


@router.get("/api/v1/sources", response_model=list[SourceOut], dependencies=[requires("admin")])
def list_sources(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    context: Annotated[AppContext, Depends(get_context)],
) -> list[SourceOut]:
    """Ingestion sources with their stored and unattributed events, the messages they had
    rejected (ever, by reason code) and rejected since the server started."""
    writer = getattr(request.app.state, "ingest_writer", None)
    rejected = dict(writer.rejected) if writer is not None else None
    return service.list_sources(
        session, events_by_source(context.events), rejected, context.events.rejections()
    )

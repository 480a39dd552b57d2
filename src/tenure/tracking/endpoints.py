"""API routes of the tracking domain: the Segment-compatible tracking API (`/v1/...`)
and `GET /api/v1/sources`."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from tenure.api.auth import requires
from tenure.api.deps import get_context, get_session
from tenure.errors import Unavailable
from tenure.kit.context import AppContext
from tenure.kit.timeutil import utcnow
from tenure.tracking import intake, service
from tenure.tracking.counts import events_by_source
from tenure.tracking.schemas import Accepted, SourceOut
from tenure.tracking.service import Batch
from tenure.tracking.writer import IngestWriter

router = APIRouter(tags=["tracking"])
SUCCESS = b'{"success":true}'

# Endpoint -> the largest body it takes (decoded); single calls name their message type.
CALLS = {
    "identify": intake.MAX_MESSAGE_BYTES,
    "track": intake.MAX_MESSAGE_BYTES,
    "page": intake.MAX_MESSAGE_BYTES,
    "screen": intake.MAX_MESSAGE_BYTES,
    "group": intake.MAX_MESSAGE_BYTES,
    "batch": intake.MAX_BATCH_BYTES,
}


def _writer(request: Request) -> IngestWriter:
    writer = getattr(request.app.state, "ingest_writer", None)
    if writer is None:
        raise Unavailable("the ingest writer is not running")
    return writer  # type: ignore[no-any-return]


async def _ingest(request: Request, kind: str) -> Response:
    writer = _writer(request)
    received_at = utcnow()
    key = intake.header_key(request.headers.get("authorization"))
    raw = await request.body()
    body = intake.decode(raw, request.headers.get("content-encoding"), CALLS[kind])
    if key is None and isinstance(body.get("writeKey"), str):
        key = body["writeKey"]
    source = await request.app.state.source_keys.source(key)
    accepted, rejected, codes = intake.messages(body, kind, len(raw))
    writer.note_rejected(source.name, len(rejected))
    if accepted or codes:
        await asyncio.wrap_future(writer.submit(Batch(source, accepted, received_at, codes)))
    if not rejected:
        return Response(SUCCESS, media_type="application/json")
    return JSONResponse(Accepted(rejected=rejected).model_dump(mode="json", by_alias=True))


def _route(kind: str) -> None:
    async def call(request: Request) -> Response:
        return await _ingest(request, kind)

    call.__name__ = f"tracking_{kind}"
    call.__doc__ = (
        f"Segment-compatible `{kind}` call: HTTP Basic auth with the write key as user "
        "name (or `writeKey` in the body), gzip allowed; 200 `{\"success\": true}` once stored."
    )
    router.post(f"/v1/{kind}", response_model=Accepted)(call)


for _kind in CALLS:
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

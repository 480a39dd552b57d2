"""The FastAPI application factory: routers from each domain, errors rendered in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager
from importlib import import_module
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from tenure import __version__
from tenure.api.auth import api_caller, document_security
from tenure.api.routers import ROUTERS
from tenure.errors import InputRejected, TenureError
from tenure.kit.context import AppContext


# Lifespan participants: "module:function" names of context managers, given the app,
# entered when the app starts and left when it stops (e.g. the tracking ingest writer).
LIFESPAN_PARTICIPANTS = ("tenure.tracking.writer:lifespan",)


# Front handlers: "module:function" names of factories that, given the app, return a raw
# ASGI handler with a `takes(scope)` test; a request it takes skips FastAPI's routing and
# every middleware (the tracking API's hot path: tenure.tracking.front).
FRONT_HANDLERS = ("tenure.tracking.front:front",)


def _participant(name: str) -> Callable[[FastAPI], AbstractContextManager[object]]:
    module, _, function = name.partition(":")
    return getattr(import_module(module), function)  # type: ignore[no-any-return]


def _front(name: str, app: FastAPI) -> Any:
    module, _, function = name.partition(":")
    return getattr(import_module(module), function)(app)


class TenureApp(FastAPI):
    """FastAPI, with front handlers asked first (see FRONT_HANDLERS)."""

    fronts: tuple[Any, ...] = ()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        for front in self.fronts:
            if front.takes(scope):
                await front(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(context: AppContext, *, run_jobs: bool | None = None) -> FastAPI:
    """Build the app around one context. `run_jobs` starts the in-process job scheduler."""
    start_jobs = context.settings.run_jobs_in_serve if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if start_jobs:
            from tenure.worker.scheduler import BackgroundScheduler

            scheduler = BackgroundScheduler(context)
            scheduler.start()
        try:
            with ExitStack() as participants:
                for name in LIFESPAN_PARTICIPANTS:
                    participants.enter_context(_participant(name)(app))
                yield
        finally:
            if scheduler is not None:
                scheduler.stop()

    app = TenureApp(title="Tenure", version=__version__, lifespan=lifespan)
    app.state.context = context
    app.fronts = tuple(_front(name, app) for name in FRONT_HANDLERS)

    @app.exception_handler(TenureError)
    async def tenure_error(_request: Request, error: TenureError) -> JSONResponse:
        body: dict[str, object] = {"code": type(error).__name__, "message": error.message}
        if isinstance(error, InputRejected):
            body["problems"] = [str(problem) for problem in error.problems]
        headers = getattr(error, "headers", None)
        return JSONResponse(status_code=error.status, content=body, headers=headers)

    for router in ROUTERS():
        # Authentication and the default role rule for every /api/v1 route, in one place
        # (api_caller leaves /healthz, /v1/* tracking and webhooks to their own checks).
        app.include_router(router, dependencies=[Depends(api_caller)])
    document_security(app)  # /openapi.json declares the token / session+CSRF schemes
    from tenure.web.install import install_web

    install_web(app)  # pages, /static and HTML error pages
    return app

"""The FastAPI application of the officer console: its creation (routers, middlewares, error
pages), its background loop, and the health and favicon answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from bot import metrics
from bot.config import Settings, get_settings
from bot.officer.notices import queue_new_ticket_notices
from bot.officer.web import (
    errors,
    routes_admin,
    routes_auth,
    routes_categories,
    routes_data_health,
    routes_live,
    routes_models,
    routes_public,
    routes_skm,
    routes_supervisor,
    routes_tickets,
    routes_training,
)
from bot.officer.web.console import MAX_FORM_BYTES, STATIC_DIR, Console
from bot.officer.web.errors import BodyLimit, HeadAsGet, SecurityHeaders
from bot.store.db import get_engine
from bot.store.models import utcnow
from bot.tickets.deadlines import local_today
from bot.tickets.expiry import close_unanswered
from bot.training.inbox import collect_and_purge

log = logging.getLogger(__name__)


async def _notice_loop(engine: Engine, settings: Settings) -> None:
    """Background work for as long as the app runs: announce new tickets to unit groups,
    close tickets whose citizen did not answer a request for information in time."""
    while True:
        try:
            queued = await run_in_threadpool(queue_new_ticket_notices, engine)
            if queued:
                log.info("queued %d unit notices", queued)
        except Exception:  # keep the loop alive; the next tick retries
            log.exception("unit notices failed")
        try:
            today = local_today(settings.timezone, utcnow())
            await run_in_threadpool(
                close_unanswered, engine, today, settings.citizen_reply_working_days
            )
        except Exception:
            log.exception("closing unanswered tickets failed")
        await asyncio.sleep(settings.console_notify_poll_s)


async def _nlu_review_loop(engine: Engine, settings: Settings) -> None:
    """Collect doubtful citizen messages from Rasa's store into the trainers' review inbox
    and expire old items, every NLU_REVIEW_POLL_S (bot.training.inbox)."""
    while True:
        try:
            tracker = get_engine(settings.rasa_tracker_url)
            await run_in_threadpool(collect_and_purge, settings, engine, tracker)
        except Exception:  # keep the loop alive; the next tick retries
            log.exception("collecting the NLU review inbox failed")
        await asyncio.sleep(settings.nlu_review_poll_s)


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, notices: bool = False
) -> FastAPI:
    """The console app. `notices`: run the unit-group notice loop (the served process)."""
    settings = settings or get_settings()
    engine = engine or get_engine(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = (
            [
                asyncio.create_task(_notice_loop(engine, settings)),
                asyncio.create_task(_nlu_review_loop(engine, settings)),
            ]
            if notices
            else []
        )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="Konsol Petugas Layanan Aduan",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(errors.edge_guard)],
    )
    app.state.console = console = Console(settings, engine)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (
        routes_auth,
        routes_tickets,
        routes_supervisor,
        routes_skm,
        routes_admin,
        routes_training,
        routes_data_health,
        routes_categories,
        routes_public,
        routes_models,
        routes_live,
    ):
        app.include_router(module.router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/livez", include_in_schema=False)
    def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Response:
        """Ready when the database answers; 503 otherwise (liveness: /livez)."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return Response('{"ok": false, "database": false}', 503, media_type="application/json")
        return Response('{"ok": true, "database": true}', media_type="application/json")

    # Tickets by status, counted at each scrape (sync route: FastAPI runs it in a thread).
    tickets_registry = metrics.CollectorRegistry()
    tickets_registry.register(
        metrics.TicketsByStatus(lambda: metrics.tickets_by_status_from_engine(engine))
    )

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> Response:
        body, content_type = metrics.render()
        tickets, _ = metrics.render(tickets_registry)
        return Response(body + tickets, media_type=content_type)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return FileResponse(
            STATIC_DIR / "favicon.ico",
            media_type="image/x-icon",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.add_middleware(BodyLimit, max_bytes=MAX_FORM_BYTES)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    errors.install(app, console)
    return app

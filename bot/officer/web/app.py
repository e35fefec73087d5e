"""The FastAPI application of the officer console."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.config import Settings, get_settings
from bot.officer.deadlines import local_today
from bot.officer.expiry import close_unanswered
from bot.officer.notices import queue_new_ticket_notices
from bot.officer.web import routes_admin, routes_auth, routes_supervisor, routes_tickets
from bot.officer.web.context import (
    STATIC_DIR,
    Console,
    CsrfFailed,
    Forbidden,
    LoginRequired,
    NotFound,
)
from bot.store.db import get_engine
from bot.store.models import utcnow

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


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


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, notices: bool = False
) -> FastAPI:
    """The console app. `notices`: run the unit-group notice loop (the served process)."""
    settings = settings or get_settings()
    engine = engine or get_engine(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_notice_loop(engine, settings)) if notices else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="Konsol Petugas Layanan Aduan",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.console = console = Console(settings, engine)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (routes_auth, routes_tickets, routes_supervisor, routes_admin):
        app.include_router(module.router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.method == "GET":
            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            from urllib.parse import quote

            return RedirectResponse(f"/masuk?next={quote(target)}", status_code=303)
        return PlainTextResponse("Sesi berakhir: silakan masuk lagi.", status_code=401)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        auth = await run_in_threadpool(console.auth, request)
        return console.render(
            request,
            "error.html",
            auth,
            status_code=403,
            title="Akses ditolak",
            message="Halaman ini tidak untuk peran Anda.",
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _exc: NotFound) -> Response:
        auth = None
        with contextlib.suppress(LoginRequired):
            auth = await run_in_threadpool(console.auth, request)
        return console.render(
            request,
            "error.html",
            auth,
            status_code=404,
            title="Tidak ditemukan",
            message="Halaman atau tiket tidak ditemukan, atau Anda tidak berhak membukanya.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return PlainTextResponse(
            "Permintaan ditolak: token keamanan (CSRF) tidak valid. Muat ulang halaman lalu "
            "coba lagi.",
            status_code=403,
        )

    return app

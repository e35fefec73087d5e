"""The console's edge: what every request passes on its way in and out, and the error answers.

On the way in: `HeadAsGet` (HEAD served as GET), `BodyLimit` (bodies over MAX_FORM_BYTES
refused) and `edge_guard`, the app-wide dependency that refuses NUL characters and absurdly
long values in the path and the query. On the way out: `SecurityHeaders` on every answer.

Every error is an Indonesian HTML page with the console's security headers. Starlette's own
answers ("Not Found", "Method Not Allowed", "Field exceeded maximum size of 1024KB.",
"Internal Server Error") and FastAPI's JSON validation errors never reach an officer.
Parameters that fail validation at the edge give 404 when they are part of the path (no such
page) and 400 otherwise.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.officer.web.console import (
    MAX_FORM_BYTES,
    NUL_MESSAGE,
    Auth,
    BadInput,
    BodyTooLarge,
    Console,
    CsrfFailed,
    Forbidden,
    LoginRequired,
    NotFound,
    PageError,
)

log = logging.getLogger(__name__)

MAX_QUERY_VALUE = 2000  # characters of one query parameter

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

PAGES: dict[int, tuple[str, str]] = {
    400: (
        "Permintaan tidak valid",
        "Isian atau alamat halaman tidak dapat kami proses. Periksa kembali, lalu coba lagi.",
    ),
    401: ("Sesi berakhir", "Sesi Anda sudah berakhir. Silakan masuk lagi."),
    403: ("Akses ditolak", "Halaman ini tidak untuk peran Anda."),
    404: (
        "Halaman tidak ditemukan",
        "Halaman atau tiket tidak ditemukan, atau Anda tidak berhak membukanya.",
    ),
    405: (
        "Metode tidak diizinkan",
        "Alamat ini tidak menerima permintaan seperti itu. Gunakan tombol dan tautan di konsol.",
    ),
    413: (
        "Kiriman terlalu besar",
        f"Isian yang dikirim terlalu besar (batas {MAX_FORM_BYTES // 1024} KB). "
        "Persingkat isiannya, lalu kirim lagi.",
    ),
    500: (
        "Terjadi gangguan",
        "Maaf, terjadi gangguan di server sehingga permintaan Anda belum dapat diproses. "
        "Silakan coba lagi beberapa saat lagi; bila terus terjadi, hubungi admin.",
    ),
}
GENERIC = ("Terjadi kesalahan", "Permintaan tidak dapat diproses. Silakan coba lagi.")
CSRF_PAGE = (
    "Permintaan ditolak",
    "Token keamanan (CSRF) tidak valid atau kedaluwarsa. Muat ulang halaman, lalu coba lagi.",
)
# How the parameters are called on the page (for the 400 page's explanation).
FIELD_LABELS = {
    "canned": "Balasan cepat",
    "hal": "Nomor halaman",
    "setelah": "Halaman berikutnya",
    "dari": "Tanggal 'dari'",
    "sampai": "Tanggal 'sampai'",
    "next": "Alamat tujuan",
}


def security_headers(path: str, status_code: int) -> dict[str, str]:
    """The headers every answer carries. Static files may be cached, nothing else."""
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if not path.startswith("/static/") or status_code >= 400:
        headers["Cache-Control"] = "no-store"
    return headers


def apply_security_headers(request: Request, response: Response) -> Response:
    """The security headers on one response (those it does not set itself)."""
    for name, value in security_headers(request.url.path, response.status_code).items():
        response.headers.setdefault(name, value)
    return response


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer the app sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(scope["path"], message["status"]).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """ASGI middleware: HEAD works wherever GET does (FastAPI routes answer GET only).

    The request is served as GET and only the headers are sent, so a new GET route gets
    HEAD without anyone remembering to add it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _validation_message(exc: RequestValidationError) -> tuple[int, str | None]:
    errors: list[Mapping[str, Any]] = list(exc.errors())
    if any(e.get("loc", ("",))[0] == "path" for e in errors):
        return 404, None
    parts: list[str] = []
    for e in errors:
        ctx_error = (e.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ValueError) and str(ctx_error):
            text = str(ctx_error)  # our own validators speak Indonesian
        else:
            name = str(e.get("loc", ("", ""))[-1])
            text = f"{FIELD_LABELS.get(name, name)} tidak valid."
        if text not in parts:
            parts.append(text)
    return 400, " ".join(parts) or None


def install(app: FastAPI, console: Console) -> None:
    """Register the error pages on `app`."""

    async def viewer_auth(request: Request) -> Auth | None:
        with contextlib.suppress(LoginRequired):
            return await run_in_threadpool(console.auth, request)
        return None

    async def page(
        request: Request,
        status_code: int,
        message: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        with_auth: bool = True,
    ) -> Response:
        default_title, default_message = PAGES.get(status_code, GENERIC)
        auth = await viewer_auth(request) if with_auth else None
        response = console.render(
            request,
            "error.html",
            auth,
            status_code=status_code,
            title=title or default_title,
            message=message or default_message,
            login_link=status_code == 401,
        )
        for name, value in (headers or {}).items():
            response.headers[name] = value
        if request.headers.get("hx-request"):
            # htmx: show the page's main part in place of the current one, whatever the
            # element that asked (a fragment, the queue table, a boosted link or form).
            response.headers["HX-Retarget"] = "main"
            response.headers["HX-Reselect"] = "main"
            response.headers["HX-Reswap"] = "outerHTML"
        return apply_security_headers(request, response)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(f"/masuk?next={quote(target)}", status_code=303)
        return await page(request, 401, with_auth=False)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        return await page(request, 403)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _exc: NotFound) -> Response:
        return await page(request, 404)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return await page(request, 403, CSRF_PAGE[1], CSRF_PAGE[0])

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return await page(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        status_code, message = _validation_message(exc)
        return await page(request, status_code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's details are English ("Field exceeded maximum size…"): never shown.
        status_code = exc.status_code
        if status_code == 400 and "exceeded maximum size" in str(exc.detail):
            status_code = 413
        headers = dict(exc.headers or {})
        allowed = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        if "GET" in allowed and "HEAD" not in allowed:  # HeadAsGet serves HEAD too
            headers["Allow"] = ", ".join([*allowed, "HEAD"])
        return await page(request, status_code, headers=headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Runs outside every middleware: no database access, headers added here.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return await page(request, 500, with_auth=False)


class BodyLimit:
    """Refuse request bodies over `max_bytes` (declared or streamed) with the 413 page.

    The limit is raised from `receive`, so it surfaces where a route reads its form and
    the app's exception handlers answer it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_FORM_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                with contextlib.suppress(ValueError):
                    declared = int(value)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)


def edge_guard(request: Request) -> None:
    """Before any route: a NUL character in the path or the query is refused (no database
    stores one), and so is an absurdly long query value."""
    if "\x00" in request.url.path:
        raise NotFound()
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise BadInput(NUL_MESSAGE)
        if len(value) > MAX_QUERY_VALUE:
            raise BadInput("Isian di alamat halaman terlalu panjang.")

"""Login and logout."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.officer import accounts, sessions
from bot.officer.web.console import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfFailed,
    SignedIn,
    checked_form,
    console,
    read_form,
)
from bot.officer.web.params import NextPath

router = APIRouter()


def _safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/masuk", response_class=HTMLResponse)
def login_page(request: Request, next: NextPath = "/") -> Response:
    c = console(request)
    token = secrets.token_urlsafe(32)
    response = c.render(
        request,
        "login.html",
        None,
        login_csrf=token,
        next=_safe_next(next),
        no_accounts=accounts.count_accounts(c.engine) == 0,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=c.settings.console_secure_cookies,
    )
    return response


@router.post("/masuk")
async def login(request: Request) -> Response:
    c = console(request)
    form = await read_form(request)
    given = form.get("csrf_token")
    if not sessions.tokens_match(
        request.cookies.get(LOGIN_CSRF_COOKIE), given if isinstance(given, str) else None
    ):
        raise CsrfFailed()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:1024]
    next_url = _safe_next(str(form.get("next") or "/")[:2000])
    officer_id = await run_in_threadpool(accounts.authenticate, c.engine, username, password)
    if officer_id is None:
        return c.redirect(
            f"/masuk?next={quote(next_url)}",
            "Nama pengguna atau kata sandi salah, atau akun dinonaktifkan/terkunci sementara.",
            error=True,
        )
    token = await run_in_threadpool(
        sessions.start_session, c.engine, officer_id, c.settings.console_session_hours
    )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(c.settings.console_session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=c.settings.console_secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/keluar")
async def logout(request: Request, auth: SignedIn) -> Response:
    c = console(request)
    await checked_form(request, auth)
    await run_in_threadpool(sessions.end_session, c.engine, request.cookies.get(SESSION_COOKIE))
    response = c.redirect("/masuk", "Anda telah keluar.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, auth: SignedIn) -> Response:
    if auth.viewer.handles_tickets:
        return RedirectResponse("/antrean", 303)
    return RedirectResponse("/latih" if auth.viewer.is_trainer else "/admin/akun", 303)

"""Per-app state (engine, settings, templates) and what a request needs: the signed-in
account and the route dependencies that admit it by role (`SignedIn`, `TicketWorker`,
`Supervisor`, `Admin`), its CSRF token, flash messages and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine
from starlette.datastructures import FormData

from bot.config import Settings
from bot.officer import sessions
from bot.officer.access import Viewer, can_review_nlu
from bot.officer.queue import DAY_FORMAT_HINT, Queue, format_day_input
from bot.store.models import Category, OfficerRole, Privacy, TicketStatus
from bot.texts import CATEGORY_SHORT_LABELS, PRIVACY_SHORT_LABELS, format_date
from bot.tickets.deadlines import (
    Deadlines,
    current_deadlines,
    local_today,
    stage_name,
    time_left_text,
)
from bot.tickets.states import STATUS_NAMES
from bot.tickets.workflow import Workflow

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
FLASH_COOKIE = "console_flash"

ROLE_NAMES = {
    OfficerRole.OFFICER: "Petugas",
    OfficerRole.SUPERVISOR: "Supervisor",
    OfficerRole.ADMIN: "Admin",
    OfficerRole.TRAINER: "Pelatih",
}


class LoginRequired(Exception):
    """No valid session: redirect to the login page."""


class Forbidden(Exception):
    """Signed in, but this page is not for this role."""


class NotFound(Exception):
    """No such page or ticket (also: a ticket the viewer may not see)."""


class CsrfFailed(Exception):
    """A state-changing request without the right CSRF token."""


class PageError(Exception):
    """Answer with the Indonesian error page for `status_code`; `message` (Indonesian)
    replaces the page's default explanation."""

    def __init__(self, status_code: int, message: str | None = None):
        super().__init__(message or str(status_code))
        self.status_code = status_code
        self.message = message


class BadInput(PageError):
    """400: a parameter or field the console cannot accept."""

    def __init__(self, message: str | None = None):
        super().__init__(400, message)


class BodyTooLarge(PageError):
    """413: the request body is larger than MAX_FORM_BYTES."""

    def __init__(self) -> None:
        super().__init__(413)


MAX_FORM_BYTES = 512 * 1024  # the largest form (a catalogue entry) needs well under 100 KiB
NUL_MESSAGE = "Isian atau alamat berisi karakter yang tidak diizinkan."


@dataclass(frozen=True)
class Auth:
    """The signed-in account and its session's CSRF token."""

    viewer: Viewer
    csrf: str


class Console:
    """What every route needs, created once per app."""

    def __init__(self, settings: Settings, engine: Engine):
        self.settings = settings
        self.engine = engine
        self.tz = ZoneInfo(settings.timezone)
        self.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
        self.templates.env.filters.update(
            dt=self.format_datetime,
            d=format_day,
            status_name=lambda s: STATUS_NAMES[TicketStatus(s)] if s else "",
            category_name=lambda c: CATEGORY_SHORT_LABELS[Category(c)],
            privacy_name=lambda p: PRIVACY_SHORT_LABELS[Privacy(p)],
            role_name=lambda r: ROLE_NAMES[OfficerRole(r)],
            time_left=time_left_text,
            stage_name=lambda s: stage_name(TicketStatus(s)),
            day_input=format_day_input,
        )
        self.flash_signer = URLSafeTimedSerializer(settings.secret_key, salt="console-flash")
        self.queue = Queue(engine, settings.timezone, settings.console_page_size)

    def deadlines(self) -> Deadlines:
        """Deadlines on the current holiday table and policy (an edit counts at once)."""
        return current_deadlines(self.engine, self.settings)

    def workflow(self) -> Workflow:
        """The ticket actions."""
        return Workflow(self.engine, self.deadlines(), self.settings.timezone)

    def today(self) -> date:
        """Today in the service's time zone."""
        return local_today(self.settings.timezone)

    def format_datetime(self, value: datetime | None) -> str:
        """'28 Nov 2026 14:05' in local time."""
        if value is None:
            return "-"
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        local = aware.astimezone(self.tz)
        return format_date(local, short=True, time=True)

    # -- sessions ---------------------------------------------------------------------------

    def auth(self, request: Request) -> Auth:
        """The signed-in account, or LoginRequired."""
        loaded = sessions.load_session(self.engine, request.cookies.get(SESSION_COOKIE))
        if loaded is None:
            raise LoginRequired()
        return Auth(*loaded)

    # -- flash messages ---------------------------------------------------------------------

    def redirect(self, url: str, message: str = "", error: bool = False) -> RedirectResponse:
        """303 to `url`, carrying a one-time message."""
        response = RedirectResponse(url, status_code=303)
        if message:
            response.set_cookie(
                FLASH_COOKIE,
                self.flash_signer.dumps({"m": message, "e": error}),
                max_age=60,
                httponly=True,
                samesite="lax",
                secure=self.settings.console_secure_cookies,
            )
        return response

    def render(
        self,
        request: Request,
        template: str,
        auth: Auth | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """Render a page with the account, CSRF token and pending flash message."""
        flash = None
        raw = request.cookies.get(FLASH_COOKIE)
        if raw:
            try:
                flash = self.flash_signer.loads(raw, max_age=120)
            except BadSignature:
                flash = None
        response = self.templates.TemplateResponse(
            request,
            template,
            {
                "viewer": auth.viewer if auth else None,
                "csrf": auth.csrf if auth else "",
                "flash": flash,
                "today": self.today(),
                "day_format_hint": DAY_FORMAT_HINT,
                **context,
            },
            status_code=status_code,
        )
        if raw:
            response.delete_cookie(FLASH_COOKIE)
        return response


def format_day(value: date | None) -> str:
    """'Rab, 2 Des 2026'."""
    if value is None:
        return "-"
    return format_date(value, weekday=True, short=True)


def console(request: Request) -> Console:
    """The Console of the app serving this request."""
    found: Console = request.app.state.console
    return found


# -- route dependencies: the signed-in account, admitted by role ---------------------------


def signed_in(request: Request) -> Auth:
    """Any signed-in account."""
    return console(request).auth(request)


def ticket_worker(request: Request) -> Auth:
    """Officers and supervisors (admins do not work tickets)."""
    auth = signed_in(request)
    if not auth.viewer.handles_tickets:
        raise Forbidden()
    return auth


def supervisor(request: Request) -> Auth:
    """Supervisors only: reports, export, canned replies."""
    auth = signed_in(request)
    if not auth.viewer.is_supervisor:
        raise Forbidden()
    return auth


def admin(request: Request) -> Auth:
    """Admins only: accounts, units, holidays, audit log."""
    auth = signed_in(request)
    if not auth.viewer.is_admin:
        raise Forbidden()
    return auth


def trainer(request: Request) -> Auth:
    """Trainers only: the NLU review inbox."""
    auth = signed_in(request)
    if not can_review_nlu(auth.viewer):
        raise Forbidden()
    return auth


def model_keeper(request: Request) -> Auth:
    """Trainers (train, compare, activate, roll back) and supervisors (compare, override a
    refused activation with a reason, roll back): the model lifecycle pages."""
    auth = signed_in(request)
    if not (can_review_nlu(auth.viewer) or auth.viewer.is_supervisor):
        raise Forbidden()
    return auth


SignedIn = Annotated[Auth, Depends(signed_in)]
TicketWorker = Annotated[Auth, Depends(ticket_worker)]
Supervisor = Annotated[Auth, Depends(supervisor)]
Admin = Annotated[Auth, Depends(admin)]
Trainer = Annotated[Auth, Depends(trainer)]
ModelKeeper = Annotated[Auth, Depends(model_keeper)]


async def read_form(request: Request) -> FormData:
    """The submitted form. Bodies over MAX_FORM_BYTES are refused (413, see BodyLimit);
    a NUL character anywhere is refused (400): no database stores it."""
    form = await request.form(max_part_size=MAX_FORM_BYTES)
    for key, value in form.multi_items():
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise BadInput(NUL_MESSAGE)
    return form


async def checked_form(request: Request, auth: Auth) -> dict[str, str]:
    """The submitted form, after checking its CSRF token (field or X-CSRF-Token header)."""
    form = await read_form(request)
    given = form.get("csrf_token") or request.headers.get("x-csrf-token")
    if not sessions.tokens_match(auth.csrf, given if isinstance(given, str) else None):
        raise CsrfFailed()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


async def checked_multi(request: Request, auth: Auth) -> dict[str, list[str]]:
    """Like checked_form, keeping repeated fields (multi-selects)."""
    form = await read_form(request)
    given = form.get("csrf_token") or request.headers.get("x-csrf-token")
    if not sessions.tokens_match(auth.csrf, given if isinstance(given, str) else None):
        raise CsrfFailed()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out

"""The queue, the CSV export, the ticket page, its actions and attachments."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from bot.officer import tickets
from bot.officer.access import Viewer, can_assign_others, can_take
from bot.officer.canned import get_canned, list_canned
from bot.officer.queue import SORTS, BadFilter, QueueFilter, decode_cursor
from bot.officer.web.console import (
    Auth,
    BadInput,
    Console,
    NotFound,
    Supervisor,
    TicketWorker,
    checked_form,
    console,
)
from bot.officer.web.params import (
    ActionForm,
    ActionPath,
    CannedQuery,
    Cursor,
    PageNo,
    RowIdPath,
    TicketIdPath,
    validated,
)
from bot.store.ids import TICKET_ID_RE
from bot.store.models import Category, Privacy, TicketStatus
from bot.texts import CATEGORY_SHORT_LABELS, PRIVACY_SHORT_LABELS
from bot.tickets.deadlines import stage_name
from bot.tickets.states import STATUS_NAMES, Action, IllegalTransition, possible_actions
from bot.tickets.workflow import (
    REJECTION_REASONS,
    ActionRefused,
    ActionResult,
    InvalidInput,
    TicketNotFound,
    Workflow,
)

router = APIRouter()

NIK_RE = re.compile(r"\b\d{16}\b")
PHONE_RE = re.compile(r"(?<!\d)(?:\+62|62|0)8\d{7,11}(?!\d)")


def mask_personal_data(text: str) -> str:
    """NIK and phone numbers hidden (exports leave the console)."""
    return PHONE_RE.sub("[telepon]", NIK_RE.sub("[NIK]", text))


# OWASP "CSV Injection": a spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A CSV cell that no spreadsheet evaluates: formula-like text gets a leading quote
    (and every field is quoted by the writer), as OWASP recommends."""
    return "'" + value if value.startswith(FORMULA_START) else value


@dataclass(frozen=True)
class ParsedFilter:
    """The queue filter of a request, or the default one and why the asked one was refused."""

    filter: QueueFilter
    error: str = ""


def queue_filter(
    status: str = "terbuka",
    kategori: str = "",
    unit: str = "",
    petugas: str = "",
    privasi: str = "",
    terlambat: str = "",
    dari: str = "",
    sampai: str = "",
    q: str = "",
    urut: str = "tenggat",
) -> ParsedFilter:
    """Dependency: the queue's filter parameters (declared, so they are documented and
    checked like every other parameter), parsed by QueueFilter with Indonesian messages."""
    params = {
        "status": status,
        "kategori": kategori,
        "unit": unit,
        "petugas": petugas,
        "privasi": privasi,
        "terlambat": terlambat,
        "dari": dari,
        "sampai": sampai,
        "q": q,
        "urut": urut,
    }
    try:
        return ParsedFilter(QueueFilter.from_params(params))
    except BadFilter as exc:
        return ParsedFilter(QueueFilter(), str(exc))


Filter = Annotated[ParsedFilter, Depends(queue_filter)]


@router.get("/antrean", response_class=HTMLResponse)
def queue_page(
    request: Request, auth: TicketWorker, parsed: Filter, setelah: Cursor = "", hal: PageNo = 1
) -> Response:
    c = console(request)
    f, error = parsed.filter, parsed.error
    if setelah and decode_cursor(setelah, f.sort) is None:
        raise BadInput("Halaman berikutnya tidak valid: buka lagi antrean dari halaman pertama.")
    today = c.today()
    page = c.queue.page(auth.viewer, f, setelah, today)
    deadlines = c.deadlines()
    rows = [
        (
            row,
            deadlines.urgency(row.due_on, today),
            deadlines.working_days_left(row.due_on, today) if row.due_on else None,
        )
        for row in page.rows
    ]
    template = "_queue_table.html" if request.headers.get("hx-target") == "queue" else "queue.html"
    units = tickets.list_units(c.engine)
    if not auth.viewer.is_supervisor:  # an officer filters among their own units
        units = [(id_, name) for id_, name in units if id_ in auth.viewer.units]
    return c.render(
        request,
        template,
        auth,
        status_code=400 if error else 200,
        f=f,
        params=f.to_params(),
        rows=rows,
        page=page,
        page_no=hal,
        error=error,
        units=units,
        officers=tickets.assignable_officers(c.engine, None) if auth.viewer.is_supervisor else [],
        statuses=list(TicketStatus),
        categories=list(Category),
        privacies=list(Privacy),
        sorts=SORTS,
    )


@router.get("/antrean.csv")
def queue_csv(request: Request, auth: Supervisor, parsed: Filter) -> Response:
    c = console(request)
    if parsed.error:
        raise BadInput(parsed.error)
    f = parsed.filter
    today = c.today()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        writer.writerow(
            [
                "tiket",
                "dibuat",
                "status",
                "kategori",
                "privasi",
                "unit",
                "petugas",
                "tenggat",
                "uraian_singkat",
            ]
        )
        yield buffer.getvalue()  # the header row, also when nothing matches
        buffer.seek(0)
        buffer.truncate()
        for row in c.queue.iter_all(auth.viewer, f, today):
            cells = [
                row.public_id,
                c.format_datetime(row.created_at),
                STATUS_NAMES[row.status],
                CATEGORY_SHORT_LABELS[row.category],
                PRIVACY_SHORT_LABELS[row.privacy],
                row.unit or "",
                row.assignee or "",
                row.due_on.isoformat() if row.due_on else "",
                "" if row.privacy == Privacy.CONFIDENTIAL else mask_personal_data(row.snippet),
            ]
            writer.writerow([csv_cell(cell) for cell in cells])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="antrean-{today}.csv"'},
    )


def _load_or_404(request: Request, auth: Auth, public_id: str) -> tickets.TicketDetail:
    if not TICKET_ID_RE.match(public_id):
        raise NotFound()
    detail = tickets.load_ticket(console(request).engine, auth.viewer, public_id)
    if detail is None:
        raise NotFound()
    return detail


@router.get("/tiket/{public_id}", response_class=HTMLResponse)
def ticket_page(request: Request, public_id: TicketIdPath, auth: TicketWorker) -> Response:
    c = console(request)
    detail = _load_or_404(request, auth, public_id)
    if detail.privacy == Privacy.CONFIDENTIAL:
        c.workflow().log_view(auth.viewer, detail.id)
    today = c.today()
    deadlines = c.deadlines()
    return c.render(
        request,
        "ticket.html",
        auth,
        t=detail,
        actions=[a.value for a in possible_actions(detail.status)],
        urgency=deadlines.urgency(detail.due_on, today),
        days_left=deadlines.working_days_left(detail.due_on, today) if detail.due_on else None,
        stage=stage_name(detail.status),
        can_assign=can_assign_others(auth.viewer),
        can_take=can_take(auth.viewer, detail.scope) and detail.assignee_id != auth.viewer.id,
        officers=tickets.assignable_officers(c.engine, detail.office_id),
        units=tickets.list_units(c.engine),
        canned=list_canned(c.engine),
        reasons=REJECTION_REASONS,
    )


@router.get("/tiket/{public_id}/balasan-cepat", response_class=HTMLResponse)
def canned_fragment(
    request: Request,
    public_id: TicketIdPath,
    auth: TicketWorker,
    canned: CannedQuery = None,
) -> Response:
    """htmx: the reply textarea filled with a canned reply."""
    c = console(request)
    _load_or_404(request, auth, public_id)
    found = get_canned(c.engine, canned) if canned is not None else None
    return c.render(request, "_reply_text.html", auth, text=found.body if found else "")


def _reply(wf: Workflow, v: Viewer, public_id: str, form: ActionForm) -> ActionResult:
    """The typed reply, else the chosen canned reply."""
    text = form.text
    if not text.strip() and form.canned is not None:
        canned = get_canned(wf.engine, form.canned)
        text = canned.body if canned else ""
    return wf.reply(v, public_id, text)


def _assign(wf: Workflow, v: Viewer, public_id: str, form: ActionForm) -> ActionResult:
    """'saya', '-' (unassign) or an officer's id."""
    understood, target = form.assignee_id(v.id)
    if not understood:
        raise InvalidInput("Pilih petugas.")
    return wf.assign(v, public_id, target)


Handler = Callable[[Workflow, Viewer, str, ActionForm], ActionResult]

# Every officer action and the form fields it takes. Actions that are not an officer's (the
# citizen's answer, the expiry) have none, so their URLs are 404 like unknown ones.
HANDLERS: dict[Action, Handler] = {
    Action.VERIFY: lambda wf, v, tid, f: wf.verify(v, tid, f.note),
    Action.START: lambda wf, v, tid, f: wf.start(v, tid, f.plan),
    Action.REQUEST_INFO: lambda wf, v, tid, f: wf.request_info(v, tid, f.text),
    Action.RESUME: lambda wf, v, tid, f: wf.resume(v, tid, f.note),
    Action.RESOLVE: lambda wf, v, tid, f: wf.resolve(v, tid, f.text),
    Action.REJECT: lambda wf, v, tid, f: wf.reject(v, tid, f.reason, f.text, f.duplicate_of),
    Action.REOPEN: lambda wf, v, tid, f: wf.reopen(v, tid, f.text),
    Action.REPLY: _reply,
    Action.NOTE: lambda wf, v, tid, f: wf.note(v, tid, f.text),
    Action.ASSIGN: _assign,
    Action.FORWARD: lambda wf, v, tid, f: wf.forward(v, tid, f.unit, f.text),
}
_BY_NAME: dict[str, Handler] = {action.value: handler for action, handler in HANDLERS.items()}


def _perform(
    c: Console, auth: Auth, public_id: str, handler: Handler, form: ActionForm
) -> ActionResult:
    return handler(c.workflow(), auth.viewer, public_id, form)


@router.post("/tiket/{public_id}/{action}")
async def ticket_action(
    request: Request, public_id: TicketIdPath, action: ActionPath, auth: TicketWorker
) -> Response:
    c = console(request)
    raw = await checked_form(request, auth)
    handler = _BY_NAME.get(action)
    if not TICKET_ID_RE.match(public_id) or handler is None:
        raise NotFound()
    form = validated(ActionForm, raw)
    if action == Action.ASSIGN.value and form.assignee and not form.assignee_id(0)[0]:
        raise BadInput("Isian tidak valid: Petugas.")
    url = f"/tiket/{public_id}"
    try:
        result = await run_in_threadpool(_perform, c, auth, public_id, handler, form)
    except TicketNotFound as exc:
        raise NotFound() from exc
    except (IllegalTransition, InvalidInput, ActionRefused) as exc:
        return c.redirect(url, str(exc), error=True)
    return c.redirect(url, result.message)


@router.get("/lampiran/{attachment_id}")
def attachment(request: Request, attachment_id: RowIdPath, auth: TicketWorker) -> Response:
    c = console(request)
    found = tickets.attachment_file(
        c.engine, auth.viewer, attachment_id, c.settings.attachments_dir
    )
    if found is None:
        raise NotFound()
    path, mime = found
    inline = mime in ("image/jpeg", "image/png", "image/webp", "image/gif")
    return FileResponse(
        path,
        media_type=mime if inline or mime == "application/pdf" else "application/octet-stream",
        content_disposition_type="inline" if inline else "attachment",
        filename=path.name,
        headers={"Cache-Control": "private, no-store"},
    )

"""Obrolan langsung: the live queue of citizens waiting for a person, the chat page (the
conversation so far, the send box, the typing ping, hand back, end, make it a ticket) and
the supervisors' live chat figures. The state belongs to bot.handoff.chats."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from bot.handoff.chats import AlreadyTaken, HandoffError, LiveChats
from bot.handoff.chats import NotFound as ChatNotFound
from bot.handoff.reports import live_report
from bot.officer.queue import DAY_MIN
from bot.officer.web.console import (
    Console,
    NotFound,
    Supervisor,
    TicketWorker,
    checked_form,
    console,
)
from bot.officer.web.params import TEXT_MAX, ActionPath, DayQuery, RowIdPath, validated
from bot.store.models import Category
from bot.store.repository import Repository
from bot.texts import CATEGORY_SHORT_LABELS, format_duration

router = APIRouter()
STATE_NAMES = {
    "waiting": "menunggu petugas",
    "callback": "minta dihubungi",
    "taken": "sedang dilayani",
    "ended": "selesai",
}
END_NAMES = {
    "handed_back": "dikembalikan ke asisten",
    "ended_by_officer": "diakhiri petugas",
    "ended_by_citizen": "diakhiri warga",
    "timed_out": "tidak ada petugas yang mengambil",
    "outside_hours": "di luar jam layanan",
    "converted_to_ticket": "dijadikan tiket",
}


class LiveForm(BaseModel):
    """The fields of the chat page's forms."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field("", max_length=TEXT_MAX, title="Pesan")
    category: str = Field("lainnya", max_length=40, title="Kategori")


def _chats(c: Console) -> LiveChats:
    return LiveChats(c.engine, c.settings.timezone)


def _url(chat_id: int) -> str:
    return f"/obrolan/{chat_id}"


@router.get("/obrolan", response_class=HTMLResponse)
def live_queue(request: Request, auth: TicketWorker) -> Response:
    c = console(request)
    waiting, callbacks, mine = _chats(c).queue(auth.viewer)
    template = "_live_queue.html" if request.headers.get("hx-target") == "live-queue" else None
    return c.render(
        request,
        template or "live_queue.html",
        auth,
        waiting=waiting,
        callbacks=callbacks,
        mine=mine,
        timeout_text=format_duration(c.settings.handoff_take_timeout_s, long=True),
    )


@router.get("/obrolan/laporan", response_class=HTMLResponse)
def live_report_page(
    request: Request, auth: Supervisor, dari: DayQuery = None, sampai: DayQuery = None
) -> Response:
    c = console(request)
    date_to = sampai or c.today()
    date_from = dari or max(DAY_MIN, date_to - timedelta(weeks=12))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    units, total = live_report(c.engine, date_from, date_to, c.settings.timezone)
    return c.render(
        request,
        "live_report.html",
        auth,
        units=units,
        total=total,
        date_from=date_from,
        date_to=date_to,
        duration=format_duration,
    )


@router.get("/obrolan/{chat_id}", response_class=HTMLResponse)
def live_chat_page(request: Request, chat_id: RowIdPath, auth: TicketWorker) -> Response:
    c = console(request)
    try:
        chat, messages = _chats(c).load(auth.viewer, chat_id)
    except ChatNotFound as exc:
        raise NotFound() from exc
    fragment = request.headers.get("hx-target") == "live-log"
    return c.render(
        request,
        "_live_log.html" if fragment else "live_chat.html",
        auth,
        chat=chat,
        messages=messages,
        mine=chat.officer_id == auth.viewer.id and chat.state == "taken",
        state_names=STATE_NAMES,
        end_names=END_NAMES,
        categories=[(k.value, CATEGORY_SHORT_LABELS[k]) for k in Category],
    )


async def _act(request: Request, auth: TicketWorker, chat_id: int, action: str) -> Response:
    """Run one chat action; a refusal comes back as a flash message on the chat page."""
    c = console(request)
    form = validated(LiveForm, await checked_form(request, auth))
    chats = _chats(c)
    viewer = auth.viewer
    try:
        if action == "ambil":
            await run_in_threadpool(chats.take, viewer, chat_id)
            message = "Obrolan sudah Anda ambil. Warga sudah diberi tahu."
        elif action == "kirim":
            await run_in_threadpool(chats.send, viewer, chat_id, form.text)
            message = ""
        elif action == "kembalikan":
            await run_in_threadpool(chats.hand_back, viewer, chat_id)
            message = "Percakapan dikembalikan ke asisten virtual."
        elif action == "akhiri":
            await run_in_threadpool(chats.end, viewer, chat_id)
            message = "Obrolan diakhiri."
        elif action == "tiket":
            categories = {k.value: k for k in Category}
            if form.category not in categories:
                return c.redirect(_url(chat_id), "Pilih kategori laporan.", error=True)
            repository = Repository(c.engine, timezone=c.settings.timezone)
            public_id = await run_in_threadpool(
                chats.to_ticket, viewer, chat_id, categories[form.category], repository
            )
            return c.redirect(f"/tiket/{public_id}", f"Obrolan dicatat sebagai {public_id}.")
        else:
            raise NotFound()
    except ChatNotFound as exc:
        raise NotFound() from exc
    except AlreadyTaken as exc:
        return c.redirect("/obrolan", str(exc), error=True)
    except HandoffError as exc:
        return c.redirect(_url(chat_id), str(exc), error=True)
    return c.redirect(_url(chat_id), message)


@router.post("/obrolan/{chat_id}/mengetik")
async def live_typing(request: Request, chat_id: RowIdPath, auth: TicketWorker) -> Response:
    """htmx ping while the officer types (noted at most every few seconds)."""
    c = console(request)
    await checked_form(request, auth)
    try:
        await run_in_threadpool(_chats(c).typing, auth.viewer, chat_id)
    except ChatNotFound as exc:
        raise NotFound() from exc
    except HandoffError:
        pass  # the chat ended meanwhile: nothing to show
    return Response(status_code=204)


@router.post("/obrolan/{chat_id}/{action}")
async def live_action(
    request: Request, chat_id: RowIdPath, action: ActionPath, auth: TicketWorker
) -> Response:
    if action not in ("ambil", "kirim", "kembalikan", "akhiri", "tiket"):
        raise NotFound()
    return await _act(request, auth, chat_id, action)

"""Supervisor pages: reports and canned replies."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.officer.canned import list_canned, save_canned
from bot.officer.queue import DAY_MIN
from bot.officer.reports import build_report, hours_text
from bot.officer.web.console import Supervisor, checked_form, console
from bot.officer.web.params import CannedForm, DayQuery, validated
from bot.store.models import Category
from bot.texts import CATEGORY_SHORT_LABELS

router = APIRouter()


@router.get("/laporan", response_class=HTMLResponse)
def reports_page(
    request: Request, auth: Supervisor, dari: DayQuery = None, sampai: DayQuery = None
) -> Response:
    c = console(request)
    today = c.today()
    date_to = sampai or today
    date_from = dari or max(DAY_MIN, date_to - timedelta(weeks=12))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    report = build_report(c.engine, date_from, date_to, today, c.settings.timezone)
    return c.render(
        request,
        "reports.html",
        auth,
        r=report,
        hours_text=hours_text,
        category_names={c.value: CATEGORY_SHORT_LABELS[c] for c in Category},
        export_params={
            "status": "semua",
            "dari": date_from.isoformat(),
            "sampai": date_to.isoformat(),
        },
    )


@router.get("/balasan-cepat", response_class=HTMLResponse)
def canned_page(request: Request, auth: Supervisor) -> Response:
    c = console(request)
    return c.render(
        request, "canned.html", auth, items=list_canned(c.engine, include_inactive=True)
    )


@router.post("/balasan-cepat")
async def canned_save(request: Request, auth: Supervisor) -> Response:
    c = console(request)
    form = validated(CannedForm, await checked_form(request, auth))
    try:
        await run_in_threadpool(
            save_canned,
            c.engine,
            auth.viewer.id,
            form.id,
            form.title,
            form.body,
            form.active == "1",
        )
    except ValueError as exc:
        return c.redirect("/balasan-cepat", str(exc), error=True)
    return c.redirect("/balasan-cepat", "Balasan cepat disimpan.")

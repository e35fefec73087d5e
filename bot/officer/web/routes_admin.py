"""Admin pages: accounts, units (Telegram groups), service catalogue (with the facts that
need a check), holidays, audit log."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.officer import accounts, audit, catalogue_admin, notices
from bot.officer.passwords import WeakPassword
from bot.officer.queue import BadFilter, format_day_input, parse_day
from bot.officer.tickets import list_units
from bot.officer.web.console import (
    Admin,
    Console,
    NotFound,
    checked_form,
    checked_multi,
    console,
)
from bot.officer.web.params import KeyPath, RowIdPath, parse_chat_id
from bot.store.models import OfficerRole
from bot.tickets import holidays

router = APIRouter(prefix="/admin")


def _holiday_day(raw: str) -> date:
    """A holiday's date (yyyy-mm-dd from the date field, or dd/mm/yyyy) within the bounds
    the console works with; ValueError otherwise."""
    try:
        return parse_day(raw)
    except BadFilter as exc:
        raise ValueError(str(exc)) from exc


@router.get("/akun", response_class=HTMLResponse)
def accounts_page(request: Request, auth: Admin) -> Response:
    c = console(request)
    return c.render(
        request,
        "admin_accounts.html",
        auth,
        items=accounts.list_accounts(c.engine),
        units=list_units(c.engine),
        roles=list(OfficerRole),
    )


@router.post("/akun")
async def account_create(request: Request, auth: Admin) -> Response:
    c = console(request)
    form = await checked_multi(request, auth)

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    try:
        role = OfficerRole(one("role"))
        await run_in_threadpool(
            accounts.create_account,
            c.engine,
            one("username"),
            one("password"),
            role,
            form.get("units", []),
            one("display_name") or None,
            auth.viewer.id,
        )
    except (ValueError, accounts.AccountError, WeakPassword) as exc:
        return c.redirect("/admin/akun", str(exc), error=True)
    return c.redirect("/admin/akun", f"Akun {one('username')} dibuat.")


@router.get("/akun/{officer_id}", response_class=HTMLResponse)
def account_page(request: Request, officer_id: RowIdPath, auth: Admin) -> Response:
    c = console(request)
    account = accounts.get_account(c.engine, officer_id)
    if account is None:
        raise NotFound()
    return c.render(
        request,
        "admin_account.html",
        auth,
        a=account,
        units=list_units(c.engine),
        roles=list(OfficerRole),
    )


@router.post("/akun/{officer_id}")
async def account_update(request: Request, officer_id: RowIdPath, auth: Admin) -> Response:
    c = console(request)
    form = await checked_multi(request, auth)

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    url = f"/admin/akun/{officer_id}"
    try:
        await run_in_threadpool(
            accounts.update_account,
            c.engine,
            officer_id,
            OfficerRole(one("role")),
            form.get("units", []),
            one("active") == "1",
            one("display_name"),
            auth.viewer.id,
        )
    except (ValueError, accounts.AccountError) as exc:
        return c.redirect(url, str(exc), error=True)
    return c.redirect(url, "Akun diperbarui.")


@router.post("/akun/{officer_id}/sandi")
async def account_password(request: Request, officer_id: RowIdPath, auth: Admin) -> Response:
    c = console(request)
    form = await checked_form(request, auth)
    url = f"/admin/akun/{officer_id}"
    account = accounts.get_account(c.engine, officer_id)
    if account is None:
        raise NotFound()
    try:
        await run_in_threadpool(
            accounts.set_password,
            c.engine,
            account.username,
            form.get("password", ""),
            auth.viewer.id,
        )
    except (accounts.AccountError, WeakPassword) as exc:
        return c.redirect(url, str(exc), error=True)
    return c.redirect(url, "Kata sandi diganti; semua sesi akun ini diakhiri.")


@router.get("/unit", response_class=HTMLResponse)
def units_page(request: Request, auth: Admin) -> Response:
    c = console(request)
    return c.render(
        request,
        "admin_units.html",
        auth,
        units=list_units(c.engine),
        channels=notices.unit_channels(c.engine),
        notice_states=notices.last_notice_states(c.engine),
    )


@router.post("/unit/{office_id}")
async def unit_channel(request: Request, office_id: KeyPath, auth: Admin) -> Response:
    c = console(request)
    form = await checked_form(request, auth)
    names = dict(list_units(c.engine))
    if office_id not in names:
        raise NotFound()
    name = names[office_id]
    raw = form.get("chat_id", "").strip()
    chat_id = parse_chat_id(raw) if raw else None
    if raw and chat_id is None:
        return c.redirect(
            "/admin/unit",
            f"ID chat grup untuk {name} harus berupa angka ID grup Telegram yang valid "
            "(mis. -1001234567890).",
            error=True,
        )
    try:
        await run_in_threadpool(
            notices.set_unit_channel, c.engine, office_id, chat_id, auth.viewer.id
        )
    except ValueError as exc:
        return c.redirect("/admin/unit", str(exc), error=True)
    if chat_id is None:
        return c.redirect("/admin/unit", f"Pengumuman ke grup Telegram unit {name} dimatikan.")
    return c.redirect(
        "/admin/unit",
        f"Grup Telegram unit {name} disimpan (ID {chat_id}). Tiket baru unit ini akan "
        "diumumkan di sana; status pengiriman terakhir tampil di tabel.",
    )


@router.get("/libur", response_class=HTMLResponse)
def holidays_page(request: Request, auth: Admin) -> Response:
    c = console(request)
    return c.render(
        request,
        "admin_holidays.html",
        auth,
        items=holidays.list_holidays(c.engine),
        kinds=holidays.KINDS,
    )


@router.post("/libur")
async def holiday_add(request: Request, auth: Admin) -> Response:
    c = console(request)
    form = await checked_form(request, auth)
    try:
        day = _holiday_day(form.get("date", ""))
        await run_in_threadpool(
            holidays.add_holiday,
            c.engine,
            auth.viewer.id,
            day,
            form.get("name", ""),
            form.get("kind", ""),
            form.get("provisional", "") == "1",
        )
    except ValueError as exc:
        message = str(exc) if "libur" in str(exc) else "Tanggal atau isian tidak valid."
        return c.redirect("/admin/libur", message, error=True)
    return c.redirect("/admin/libur", f"Hari libur {format_day_input(day)} disimpan.")


@router.post("/libur/hapus")
async def holiday_remove(request: Request, auth: Admin) -> Response:
    c = console(request)
    form = await checked_form(request, auth)
    try:
        day = _holiday_day(form.get("date", ""))
    except ValueError:
        return c.redirect("/admin/libur", "Tanggal tidak valid.", error=True)
    removed = await run_in_threadpool(holidays.remove_holiday, c.engine, auth.viewer.id, day)
    message = "dihapus" if removed else "tidak ada dalam daftar"
    return c.redirect("/admin/libur", f"Hari libur {format_day_input(day)} {message}.")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, auth: Admin) -> Response:
    c = console(request)
    return c.render(request, "admin_audit.html", auth, items=audit.recent(c.engine, 200))


def _fact_age(c: Console) -> catalogue_admin.FactAge:
    return catalogue_admin.FactAge(c.today(), c.settings.fact_max_age_days)


@router.get("/layanan", response_class=HTMLResponse)
def services_page(request: Request, auth: Admin) -> Response:
    c = console(request)
    age = _fact_age(c)
    return c.render(
        request,
        "admin_services.html",
        auth,
        services=catalogue_admin.list_services(c.engine, age),
        age=age,
    )


# Declared before /layanan/{service_id}, which would otherwise take the path.
@router.get("/layanan/perlu-diperiksa", response_class=HTMLResponse)
def facts_to_check_page(request: Request, auth: Admin) -> Response:
    c = console(request)
    age = _fact_age(c)
    return c.render(
        request,
        "admin_facts_to_check.html",
        auth,
        items=catalogue_admin.facts_to_check(c.engine, age),
        age=age,
    )


@router.get("/layanan/{service_id}", response_class=HTMLResponse)
def service_page(request: Request, service_id: KeyPath, auth: Admin) -> Response:
    c = console(request)
    age = _fact_age(c)
    service = catalogue_admin.get_service(c.engine, service_id, age)
    if service is None:
        raise NotFound()
    return c.render(
        request,
        "admin_service.html",
        auth,
        s=service,
        units=list_units(c.engine),
        age=age,
        fact_field=catalogue_admin.fact_field,
    )


@router.post("/layanan/{service_id}")
async def service_update(request: Request, service_id: KeyPath, auth: Admin) -> Response:
    c = console(request)
    form = await checked_form(request, auth)
    url = f"/admin/layanan/{service_id}"
    if catalogue_admin.get_service(c.engine, service_id) is None:
        raise NotFound()
    try:
        await run_in_threadpool(
            catalogue_admin.update_service, c.engine, service_id, form, auth.viewer.id, c.today()
        )
    except catalogue_admin.CatalogueError as exc:
        return c.redirect(url, str(exc), error=True)
    return c.redirect(url, "Katalog layanan diperbarui; asisten langsung memakai data baru.")

"""Admin pages (accounts, units, holidays) and supervisor pages (canned replies, reports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.officer.accounts import AccountError, authenticate, create_account
from bot.officer.passwords import WeakPassword
from bot.officer.reports import build_report, hours_text
from bot.store.db import get_engine
from bot.store.models import ConsoleAuditLog, Officer, OfficerRole, TicketStatus, UnitChannel
from bot.tickets.deadlines import current_deadlines, holiday_calendar
from bot.tickets.holidays import list_holidays
from bot.tickets.workflow import Workflow
from tests.utils import ROOT
from tests.utils.officer import PASSWORD, People, TicketMaker, csrf_of, login, viewer

Client = Callable[..., TestClient]


def test_account_rules(engine: Engine, people: People) -> None:
    with pytest.raises(WeakPassword):
        create_account(engine, "pendek", "short", OfficerRole.OFFICER, ["satpas"])
    with pytest.raises(WeakPassword):
        create_account(engine, "samasama1", "samasama1", OfficerRole.ADMIN, [])
    with pytest.raises(AccountError):
        create_account(engine, "budi", PASSWORD, OfficerRole.OFFICER, ["satpas"])  # taken
    with pytest.raises(AccountError):
        create_account(engine, "tanpaunit", PASSWORD, OfficerRole.OFFICER, [])
    with pytest.raises(AccountError):
        create_account(engine, "unitaneh", PASSWORD, OfficerRole.OFFICER, ["mars"])
    with pytest.raises(AccountError):
        create_account(engine, "X Y", PASSWORD, OfficerRole.ADMIN, [])
    assert authenticate(engine, "BUDI", PASSWORD) == people.officer
    with Session(engine) as s:
        stored = s.scalar(select(Officer.password_hash).where(Officer.id == people.officer))
    assert stored and stored.startswith("$argon2id$") and PASSWORD not in stored


def test_admin_creates_and_deactivates_an_account(
    app_client: Client, engine: Engine, people: People
) -> None:
    admin = app_client("admin")
    token = csrf_of(admin, "/admin/akun")
    r = admin.post(
        "/admin/akun",
        data={
            "csrf_token": token,
            "username": "rudi",
            "password": PASSWORD,
            "role": "officer",
            "units": ["satpas", "polres"],
            "display_name": "Rudi",
        },
    )
    assert r.status_code == 303
    page = admin.get("/admin/akun")
    assert "Akun rudi dibuat." in page.text and "polres, satpas" in page.text
    rudi = app_client("rudi")
    assert rudi.get("/antrean").status_code == 200
    with Session(engine) as s:
        rudi_id = s.scalar(select(Officer.id).where(Officer.username == "rudi"))
    admin.post(
        f"/admin/akun/{rudi_id}",
        data={"csrf_token": token, "role": "officer", "units": ["satpas"], "display_name": "Rudi"},
    )  # no "active": deactivated
    assert rudi.get("/antrean").status_code == 303
    assert login(app_client(), "rudi").headers["location"].startswith("/masuk")
    # An admin cannot demote or deactivate themself.
    admin.post(
        f"/admin/akun/{people.admin}",
        data={"csrf_token": token, "role": "officer", "units": ["satpas"], "active": "1"},
    )
    assert "tidak dapat mencabut" in admin.get(f"/admin/akun/{people.admin}").text
    with Session(engine) as s:
        actions = s.scalars(select(ConsoleAuditLog.action).order_by(ConsoleAuditLog.id)).all()
    assert "account_created" in actions and "account_updated" in actions


def test_admin_edits_the_holiday_calendar_used_for_deadlines(
    app_client: Client,
    console_settings: Settings,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
) -> None:
    seed = ROOT / "data" / "holidays.yml"
    seed_before = seed.read_bytes()
    admin = app_client("admin")
    token = csrf_of(admin, "/admin/libur")
    day = date(2027, 6, 15)  # a Tuesday
    assert holiday_calendar(engine).is_working_day(day)
    r = admin.post(
        "/admin/libur",
        data={
            "csrf_token": token,
            "date": day.isoformat(),
            "name": 'Cuti bersama "uji": Idul Adha',
            "kind": "cuti_bersama",
            "provisional": "1",
        },
    )
    assert r.status_code == 303
    assert not holiday_calendar(engine).is_working_day(day)
    # the assistant's calendar too (DATABASE_URL's engine, as the action server reads it)
    assert not holiday_calendar(get_engine()).is_working_day(day)
    assert day in current_deadlines(engine).calendar.holidays  # and the console's deadlines
    entry = next(h for h in list_holidays(engine) if h.date == day)
    assert entry.name == 'Cuti bersama "uji": Idul Adha' and entry.provisional
    assert entry.kind == "cuti_bersama"
    assert "Idul Adha" in admin.get("/admin/libur").text
    admin.post("/admin/libur/hapus", data={"csrf_token": token, "date": day.isoformat()})
    assert holiday_calendar(engine).is_working_day(day)
    assert day not in {h.date for h in list_holidays(engine)}
    r = admin.post(
        "/admin/libur",
        data={"csrf_token": token, "date": "bukan-tanggal", "name": "x", "kind": "cuti_bersama"},
    )
    assert "tidak valid" in admin.get("/admin/libur").text
    with Session(engine) as s:
        logged = s.execute(
            select(ConsoleAuditLog.action, ConsoleAuditLog.target, ConsoleAuditLog.actor_id)
            .where(ConsoleAuditLog.action.like("holiday_%"))
            .order_by(ConsoleAuditLog.id)
        ).all()
    assert logged == [
        ("holiday_added", "2027-06-15", people.admin),
        ("holiday_removed", "2027-06-15", people.admin),
    ]
    # The database is the calendar: neither the tracked seed nor HOLIDAYS_PATH is rewritten.
    assert seed.read_bytes() == seed_before
    assert console_settings.holidays_path.read_bytes() == seed_before


def test_admin_sets_unit_group(app_client: Client, engine: Engine, people: People) -> None:
    admin = app_client("admin")
    token = csrf_of(admin, "/admin/unit")
    admin.post("/admin/unit/satpas", data={"csrf_token": token, "chat_id": "-1009876"})
    assert 'value="-1009876"' in admin.get("/admin/unit").text
    admin.post("/admin/unit/satpas", data={"csrf_token": token, "chat_id": "abc"})
    assert "harus berupa angka" in admin.get("/admin/unit").text
    admin.post("/admin/unit/satpas", data={"csrf_token": token, "chat_id": ""})
    with Session(engine) as s:
        assert s.get(UnitChannel, "satpas") is None


def test_supervisor_manages_canned_replies(app_client: Client, people: People) -> None:
    siti = app_client("siti")
    token = csrf_of(siti, "/balasan-cepat")
    siti.post(
        "/balasan-cepat",
        data={
            "csrf_token": token,
            "title": "Terima kasih",
            "body": "Terima kasih atas laporan Anda.",
            "active": "1",
        },
    )
    page = siti.get("/balasan-cepat")
    assert "Balasan cepat disimpan." in page.text and "Terima kasih atas laporan Anda." in page.text
    siti.post("/balasan-cepat", data={"csrf_token": token, "title": "", "body": "x"})
    assert "wajib diisi" in siti.get("/balasan-cepat").text


def test_report_figures(
    app_client: Client,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
) -> None:
    budi = viewer(engine, people.officer)
    a = make_ticket(description="Antrean KTP sangat panjang di kecamatan utara.")
    b = make_ticket(description="Blanko KK habis, sudah dua minggu menunggu.")
    make_ticket(service_id="sim", description="Ujian praktik SIM C dipersulit petugas.")
    workflow.verify(budi, a)
    workflow.resolve(budi, a, "Loket tambahan dibuka.")
    workflow.reject(budi, b, "tidak_lengkap", "Lokasi tidak jelas.")
    today = date.today()
    report = build_report(engine, today - timedelta(days=7), today + timedelta(days=1), today)
    assert report.total == 3
    assert dict(report.by_status) == {
        TicketStatus.BARU: 1,
        TicketStatus.SELESAI: 1,
        TicketStatus.DITOLAK: 1,
    }
    assert dict(report.by_category) == {"adminduk": 3}
    units = {u: n for u, n, _ in report.by_unit}
    assert len(units) == 2 and sorted(units.values()) == [1, 2]
    assert sum(n for _, n in report.by_week) == 3
    assert report.median_hours_to_verify is not None and report.median_hours_to_verify < 1
    assert report.resolved_with_deadline == 1 and report.on_time_share == 1.0
    page = app_client("siti").get("/laporan")
    assert page.status_code == 200 and "100% (1 dari 1)" in page.text
    assert (
        hours_text(None) == "-"
        and hours_text(50) == "2 hari 2 jam"
        and hours_text(0.2) == "< 1 jam"
    )

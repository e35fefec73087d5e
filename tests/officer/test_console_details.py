"""Smaller console defects: the unit filter of an officer, the waiting-for-citizen deadline's
name, confirmations and failed group notices on /admin/unit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.officer.notices import queue_new_ticket_notices
from bot.store.models import OfficerRole
from bot.store.outbox import OutboxRepository
from bot.tickets.holidays import list_holidays
from bot.tickets.workflow import Workflow
from tests.utils.officer import People, TicketMaker, add_officer, csrf_of, viewer

Client = Callable[..., TestClient]


def _unit_options(html: str) -> list[str]:
    found = re.search(r'<select name="unit">(.*?)</select>', html, re.S)
    assert found, html[:2000]
    return re.findall(r'<option value="([^"]*)"', found.group(1))


def test_unit_filter_lists_only_the_officers_own_units(
    app_client: Client, engine: Engine, people: People
) -> None:
    assert _unit_options(app_client("budi").get("/antrean").text) == ["", "disdukcapil"]
    add_officer(engine, "dewi", OfficerRole.OFFICER, ["satpas", "disdukcapil"], "Dewi")
    assert sorted(_unit_options(app_client("dewi").get("/antrean").text)) == [
        "",
        "disdukcapil",
        "satpas",
    ]
    everything = _unit_options(app_client("siti").get("/antrean").text)
    assert {"", "-", "disdukcapil", "satpas"} <= set(everything) and len(everything) > 4


def test_waiting_for_the_citizen_names_the_reply_deadline(
    app_client: Client,
    engine: Engine,
    workflow: Workflow,
    people: People,
    make_ticket: TicketMaker,
) -> None:
    tid = make_ticket()
    budi = viewer(engine, people.officer)
    workflow.verify(budi, tid)
    workflow.start(budi, tid, "Cek ke loket.")
    page = app_client("budi").get(f"/tiket/{tid}").text
    assert "Tenggat penyelesaian:" in page
    workflow.request_info(budi, tid, "Di kecamatan mana tepatnya?")
    page = app_client("budi").get(f"/tiket/{tid}").text
    assert "Tenggat jawaban warga:" in page
    assert "Tenggat penyelesaian:" not in page
    queue = app_client("budi").get("/antrean?status=menunggu_warga").text
    assert "jawaban warga" in queue


def test_unit_group_save_is_confirmed_and_failed_notices_are_shown(
    app_client: Client, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    admin = app_client("admin")
    token = csrf_of(admin, "/admin/unit")
    r = admin.post("/admin/unit/disdukcapil", data={"csrf_token": token, "chat_id": "-1001234"})
    assert r.status_code == 303
    page = admin.get("/admin/unit").text
    assert re.search(
        r'class="flash ok"[^>]*>Grup Telegram unit Dinas Kependudukan[^<]*disimpan', page
    )
    assert 'value="-1001234"' in page
    assert "belum ada pengumuman" in page
    # A notice is queued, then Telegram refuses it: the admin sees it and why.
    tid = make_ticket()
    assert queue_new_ticket_notices(engine) == 1
    assert "menunggu dikirim" in admin.get("/admin/unit").text
    outbox = OutboxRepository(engine)
    (claimed,) = outbox.claim_due()
    outbox.retry(claimed.id, 0, "Bad Request: chat not found", give_up=True)
    page = admin.get("/admin/unit").text
    state = re.search(
        r'<tr id="unit-disdukcapil">.*?<td class="notice-state[^"]*">(.*?)</td>', page, re.S
    )
    assert state, page
    assert "gagal" in state.group(1) and "chat not found" in state.group(1)
    assert tid in state.group(1)
    # Turning the group off is confirmed too.
    r = admin.post("/admin/unit/disdukcapil", data={"csrf_token": token, "chat_id": ""})
    assert "dimatikan" in admin.get("/admin/unit").text


def test_holiday_form_takes_indonesian_dates(
    app_client: Client, engine: Engine, people: People
) -> None:
    admin = app_client("admin")
    page = admin.get("/admin/libur").text
    assert 'placeholder="hh/bb/tttt"' in page and 'type="date"' not in page
    token = csrf_of(admin, "/admin/libur")
    form = {"csrf_token": token, "date": "16/06/2027", "name": "Uji", "kind": "cuti_bersama"}
    assert admin.post("/admin/libur", data=form).status_code == 303
    assert "Hari libur 16/06/2027 disimpan." in admin.get("/admin/libur").text
    assert date(2027, 6, 16) in {h.date for h in list_holidays(engine)}
    form["date"] = "31/02/2027"
    admin.post("/admin/libur", data=form)
    assert "tidak valid" in admin.get("/admin/libur").text

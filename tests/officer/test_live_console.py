"""The console's Obrolan langsung: the live queue per role, taking (a second officer is
refused), the chat page with the conversation so far, sending, typing, hand back, end,
making it a ticket, the report page; and in a real browser: take, send, hand back."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.handoff.chats import LiveChats
from bot.store.consent import ConsentRepository
from bot.store.models import LiveChat, OutboxMessage, Ticket, utcnow
from tests.officer.test_browser import page, server  # noqa: F401  (fixtures)
from tests.utils.officer import PASSWORD, People, csrf_of

Client = Callable[..., TestClient]
SENDER = "6200001"
ALWAYS_OPEN = ("Unit Pengaduan Uji", "Senin–Minggu 00.00–24.00 WIB")
HISTORY_MARKER = "TANYASEBELUMNYA"


def open_chat(engine: Engine, service: str | None = "ktp", sender: str = SENDER) -> int:
    """A consenting citizen's chat waiting in Disdukcapil's queue (KTP), with what they
    asked the assistant before."""
    ConsentRepository(engine).record(sender, int(sender), "Rina Warga")
    chats = LiveChats(engine)
    with Session(engine) as s:  # open whatever the clock says: the office's hours go
        from bot.store.models import Office

        office = s.get(Office, "disdukcapil")
        assert office is not None
        saved = office.hours
    try:
        _set_hours(engine, "Senin–Minggu 00.00–24.00 WIB")
        now = utcnow()
        requested = chats.request(
            sender,
            service,
            [(now - timedelta(minutes=1), "warga", f"syarat ktp {HISTORY_MARKER}")],
            frozenset(),
            *ALWAYS_OPEN,
            now=now,
        )
    finally:
        _set_hours(engine, saved)
    assert requested.opened
    return requested.chat_id


def _set_hours(engine: Engine, hours: str | None) -> None:
    from sqlalchemy import update

    from bot.store.models import Office

    with Session(engine) as s, s.begin():
        s.execute(update(Office).where(Office.id == "disdukcapil").values(hours=hours))


def post(client: TestClient, path: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": csrf_of(client, "/obrolan"), **data})


def test_queue_take_chat_and_hand_back(app_client: Client, people: People, engine: Engine) -> None:
    chat_id = open_chat(engine)
    budi, sari, siti = app_client("budi"), app_client("sari"), app_client("siti")
    assert f"/obrolan/{chat_id}/ambil" in budi.get("/obrolan").text
    assert f"/obrolan/{chat_id}/ambil" in siti.get("/obrolan").text
    assert f"/obrolan/{chat_id}/ambil" not in sari.get("/obrolan").text  # another unit
    assert sari.get(f"/obrolan/{chat_id}").status_code == 404
    # Before it is taken: who waits, not what was said.
    assert HISTORY_MARKER not in budi.get(f"/obrolan/{chat_id}").text
    assert post(sari, f"/obrolan/{chat_id}/ambil").status_code == 404

    response = post(budi, f"/obrolan/{chat_id}/ambil")
    assert response.status_code == 303 and response.headers["location"] == f"/obrolan/{chat_id}"
    chat_page = budi.get(f"/obrolan/{chat_id}").text
    assert HISTORY_MARKER in chat_page and "Rina Warga" in chat_page
    # Siti (a supervisor) cannot take it any more: told, not a 500.
    refused = post(siti, f"/obrolan/{chat_id}/ambil")
    assert refused.status_code == 303 and refused.headers["location"] == "/obrolan"
    with Session(engine) as s:
        assert s.scalar(select(LiveChat.officer_id).where(LiveChat.id == chat_id)) == people.officer

    assert (
        post(budi, f"/obrolan/{chat_id}/kirim", text="Halo, ada yang bisa dibantu?").status_code
        == 303
    )
    LiveChats(engine).add_citizen_message(SENDER, "KTP saya belum jadi")
    log = budi.get(f"/obrolan/{chat_id}", headers={"HX-Request": "true", "HX-Target": "live-log"})
    assert log.status_code == 200 and "<html" not in log.text
    assert "KTP saya belum jadi" in log.text and "menunggu dikirim" in log.text
    typing = post(budi, f"/obrolan/{chat_id}/mengetik")
    assert typing.status_code == 204
    # Without the CSRF token nothing happens.
    assert budi.post(f"/obrolan/{chat_id}/kirim", data={"text": "x"}).status_code in (400, 403)

    assert post(budi, f"/obrolan/{chat_id}/kembalikan").status_code == 303
    with Session(engine) as s:
        row = s.get(LiveChat, chat_id)
        assert row is not None and (row.state, row.end_reason) == ("ended", "handed_back")
        texts = list(s.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))
    assert texts[-2].endswith(":\nHalo, ada yang bisa dibantu?") and "mengembalikan" in texts[-1]
    # Sending after the end is refused with a message.
    again = post(budi, f"/obrolan/{chat_id}/kirim", text="halo?")
    assert again.status_code == 303 and "console_flash" in again.headers.get("set-cookie", "")


def test_the_queue_says_the_take_timeout_in_whole_minutes(
    app_client: Client, people: People, engine: Engine
) -> None:
    queue = app_client("budi").get("/obrolan")
    assert queue.status_code == 200
    assert "tidak diambil dalam 3 menit berakhir" in queue.text  # HANDOFF_TAKE_TIMEOUT_S 180
    assert "3.0 menit" not in queue.text


def test_make_it_a_ticket(app_client: Client, people: People, engine: Engine) -> None:
    chat_id = open_chat(engine)
    budi = app_client("budi")
    post(budi, f"/obrolan/{chat_id}/ambil")
    LiveChats(engine).add_citizen_message(SENDER, "Jalan depan kantor kelurahan berlubang besar")
    response = post(budi, f"/obrolan/{chat_id}/tiket", category="infrastruktur")
    assert response.status_code == 303
    public_id = response.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"ADU-[0-9A-Z]{6}", public_id)
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None and ticket.category.value == "infrastruktur"
    assert budi.get(f"/tiket/{public_id}").status_code == 200
    assert post(budi, f"/obrolan/{chat_id}/tiket", category="bukan").status_code == 303


def test_roles_and_the_report(app_client: Client, people: People, engine: Engine) -> None:
    chat_id = open_chat(engine)
    assert app_client("admin").get("/obrolan").status_code == 403
    assert app_client("admin").get(f"/obrolan/{chat_id}").status_code == 403
    assert app_client("budi").get("/obrolan/laporan").status_code == 403
    assert app_client().get("/obrolan").status_code in (302, 303)
    report = app_client("siti").get("/obrolan/laporan")
    assert report.status_code == 200 and "Kependudukan" in report.text
    assert HISTORY_MARKER not in report.text and "Rina Warga" not in report.text
    assert app_client("budi").get("/obrolan/999999").status_code == 404
    assert post(app_client("budi"), f"/obrolan/{chat_id}/terbang").status_code == 404


def test_the_report_writes_waits_in_hours_and_minutes(
    app_client: Client, people: People, engine: Engine
) -> None:
    """A chat taken 10 h 49 min after it was asked for: '10 jam 49 mnt', not '649 mnt'."""
    chat_id = open_chat(engine)
    with Session(engine) as s, s.begin():
        chat = s.get(LiveChat, chat_id)
        assert chat is not None
        requested = utcnow() - timedelta(hours=10, minutes=49)
        chat.requested_at = requested
    assert post(app_client("budi"), f"/obrolan/{chat_id}/ambil").status_code == 303
    day = requested.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%d/%m/%Y")
    report = app_client("siti").get("/obrolan/laporan", params={"dari": day})
    assert report.status_code == 200
    assert "10 jam 49 mnt" in report.text and "649 mnt" not in report.text


def test_take_send_and_hand_back_in_the_browser(
    server: str,  # noqa: F811
    page: object,  # noqa: F811
    engine: Engine,
    people: People,
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    chat_id = open_chat(engine)
    page.goto(f"{server}/masuk")
    page.fill("input[name=username]", "budi")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Obrolan langsung")
    row = page.locator(f"tr[data-chat='{chat_id}']")
    expect(row).to_contain_text("Dinas Kependudukan")
    row.locator("button", has_text="Ambil").click()
    expect(page.locator("#live-log")).to_contain_text(HISTORY_MARKER)
    page.fill("#live-send textarea", "Selamat siang, saya Budi dari Disdukcapil.")
    page.click("#live-send button")
    expect(page.locator("#live-log")).to_contain_text("saya Budi dari Disdukcapil")
    # The citizen answers: the page shows it without a reload (polling).
    LiveChats(engine).add_citizen_message(SENDER, "Terima kasih pak, KTP saya rusak")
    expect(page.locator("#live-log")).to_contain_text("KTP saya rusak", timeout=10_000)
    page.click("text=Kembalikan >> nth=-1")
    expect(page.locator(".flash")).to_contain_text("dikembalikan")
    with Session(engine) as s:
        row_ = s.get(LiveChat, chat_id)
        assert row_ is not None and row_.end_reason == "handed_back"
        sent = list(s.scalars(select(OutboxMessage.text)))
    assert any(t.endswith(":\nSelamat siang, saya Budi dari Disdukcapil.") for t in sent)

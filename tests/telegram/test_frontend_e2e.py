"""End to end: real python-telegram-bot front end, local Bot API server, real Rasa, action
server and database. A simulated citizen talks to the bot as on Telegram."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine, event, select, text, update
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import (
    Attachment,
    Category,
    DraftAttachment,
    InboxMessage,
    OutboxMessage,
    Privacy,
    Ticket,
    TicketStatus,
    utcnow,
)
from bot.store.repository import ComplaintDraft, Repository
from bot.telegram.app import PURGE_INTERVAL_S, SECRET_HEADER, WEBHOOK_PATH, TelegramFrontend
from bot.telegram.conversation import RasaClient, RasaUnavailable
from devtools.local_api import LocalBotApi, SimulatedUser, make_png
from tests.utils.chat import TICKET
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def sql_on_the_loop() -> Iterator[list[str]]:
    """Every SQL statement the front end runs on the event loop's thread, from any engine.

    There must be none: while one waits for the database, no other citizen is served. The
    statements are seen through SQLAlchemy's own cursor event; one counts when it runs on
    a thread with a running event loop and bot/telegram code is on its call stack (the
    tests' own checks of the database run on the loop too, without it).
    """
    found: list[str] = []

    def check(*_args: Any) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: fine
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("bot.telegram"):
                found.append(f"{module}:{frame.f_lineno} in {frame.f_code.co_name}")
                return
            frame = frame.f_back  # type: ignore[assignment]

    event.listen(Engine, "before_cursor_execute", check)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", check)


@pytest.fixture(autouse=True)
def no_sql_on_the_loop(sql_on_the_loop: list[str]) -> Iterator[None]:
    """Each test fails if the front end blocked the event loop with a database call."""
    yield
    blocking = sorted(set(sql_on_the_loop))
    sql_on_the_loop.clear()
    assert blocking == [], f"database calls on the event loop: {blocking}"


def drafts_of(database_url: str, sender_id: str) -> list[tuple[str, str | None]]:
    """(kind, mime type) of the draft attachments waiting for a sender."""
    with Session(get_engine(database_url)) as s:
        rows = s.execute(
            select(DraftAttachment.kind, DraftAttachment.mime_type)
            .where(DraftAttachment.sender_id == sender_id)
            .order_by(DraftAttachment.id)
        ).all()
    return [(kind, mime) for kind, mime in rows]


def enqueue(database_url: str, chat_id: int, body: str, kind: str) -> int:
    """A message queued the way the console queues one (a pending row, due now)."""
    with Session(get_engine(database_url)) as s, s.begin():
        row = OutboxMessage(chat_id=chat_id, text=body, kind=kind)
        s.add(row)
        s.flush()
        return row.id


def outbox_status(database_url: str, outbox_id: int) -> str | None:
    with Session(get_engine(database_url)) as s:
        return s.scalar(select(OutboxMessage.status).where(OutboxMessage.id == outbox_id))


def catalogue(service_id: str) -> dict:
    data = yaml.safe_load((ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    return next(s for s in data["services"] if s["id"] == service_id)


async def confirm_suggested_choices(user: SimulatedUser) -> tuple[str, str]:
    """Accept the suggested category and privacy, send; returns (summary, ticket id)."""
    category = await reply_with(user, "kategori")
    await user.press(category.button_texts[0])
    privacy = await reply_with(user, "Bagaimana laporan ini ditangani")
    await user.press(privacy.button_texts[0])
    summary = await reply_with(user, "Kirim pengaduan ini?")
    await user.press("Ya, kirim")
    filed = await reply_with(user, "nomor tiket")
    ticket_id = TICKET.search(filed.text)
    assert ticket_id, filed.text
    return summary.text, ticket_id.group(0)


async def test_start_shows_privacy_notice_then_menu(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = api.user(user_id=5001, first_name="Siti")
    await user.send_command("/start")
    welcome = await reply_with(user, "Selamat datang")
    assert "Siti" in welcome.text
    notice = await reply_with(user, "pemberitahuan privasi")
    assert notice.button_texts == ["✅ Saya setuju", "Tidak setuju"]
    await user.press("✅ Saya setuju")
    menu = await reply_with(user, "Ada yang bisa saya bantu")
    assert menu.button_texts == [
        "Tanya layanan",
        "Buat pengaduan",
        "Cek status tiket",
        "Beri penilaian",
    ]
    commands = {c["command"] for c in api.calls_of("setMyCommands")[-1].params["commands"]}
    assert {"start", "bantuan", "lapor", "status", "batal", "privasi", "hapusdata"} <= commands


async def test_message_before_consent_is_held_then_answered(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = api.user(user_id=5002, first_name="Budi")
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, "setujui pemberitahuan privasi")
    await reply_with(user, "Apakah Anda menyetujui")
    await user.press("✅ Saya setuju")
    answer = await reply_with(user, "Biaya")
    assert catalogue("skck")["cost"] in answer.text


async def test_refusing_consent_forgets_the_held_message(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """D17: "Tidak setuju" keeps no text of what was held, and agreeing later does not bring
    the refused message back."""
    user = api.user(user_id=5041, first_name="Wati")
    await user.send_text("nik saya 3174012345678901, berapa biaya SKCK?")
    await reply_with(user, "Apakah Anda menyetujui")
    await user.press("Tidak setuju")
    declined = await reply_with(user, "tidak akan memproses")
    assert "sudah kami hapus" in declined.text
    with Session(get_engine(frontend.settings.database_url)) as s:
        rows = s.execute(
            select(InboxMessage.status, InboxMessage.payload, InboxMessage.raw).where(
                InboxMessage.sender_id == "5041"
            )
        ).all()
    assert [r.status for r in rows].count("declined") == 1
    assert not [r for r in rows if "3174012345678901" in f"{r.payload} {r.raw}"]
    await user.send_text("/start")
    await reply_with(user, "Apakah Anda menyetujui")
    await user.press("✅ Saya setuju")
    await reply_with(user, "Ada yang bisa saya bantu")
    await asyncio.sleep(1.0)
    assert not [m for m in user.replies() if "Biaya" in m.text]


async def test_requirement_question_is_answered_from_the_catalogue(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5003)
    await user.send_text("syarat bikin KTP apa aja kak?")
    answer = await reply_with(user, "Persyaratan")
    for requirement in catalogue("ktp")["requirements"]:
        assert requirement in answer.text
    assert "Biaya" in answer.button_texts
    # "typing…" is shown only for a slow answer: tests/telegram/test_typing.py


async def test_complaint_with_photo_and_location_is_one_ticket(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5004)
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    # No place in the story, so the form asks for it (a named place would be taken).
    story = "Lampu jalan depan rumah mati sudah dua minggu, malam hari gelap sekali dan rawan."
    await user.send_text(story)
    await reply_with(user, "Di mana lokasinya")
    photo = make_png(64, 48)
    await user.send_photo(photo)
    await reply_with(user, "Foto diterima")
    await user.send_location(-6.2088, 106.8456)
    summary, ticket_id = await confirm_suggested_choices(user)
    assert story in summary and "-6.2088" in summary and "Infrastruktur" in summary
    with Session(get_engine(frontend.settings.database_url)) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == ticket_id))
        assert ticket is not None
        assert ticket.description == story
        assert (ticket.latitude, ticket.longitude) == (-6.2088, 106.8456)
        attachments = s.scalars(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert [a.kind for a in attachments] == ["photo"]
    assert Path(attachments[0].path or "").read_bytes() == photo
    # Status by id, and the list without an id.
    await user.send_command(f"/status {ticket_id}")
    status = await reply_with(user, "Status:")
    assert ticket_id in status.text and "menunggu verifikasi" in status.text
    await user.send_command("/status")
    listing = await reply_with(user, "sedang berjalan")
    assert ticket_id in listing.text


async def test_batal_mid_form_cancels(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 5005)
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    await user.send_text("Sampah menumpuk di TPS dekat rumah sejak minggu lalu, baunya menyengat.")
    await reply_with(user, "Di mana lokasinya")
    await user.send_command("/batal")
    # Something was written: the assistant asks before throwing it away.
    await reply_with(user, "Yakin ingin membatalkan")
    await user.send_text("ya")
    await reply_with(user, "dibatalkan")


async def test_a_button_works_only_once(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 5006)
    await user.send_text("biaya SIM C berapa?")
    answer = await reply_with(user, "Biaya")
    first = await user.press("Persyaratan", message_id=answer.raw["message_id"])
    assert (await user.wait_for_callback_answer(first["id"])).get("text") is None
    await reply_with(user, "Pilihan: Persyaratan")
    await reply_with(user, catalogue("sim")["requirements"][0])
    # The keyboard was removed from the message: the button cannot be pressed again.
    assert answer.buttons == []
    with pytest.raises(LookupError):
        await user.press("Persyaratan", message_id=answer.raw["message_id"])
    messages_before = len(user.replies())
    # A stale press (e.g. from another device) is answered and ignored.
    stale = api.state.new_callback_query(user.chat, answer.raw, user.user, "btn:0")
    api.state.push_update("callback_query", stale)
    reply = await user.wait_for_callback_answer(stale["id"])
    assert "sudah dipakai" in (reply.get("text") or "")
    await asyncio.sleep(0.5)
    assert len(user.replies()) == messages_before


async def test_sticker_voice_unknown_command_and_stray_photo(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5007)
    await user.send_sticker()
    await reply_with(user, "stiker")
    await user.send_voice()
    await reply_with(user, "pesan suara")
    await user.send_command("/terbang")
    await reply_with(user, "tidak dikenal")
    await user.send_command("/help")  # out of habit: the same as /bantuan
    await reply_with(user, "Berikut yang bisa saya bantu")
    await user.send_photo(make_png(10, 10))
    await reply_with(user, "hanya bisa dikirim sebagai lampiran")
    # A question in the caption is answered, then the note (black-box tester, D11).
    await user.send_photo(make_png(10, 10), caption="syarat bikin paspor apa aja?")
    await reply_with(user, "Persyaratan Paspor")
    await reply_with(user, "hanya bisa dikirim sebagai lampiran")
    assert drafts_of(frontend.settings.database_url, "5007") == []
    sent = await user.send_text("halo")
    await reply_with(user, "Ada yang bisa saya bantu")
    await user.edit_text(sent["message_id"], "halo lagi")
    await reply_with(user, "tidak kami proses ulang")


async def test_photo_whose_caption_tells_a_complaint_opens_the_form_and_is_kept(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """D12 (second black-box round): a complaint told in a photo's caption, as the first
    message, opens the form with the caption as the story and keeps the photo for it, with
    no "attachments only in a complaint" note contradicting the form."""
    user = await consented_user(api, 5042)
    await user.send_photo(
        make_png(12, 12),
        caption="jalan depan SDN 3 berlubang besar udah 2 bulan ga dibenerin, bahaya buat anak2",
    )
    await reply_with(user, "Foto diterima")
    assert drafts_of(frontend.settings.database_url, "5042") == [("photo", "image/jpeg")]
    assert not [m for m in user.replies() if "hanya bisa dikirim sebagai lampiran" in m.text]
    assert [m for m in user.replies() if "berlubang" in m.text or "lokasi" in m.text.lower()]
    # Cancelling the complaint drops the kept photo too (and leaves none for other tests).
    await user.send_command("/batal")
    await reply_with(user, "Yakin ingin membatalkan")
    await user.send_text("ya")
    await reply_with(user, "dibatalkan")
    assert drafts_of(frontend.settings.database_url, "5042") == []


async def test_rasa_outage_messages_answered_after_restart_in_order(
    api: LocalBotApi, frontend: TelegramFrontend, servers
) -> None:
    user = await consented_user(api, 5008)
    servers.stop_rasa()
    try:
        await user.send_text("syarat bikin paspor apa aja?")
        await reply_with(user, "sudah kami terima")
        await user.send_text("kalau biaya SKCK berapa?")
        await asyncio.sleep(1)
        with Session(get_engine(frontend.settings.database_url)) as s:
            waiting = s.scalars(
                select(InboxMessage.status)
                .where(InboxMessage.sender_id == "5008")
                .order_by(InboxMessage.update_id.desc())
                .limit(2)
            ).all()
        assert waiting == ["pending", "pending"]
    finally:
        await asyncio.to_thread(servers.start_rasa)
    first = await user.wait_for_reply(60, lambda m: "Persyaratan" in m.text or "Biaya" in m.text)
    assert "Persyaratan" in first.text and "Paspor" in first.text
    second = await reply_with(user, "Biaya", timeout=60)
    assert catalogue("skck")["cost"] in second.text


async def test_outbox_delivered_once_after_429(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5009)
    url = frontend.settings.database_url
    api.inject_fault("sendMessage", "429", count=1, retry_after=1, chat_id=user.chat_id)
    outbox_id = enqueue(
        url, user.chat_id, "Balasan petugas untuk tiket ADU-7K3M9P: sudah kami cek.", "reply"
    )
    await reply_with(user, "Balasan petugas", timeout=15)
    await asyncio.sleep(1.5)
    delivered = [m for m in user.replies() if "Balasan petugas" in m.text]
    assert len(delivered) == 1
    assert outbox_status(url, outbox_id) == "sent"
    refused = [c for c in api.calls_of("sendMessage") if c.status == 429]
    assert refused


async def test_blocked_citizen_is_not_retried(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 5010)
    url = frontend.settings.database_url
    user.block()
    outbox_id = enqueue(url, user.chat_id, "Status tiket Anda berubah.", "status")
    for _ in range(50):
        if outbox_status(url, outbox_id) == "blocked":
            break
        await asyncio.sleep(0.1)
    assert outbox_status(url, outbox_id) == "blocked"
    with Session(get_engine(frontend.settings.database_url)) as s:
        assert s.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == outbox_id)) == 0


async def test_webhook_mode_checks_the_secret_token(
    api: LocalBotApi, servers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with LocalBotApi(token="7001:webhook-test-bot") as hook_api:
        settings = servers.frontend_settings(
            hook_api,
            tmp_path_factory.mktemp("webhook"),
            telegram_webhook_secret="s3cret-token-for-tests",
        )
        settings.telegram_webhook_url = f"http://127.0.0.1:{settings.frontend_port}{WEBHOOK_PATH}"
        app = TelegramFrontend(settings)
        await app.start()
        try:
            url = settings.telegram_webhook_url
            body = {
                "update_id": 999001,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1, "type": "private"},
                    "from": {"id": 1, "is_bot": False, "first_name": "X"},
                    "text": "halo",
                },
            }
            async with httpx.AsyncClient() as client:
                wrong = await client.post(url, json=body, headers={SECRET_HEADER: "wrong"})
                missing = await client.post(url, json=body)
            assert wrong.status_code == 403 and missing.status_code == 403
            with Session(get_engine(settings.database_url)) as s:
                assert (
                    s.scalar(select(InboxMessage).where(InboxMessage.update_id == 999001)) is None
                )
            # Updates pushed by the Bot API server carry the right secret and are served.
            user = hook_api.user(user_id=6001, first_name="Wati")
            await user.send_command("/start")
            await reply_with(user, "Selamat datang")
            await reply_with(user, "Apakah Anda menyetujui")
            await user.press("✅ Saya setuju")
            await reply_with(user, "Ada yang bisa saya bantu")
            # Telegram redelivers an update it thinks failed: it is handled once, answered once.
            body["message"]["chat"] = {"id": user.chat_id, "type": "private"}
            body["message"]["from"] = {"id": 6001, "is_bot": False, "first_name": "Wati"}
            body["message"]["text"] = "berapa biaya SKCK?"
            headers = {SECRET_HEADER: "s3cret-token-for-tests"}
            async with httpx.AsyncClient() as client:
                first = await client.post(url, json=body, headers=headers)
                again = await client.post(url, json=body, headers=headers)
            assert first.status_code == again.status_code == 200
            await reply_with(user, "Biaya")
            await app.queues.join()
            with Session(get_engine(settings.database_url)) as s:
                rows = s.scalars(
                    select(InboxMessage).where(
                        InboxMessage.bot_id == 7001, InboxMessage.update_id == 999001
                    )
                ).all()
            assert [(row.sender_id, row.status) for row in rows] == [("6001", "done")]
            assert len([m for m in user.replies() if "Biaya" in m.text]) == 1
        finally:
            await app.stop()


async def test_documents_pdf_accepted_other_types_refused(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5011)
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    await user.send_document(
        b"MZ\x90\x00 not a document", "program.exe", "application/x-msdownload"
    )
    await reply_with(user, "PDF atau gambar")
    await user.send_document(b"%PDF-1.4\n%test\n", "bukti.pdf", "application/pdf")
    await reply_with(user, "Dokumen diterima")
    url = frontend.settings.database_url
    assert drafts_of(url, "5011") == [("document", "application/pdf")]
    await user.send_command("/batal")
    await reply_with(user, "dibatalkan")
    assert drafts_of(url, "5011") == []


async def test_group_chats_are_pointed_to_the_private_chat(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    group = api.group(-100777, "Warga RT 03")
    member = group.user(user_id=5012, first_name="Dedi")
    await member.send_text("halo semua, ada info KTP?")
    await member.send_command("/start")
    for _ in range(50):
        if group.bot_messages():
            break
        await asyncio.sleep(0.1)
    texts = [m.text for m in group.bot_messages()]
    assert len(texts) == 1 and "chat pribadi" in texts[0]


async def test_privacy_and_data_deletion(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 5013)
    await user.send_command("/privasi")
    await reply_with(user, "UU PDP")
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    await user.send_text(
        "Jembatan kayu di kampung kami patah sebagian, anak sekolah harus memutar jauh."
    )
    await reply_with(user, "Di mana lokasinya")
    await user.send_text("Kampung Sukadamai RT 02")
    _summary, ticket_id = await confirm_suggested_choices(user)
    await user.send_command("/hapusdata")
    confirm = await reply_with(user, "Lanjutkan penghapusan?")
    assert confirm.button_texts == ["Ya, hapus data saya", "Batal"]
    await user.press("Ya, hapus data saya")
    await reply_with(user, "sudah dihapus")
    with Session(get_engine(frontend.settings.database_url)) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == ticket_id))
        assert ticket is not None and ticket.citizen_id is None
        assert s.scalars(select(InboxMessage).where(InboxMessage.sender_id == "5013")).all() == []
    with get_engine(frontend.settings.rasa_tracker_url).connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = '5013'")
        ).scalar()
    assert stored == 0
    # The person is gone: the next message asks for consent again.
    await user.send_text("halo")
    await reply_with(user, "Apakah Anda menyetujui")


async def test_action_server_outage_is_retried_too(
    api: LocalBotApi, frontend: TelegramFrontend, servers
) -> None:
    user = await consented_user(api, 5014)
    servers.stop_actions()
    try:
        await user.send_text("biaya bikin paspor berapa?")
        await reply_with(user, "sudah kami terima")
    finally:
        await asyncio.to_thread(servers.start_actions)
    answer = await reply_with(user, "Biaya", timeout=60)
    assert catalogue("paspor")["cost"] in answer.text


async def test_oversized_photo_is_refused_politely(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5015)
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    shared = frontend.application.bot_data["deps"]
    limit = shared.max_photo_bytes
    shared.max_photo_bytes = 100  # bytes: the test photo is larger
    try:
        await user.send_photo(make_png(64, 64))
        await reply_with(user, "terlalu besar")
    finally:
        shared.max_photo_bytes = limit
    assert drafts_of(frontend.settings.database_url, "5015") == []


def waiting_ticket(frontend: TelegramFrontend, sender: str, story: str, place: str) -> str:
    """A ticket of `sender` that an officer asked about (menunggu_warga); its public id."""
    repo = Repository(get_engine(frontend.settings.database_url))
    draft = ComplaintDraft(story, place, Category.INFRASTRUKTUR, Privacy.PUBLIC)
    ticket, _ = repo.file_ticket(sender, draft)
    with Session(get_engine(frontend.settings.database_url)) as s, s.begin():
        s.execute(
            update(Ticket)
            .where(Ticket.public_id == ticket.public_id)
            .values(status=TicketStatus.MENUNGGU_WARGA)
        )
    return ticket.public_id


def status_of(frontend: TelegramFrontend, public_id: str) -> TicketStatus | None:
    """The ticket's status as stored now."""
    with Session(get_engine(frontend.settings.database_url)) as s:
        return s.scalar(select(Ticket.status).where(Ticket.public_id == public_id))


async def test_jawab_answers_an_officers_request(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5016)
    public_id = waiting_ticket(
        frontend,
        "5016",
        "Lampu penerangan jalan di gang Kenanga mati sejak seminggu.",
        "Gang Kenanga",
    )
    await user.send_command("/jawab")
    await reply_with(user, "tulis nomor laporan")
    await user.send_command("/jawab ADU-ZZZZZZ tiang nomor 12")
    await reply_with(user, "tidak ditemukan")
    await user.send_command(f"/jawab {public_id.lower()} Tiangnya nomor 12, dekat musala.")
    await reply_with(user, "kembali diproses")
    assert status_of(frontend, public_id) == TicketStatus.DIPROSES


async def test_jawab_without_the_id_answers_the_one_ticket_waiting(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """A black-box tester typed "/jawab loket 3 ..." and was told to add the id, though one
    ticket only was waiting for the answer."""
    user = await consented_user(api, 5031)
    await user.send_command("/jawab loket 3 pak, sekitar jam 10an")
    await reply_with(user, "tulis nomor laporan")  # nothing waits: how to answer
    public_id = waiting_ticket(
        frontend,
        "5031",
        "Antrean di loket Samsat 4 jam, petugas sibuk main ponsel.",
        "Kantor Samsat, Jl. Pemuda No. 45",
    )
    await user.send_command("/jawab loket 3 pak, sekitar jam 10an")
    await reply_with(user, public_id)
    assert status_of(frontend, public_id) == TicketStatus.DIPROSES


def age_inbox_of_bot(database_url: str, bot_id: int, hours: float) -> None:
    """Time passes for one bot's stored updates (rows made older, nothing waits)."""
    with Session(get_engine(database_url)) as s, s.begin():
        for row in s.scalars(select(InboxMessage).where(InboxMessage.bot_id == bot_id)).all():
            at = (
                row.created_at
                if row.created_at.tzinfo
                else row.created_at.replace(tzinfo=timezone.utc)
            )
            row.created_at = at - timedelta(hours=hours)


async def test_a_restarted_bot_api_server_reusing_old_update_ids_is_heard(
    servers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The Bot API server restarts and counts update ids from 1 again (Telegram does the
    like after a week without updates): a message whose update id was last seen longer ago
    than the deduplication window is answered, not dropped as a duplicate."""
    token = "7002:restart-test-bot"
    var_dir = tmp_path_factory.mktemp("restart")
    async with LocalBotApi(token=token) as before:
        app = TelegramFrontend(servers.frontend_settings(before, var_dir))
        await app.start()
        try:
            user = await consented_user(before, 6101)  # update ids 1 and 2
        finally:
            await app.stop()
    age_inbox_of_bot(servers.database_url, 7002, hours=49)
    async with LocalBotApi(token=token) as after:  # ids start at 1 again
        app = TelegramFrontend(servers.frontend_settings(after, var_dir))
        await app.start()
        try:
            user = after.user(user_id=6101, first_name="Warga6101")
            await user.send_text("syarat bikin KTP apa aja kak?")  # update id 1, reused
            answer = await reply_with(user, "Persyaratan")
            assert catalogue("ktp")["requirements"][0] in answer.text
        finally:
            await app.stop()


async def test_rasa_api_needs_the_token_and_the_front_end_sends_it(
    api: LocalBotApi, frontend: TelegramFrontend, servers
) -> None:
    """Rasa runs with --auth-token (as the production Procfile starts it): a stranger
    reaching its port reads no conversation; the front end's calls carry the token."""
    user = await consented_user(api, 5017)
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    async with httpx.AsyncClient() as client:
        stranger = await client.get(f"{servers.rasa_url}/conversations/5017/tracker")
        status = await client.get(f"{servers.rasa_url}/status")
    assert stranger.status_code == status.status_code == 401
    state = await frontend.rasa.form_state("5017")
    assert state.active_loop == "complaint_form"
    tokenless = RasaClient(servers.rasa_url)
    try:
        with pytest.raises(RasaUnavailable, match="401"):
            await tokenless.form_state("5017")
    finally:
        await tokenless.close()
    assert (await frontend.health())["rasa"] is True
    await user.send_command("/batal")
    await reply_with(user, "dibatalkan")


async def test_an_update_stored_but_never_handled_is_handled_again(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """A replica stored an update and died before handling it (nobody will deliver it
    again): after the lease the retry job handles it from the stored JSON."""
    user = await consented_user(api, 5018)
    update_id = 990_001
    raw = {
        "update_id": update_id,
        "message": {
            "message_id": 99_001,
            "date": 1_800_000_000,
            "chat": {"id": user.chat_id, "type": "private", "first_name": "Warga5018"},
            "from": {"id": 5018, "is_bot": False, "first_name": "Warga5018"},
            "text": "berapa biaya SKCK?",
        },
    }
    stored = frontend.store.inbox.store_update(update_id, raw, "message", "5018", user.chat_id)
    assert stored is not None
    inbox_id = stored.inbox_id
    with Session(get_engine(frontend.settings.database_url)) as s, s.begin():
        s.execute(  # the lease ran out
            update(InboxMessage)
            .where(InboxMessage.id == inbox_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
    answer = await reply_with(user, "Biaya")
    assert catalogue("skck")["cost"] in answer.text
    with Session(get_engine(frontend.settings.database_url)) as s:
        assert s.scalar(select(InboxMessage.status).where(InboxMessage.id == inbox_id)) == "done"
    assert len([m for m in user.replies() if "Biaya" in m.text]) == 1


async def test_a_message_rasa_answered_before_its_front_end_died_is_not_sent_twice(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """A front end stored an update, sent it to Rasa, and died before it stored Rasa's
    answer. The update is handled again after the lease: the answer is read back from the
    conversation (the user event carries the inbox id), not asked of Rasa a second time."""
    user = await consented_user(api, 5020)
    question = "berapa biaya SKCK sekarang?"
    raw = {
        "update_id": 990_002,
        "message": {
            "message_id": 99_002,
            "date": 1_800_000_000,
            "chat": {"id": user.chat_id, "type": "private", "first_name": "Warga5020"},
            "from": {"id": 5020, "is_bot": False, "first_name": "Warga5020"},
            "text": question,
        },
    }
    stored = frontend.store.inbox.store_update(990_002, raw, "message", "5020", user.chat_id)
    assert stored is not None
    inbox_id = stored.inbox_id
    # What the dead front end did: Rasa took the message; its answer went to nobody.
    lost = await frontend.rasa.send("5020", question, inbox_id=inbox_id)
    assert any("Biaya" in (r.get("text") or "") for r in lost)
    with Session(get_engine(frontend.settings.database_url)) as s, s.begin():
        s.execute(  # the lease ran out
            update(InboxMessage)
            .where(InboxMessage.id == inbox_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
    answer = await reply_with(user, "Biaya")
    assert catalogue("skck")["cost"] in answer.text
    with Session(get_engine(frontend.settings.database_url)) as s:
        assert s.scalar(select(InboxMessage.status).where(InboxMessage.id == inbox_id)) == "done"
    assert len([m for m in user.replies() if "Biaya" in m.text]) == 1
    async with httpx.AsyncClient() as client:
        tracker = await client.get(
            f"{frontend.rasa.base_url}/conversations/5020/tracker",
            params={"include_events": "ALL", **frontend.rasa._token},
        )
    said = [e for e in tracker.json()["events"] if e.get("event") == "user"]
    assert [e.get("text") for e in said].count(question) == 1
    assert (said[-1].get("metadata") or {}).get("inbox_id") == inbox_id


async def test_the_front_end_applies_retention_on_schedule(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 5019)
    await user.send_text("halo")
    await reply_with(user, "Ada yang bisa saya bantu")
    engine = get_engine(frontend.settings.database_url)
    with Session(engine) as s, s.begin():
        s.execute(
            update(InboxMessage)
            .where(InboxMessage.sender_id == "5019")
            .values(created_at=utcnow() - timedelta(days=31))
        )
    await user.send_text("halo lagi")  # a recent message: kept
    await reply_with(user, "Ada yang bisa saya bantu")
    jobs = frontend.application.job_queue.get_jobs_by_name("purge")  # type: ignore[union-attr]
    assert len(jobs) == 1
    assert jobs[0].job.trigger.interval == timedelta(seconds=PURGE_INTERVAL_S)
    await jobs[0].run(frontend.application)
    with Session(engine) as s:
        left = s.scalars(select(InboxMessage).where(InboxMessage.sender_id == "5019")).all()
    assert [row.raw["message"]["text"] for row in left] == ["halo lagi"]


async def test_two_replicas_answer_a_redelivered_update_once(
    servers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two front-end replicas behind one webhook URL share the database; Telegram
    redelivers an update while the first delivery is still being handled: one answer."""
    secret = "replica-webhook-secret"
    async with LocalBotApi(token="7003:replica-test-bot") as hook_api:
        replicas: list[TelegramFrontend] = []
        try:
            for name in ("a", "b"):
                settings = servers.frontend_settings(
                    hook_api,
                    tmp_path_factory.mktemp(f"replica-{name}"),
                    telegram_webhook_secret=secret,
                )
                settings.telegram_webhook_url = (
                    f"http://127.0.0.1:{settings.frontend_port}{WEBHOOK_PATH}"
                )
                replica = TelegramFrontend(settings)
                await replica.start()
                replicas.append(replica)
            user = await consented_user(hook_api, 6201)
            body = {
                "update_id": 880_001,
                "message": {
                    "message_id": 88_001,
                    "date": 1_800_000_000,
                    "chat": {"id": user.chat_id, "type": "private", "first_name": "Warga6201"},
                    "from": {"id": 6201, "is_bot": False, "first_name": "Warga6201"},
                    "text": "berapa biaya SKCK?",
                },
            }
            async with httpx.AsyncClient() as client:
                answers = await asyncio.gather(
                    *(
                        client.post(
                            replica.settings.telegram_webhook_url,
                            json=body,
                            headers={SECRET_HEADER: secret},
                        )
                        for replica in replicas
                        for _ in range(2)
                    )
                )
            assert [a.status_code for a in answers] == [200, 200, 200, 200]
            await reply_with(user, "Biaya")
            for replica in replicas:
                await replica.queues.join()
            assert len([m for m in user.replies() if "Biaya" in m.text]) == 1
            with Session(get_engine(servers.database_url)) as s:
                rows = s.scalars(
                    select(InboxMessage).where(
                        InboxMessage.bot_id == 7003, InboxMessage.update_id == 880_001
                    )
                ).all()
            assert [(row.sender_id, row.status) for row in rows] == [("6201", "done")]
        finally:
            for replica in replicas:
                await replica.stop()

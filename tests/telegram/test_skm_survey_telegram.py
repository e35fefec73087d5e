"""The satisfaction survey (SKM) on Telegram, end to end: the real front end against our
local Bot API server, real Rasa, action server and database (fixtures in conftest.py).

The offer after a service answer; answering with buttons and typing, skipping, pausing
with "Nanti saja" and resuming with /survei; the comment; refusing, after which the same
service is not offered again (the 30-day rule); /survei after a resolved ticket.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from bot.store.models import Category, Privacy, SkmResponse, Ticket, TicketStatus, utcnow
from bot.store.repository import ComplaintDraft, Repository
from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi, SimulatedUser
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
OFFER = "Survei Kepuasan Masyarakat: 9 pertanyaan"


def texts_since(user: SimulatedUser, before: int) -> list[str]:
    return [m.text for m in user.replies()[before:]]


async def question(user: SimulatedUser, number: int) -> None:
    await reply_with(user, f"Pertanyaan {number}/9")


async def then_question(user: SimulatedUser, fragment: str, number: int) -> None:
    """A text followed by a question in the same turn: the front end joins them into one
    message, the question's buttons under it (bot.telegram.rendering.from_rasa)."""
    message = await reply_with(user, fragment)
    assert f"Pertanyaan {number}/9" in message.text, message.text


def latest_row(servers: Servers, service: str) -> SkmResponse:
    engine = create_engine(servers.database_url)
    try:
        with Session(engine) as s:
            row = s.scalars(
                select(SkmResponse)
                .where(SkmResponse.service_id == service)
                .order_by(SkmResponse.id.desc())
            ).first()
            assert row is not None
            s.expunge(row)
            return row
    finally:
        engine.dispose()


async def test_answer_skip_pause_resume_and_comment(
    api: LocalBotApi, frontend: TelegramFrontend, servers: Servers
) -> None:
    user = await consented_user(api, 7901)
    await user.send_text("syarat bikin KTP apa aja?")
    await reply_with(user, OFFER)
    await user.press("Isi survei")
    await then_question(user, "9 pertanyaan, masing-masing", 1)
    await user.press("4. Sangat sesuai")
    await question(user, 2)
    await user.press("Lewati")
    await question(user, 3)
    await user.send_text("3")  # typed instead of pressed
    await question(user, 4)
    await user.send_text("berapa lama bikin paspor?")  # answered, then asked again
    await reply_with(user, "Lama proses Paspor")
    await question(user, 4)
    await user.send_text("hmm")  # not an answer: asked again
    await then_question(user, "Mohon pilih salah satu jawaban", 4)
    await user.press("Nanti saja")
    await reply_with(user, "sudah kami simpan")
    row = latest_row(servers, "ktp")
    assert (row.status, row.u1, row.u2, row.u3, row.u4) == ("paused", 4, None, 3, None)

    await user.send_command("/survei")
    await then_question(user, "dari pertanyaan 4", 4)
    for number, title in zip(
        range(4, 10),
        ["3. Murah", "3. Sesuai", "4. Sangat kompeten", "3. Sopan dan ramah", "2. Cukup", "Lewati"],
        strict=True,
    ):
        await user.press(title)
        if number < 9:
            await question(user, number + 1)
    await reply_with(user, "ada saran atau masukan")
    await user.send_text("Antrean panjang, tolong hubungi saya di 0812-3456-7890")
    await reply_with(user, "survei Anda sudah kami terima")
    row = latest_row(servers, "ktp")
    assert row.status == "done"
    answers = [row.u1, row.u2, row.u3, row.u4, row.u5, row.u6, row.u7, row.u8, row.u9]
    assert answers == [4, None, 3, 3, 3, 4, 3, 2, None]
    assert row.comment == "Antrean panjang, tolong hubungi saya di [TELEPON]"
    assert "7901" not in row.respondent_key

    # Asked again about KTP: no second offer within 30 days.
    before = len(user.replies())
    await user.send_text("biaya KTP berapa?")
    await reply_with(user, "KTP")
    await user.send_text("halo")
    await reply_with(user, "Halo")
    assert not any(OFFER in t for t in texts_since(user, before))


async def test_refusal_is_kept_for_30_days(
    api: LocalBotApi, frontend: TelegramFrontend, servers: Servers
) -> None:
    user = await consented_user(api, 7902)
    await user.send_text("berapa biaya bikin paspor?")
    await reply_with(user, OFFER)
    await user.press("Tidak, terima kasih")
    await reply_with(user, "tidak akan kami tawarkan lagi dalam 30 hari")
    assert latest_row(servers, "paspor").status == "refused"
    before = len(user.replies())
    await user.send_text("syarat paspor apa saja?")
    await reply_with(user, "paspor")
    await user.send_text("halo")
    await reply_with(user, "Halo")
    assert not any(OFFER in t for t in texts_since(user, before))
    await user.send_command("/survei")
    await reply_with(user, "sudah Anda isi atau tolak dalam 30 hari")


async def test_survei_after_a_resolved_ticket(
    api: LocalBotApi, frontend: TelegramFrontend, servers: Servers
) -> None:
    user = await consented_user(api, 7903)
    engine = create_engine(servers.database_url)
    try:
        ticket, _ = Repository(engine).file_ticket(
            "7903",
            ComplaintDraft(
                "Pembuatan KK baru sudah tiga minggu belum selesai padahal dijanjikan seminggu.",
                "Disdukcapil Kota Contoh",
                Category.ADMINDUK,
                Privacy.PUBLIC,
                service_id="kk",
            ),
        )
        with Session(engine) as s, s.begin():
            s.execute(
                update(Ticket)
                .where(Ticket.public_id == ticket.public_id)
                .values(status=TicketStatus.SELESAI, closed_at=utcnow(), due_on=None)
            )
    finally:
        engine.dispose()
    await user.send_command("/survei")
    intro = await reply_with(user, "Survei Kepuasan Masyarakat tentang")
    assert "Kartu Keluarga" in intro.text
    assert "Pertanyaan 1/9" in intro.text  # the intro and the first question: one message
    await user.press("Nanti saja")
    await reply_with(user, "sudah kami simpan")
    assert latest_row(servers, "kk").ticket_id is not None

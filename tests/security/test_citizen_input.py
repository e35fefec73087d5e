"""A citizen attacking through Telegram (the real front end, local Bot API server, Rasa,
action server, PostgreSQL): another citizen's ticket id gets the same refusal as an id that
does not exist (status and /jawab); SQL in /status and in the complaint form is stored and
answered as text. The actions' own rules are tested in tests/actions/test_ticket_status.py
and the privacy matrix; this is the same through the whole path."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import Category, Privacy, Ticket, TicketEvent
from bot.store.repository import ComplaintDraft, Repository
from bot.telegram.app import TelegramFrontend
from devtools.local_api import LocalBotApi
from tests.utils.chat import TICKET
from tests.utils.domain import fixed_part
from tests.utils.hostile import SQL_INJECTION
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
NOT_FOUND = fixed_part("utter_ticket_not_found")  # "Tiket "


def events_of(frontend: TelegramFrontend, public_id: str) -> int:
    with Session(get_engine(frontend.settings.database_url)) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None
        return len(s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all())


async def test_another_citizens_ticket_is_refused_like_an_unknown_one(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    owner = "9700"
    filed, _ = Repository(get_engine(frontend.settings.database_url)).file_ticket(
        owner,
        ComplaintDraft(
            "Pungutan liar di loket KTP, diminta Rp50.000 tanpa kuitansi.",
            "Kantor kecamatan",
            Category.PUNGLI,
            Privacy.CONFIDENTIAL,
        ),
    )
    theirs = filed.public_id
    intruder = await consented_user(api, 9701)
    await intruder.send_command(f"/status {theirs}")
    refused = await reply_with(intruder, "tidak ditemukan")
    await intruder.send_command("/status ADU-ZZZZZZ")
    unknown = await reply_with(intruder, "tidak ditemukan")
    assert refused.text.replace(theirs, "X") == unknown.text.replace("ADU-ZZZZZZ", "X")
    assert "Pungutan" not in refused.text and "kecamatan" not in refused.text
    events = events_of(frontend, theirs)
    await intruder.send_command(f"/jawab {theirs} ini keterangan tambahan palsu")
    await reply_with(intruder, "tidak ditemukan di antara laporan Anda")
    assert events_of(frontend, theirs) == events  # nothing reached the ticket


async def test_sql_in_status_is_an_id_that_does_not_exist(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    citizen = await consented_user(api, 9702)
    for attack in SQL_INJECTION[:6]:
        before = len(citizen.replies())
        await citizen.send_command(f"/status {attack}")
        answer = await citizen.wait_for_reply(30)
        assert len(citizen.replies()) > before
        assert TICKET.search(answer.text) is None or "ADU-7K3M9P" in answer.text, answer.text


async def test_sql_in_the_complaint_form_is_kept_as_text(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    citizen = await consented_user(api, 9703)
    story = "Jalan berlubang'; DROP TABLE tickets; -- sudah sebulan, membahayakan pengendara."
    place = "Jl. Melati' OR '1'='1 no. 5"
    await citizen.send_command("/lapor")
    await reply_with(citizen, "ceritakan pengaduan")
    await citizen.send_text(story)
    await reply_with(citizen, "lokasinya")
    await citizen.send_text(place)
    category = await reply_with(citizen, "kategori")
    await citizen.press(category.button_texts[0])
    privacy = await reply_with(citizen, "Bagaimana laporan ini ditangani")
    await citizen.press(privacy.button_texts[0])
    await reply_with(citizen, "Kirim pengaduan ini?")
    await citizen.press("Ya, kirim")
    filed = await reply_with(citizen, "nomor tiket")
    found = TICKET.search(filed.text)
    assert found
    with Session(get_engine(frontend.settings.database_url)) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == found.group(0)))
        assert ticket is not None
        assert (ticket.description, ticket.location_text) == (story, place)
        assert s.scalar(select(Ticket.id).limit(1)) is not None  # the table is still there

"""The citizen answers an officer in plain words (E9, E10 of the black-box round d).

An officer asked a question (request for information, or a reply with a question) and the
citizen wrote the answer as a normal message: it was answered as a service question or
opened a new complaint, and only `/jawab` reached the ticket. Now the officer's message
says "tulis saja jawaban Anda di sini" and the front end keeps that promise
(bot/telegram/answers.py): the next typed message goes to the ticket, once; a Telegram
reply to the officer's message too; "lho sy td jawab pertanyaan petugas" does not become
general feedback. Real front end, Rasa, action server and database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.officer.access import Viewer
from bot.store.db import get_engine
from bot.store.models import (
    Category,
    OfficerRole,
    Privacy,
    Rating,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from bot.store.repository import ComplaintDraft, Repository
from bot.telegram.app import TelegramFrontend
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy
from bot.tickets.workflow import Workflow
from devtools.local_api import LocalBotApi
from tests.utils import ROOT
from tests.utils.officer import add_officer, verify_routed, viewer
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
def engine(frontend: TelegramFrontend) -> Engine:
    return get_engine(frontend.settings.database_url)


@pytest.fixture(scope="module")
def officer(engine: Engine) -> Iterator[tuple[Workflow, Viewer]]:
    account = add_officer(engine, "penjawab", OfficerRole.SUPERVISOR, [], "Sari Penjawab")
    calendar = HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    yield Workflow(engine, Deadlines(calendar, policy, 3, 5)), viewer(engine, account)


def _ticket(engine: Engine, workflow: Workflow, supervisor: Viewer, sender: str) -> str:
    repo = Repository(engine)
    draft = ComplaintDraft(
        "Petugas loket KK minta uang tambahan 100 ribu biar cepat jadi.",
        "Kantor Disdukcapil, Jl. Merdeka No. 10",
        Category.ADMINDUK,
        Privacy.PUBLIC,
    )
    ticket, _ = repo.file_ticket(sender, draft)
    verify_routed(workflow, supervisor, engine, ticket.public_id)
    return ticket.public_id


def _answers(engine: Engine, public_id: str) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(TicketEvent.body)
                .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                .where(Ticket.public_id == public_id, TicketEvent.kind == "message_in")
                .order_by(TicketEvent.id)
            )
        )


def _status(engine: Engine, public_id: str) -> TicketStatus | None:
    with Session(engine) as s:
        return s.scalar(select(Ticket.status).where(Ticket.public_id == public_id))


def _ratings(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count(Rating.id))) or 0)


@pytest.mark.parametrize(
    ("user_id", "answer"),
    [
        (5201, "sy dtg jam 9an pak, mau ganti KK krn nambah anak"),  # the tester's words
        (5202, "syarat KK baru apa aja pak? sy kemarin bawa akta lahir anak sy"),
        (5203, "mau lapor lagi pak, petugasnya yg pake baju batik di loket 2"),
    ],
)
async def test_a_plain_message_answers_the_request_for_information(
    api: LocalBotApi,
    frontend: TelegramFrontend,
    engine: Engine,
    officer: tuple[Workflow, Viewer],
    user_id: int,
    answer: str,
) -> None:
    workflow, supervisor = officer
    user = await consented_user(api, user_id)
    public_id = _ticket(engine, workflow, supervisor, str(user_id))
    workflow.request_info(supervisor, public_id, "Bapak datang jam berapa dan urusan apa?")
    question = await reply_with(user, "Petugas membutuhkan keterangan")
    assert "Tulis saja jawaban Anda di sini" in question.text
    await user.send_text(answer)
    taken = await reply_with(user, "sebagai jawaban")
    assert public_id in taken.text
    assert _answers(engine, public_id) == [answer]
    assert _status(engine, public_id) == TicketStatus.DIPROSES
    # One answer per question: the next message is the assistant's again.
    await user.send_text("syarat KTP apa aja")
    await reply_with(user, "KTP")
    assert _answers(engine, public_id) == [answer]
    # "lho sy td jawab pertanyaan petugas": told it arrived, not filed as feedback.
    ratings = _ratings(engine)
    await user.send_text("lho sy td jawab pertanyaan petugas")
    noted = await reply_with(user, public_id)
    assert "masukan" not in noted.text.lower()
    assert _answers(engine, public_id) == [answer]
    assert _ratings(engine) == ratings


async def test_an_officers_reply_is_answered_in_plain_words_and_by_telegram_reply(
    api: LocalBotApi, frontend: TelegramFrontend, engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    workflow, supervisor = officer
    user = await consented_user(api, 5204)
    public_id = _ticket(engine, workflow, supervisor, "5204")
    workflow.reply(supervisor, public_id, "Hari apa dan jam berapa calo itu menawarkan jasanya?")
    officer_message = await reply_with(user, "Balasan petugas")
    first = "biasanya pagi2 jam 8an di parkiran, orangnya pake jaket item, rambut cepak"
    await user.send_text(first)
    await reply_with(user, "sebagai jawaban")
    # More words later, as a Telegram reply to the officer's message: the same ticket.
    more = "oiya dia jg suka nongkrong di warung kopi depan kantor"
    await user.send_text(more, reply_to=officer_message.message_id)
    await reply_with(user, "sebagai jawaban")
    assert _answers(engine, public_id) == [first, more]


async def test_thanks_and_report_questions_are_not_taken_as_the_answer(
    api: LocalBotApi, frontend: TelegramFrontend, engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    workflow, supervisor = officer
    user = await consented_user(api, 5205)
    public_id = _ticket(engine, workflow, supervisor, "5205")
    workflow.request_info(supervisor, public_id, "Di loket nomor berapa?")
    await reply_with(user, "Petugas membutuhkan keterangan")
    await user.send_text("makasih pak")
    await user.send_text("laporan sy gmn kbrnya")
    await reply_with(user, public_id)
    assert _answers(engine, public_id) == []
    assert _status(engine, public_id) == TicketStatus.MENUNGGU_WARGA


async def test_the_previous_message_is_sent_when_the_citizen_says_it_was_the_answer(
    api: LocalBotApi, frontend: TelegramFrontend, engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    """The answer reached the assistant (no officer's message waited for it: the officer
    phoned); "itu tadi jawaban sy buat petugas" sends it to the one open ticket."""
    workflow, supervisor = officer
    user = await consented_user(api, 5206)
    public_id = _ticket(engine, workflow, supervisor, "5206")
    answer = "loket 3 pak, sekitar jam 10an, nomor antrean B-117"
    await user.send_text(answer)
    await user.wait_for_reply(30)
    await user.send_text("itu tadi jawaban sy buat pertanyaan petugas")
    await reply_with(user, public_id)
    assert _answers(engine, public_id) == [answer]

"""Starting a complaint on Telegram: the first reply is the form's first question only.

The real python-telegram-bot front end against our local Bot API server, real Rasa, action
server and database (fixtures in conftest.py). Every way into the complaint form is tried:
free text, the menu's "Buat pengaduan" button, /lapor, "mau lapor" after a service question
and after a message that was not understood (issue 7, section 2).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot import texts as front_end_texts
from bot.telegram.app import TelegramFrontend
from devtools.local_api import LocalBotApi, SimulatedUser
from tests.utils.domain import FIRST_QUESTION_AFTER_STORY, assert_only_the_first_question
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
STORY = "Lampu jalan depan rumah mati sudah dua minggu, malam hari gelap dan rawan jambret."


def chosen(title: str) -> str:
    """The front end's note of a pressed button (it is not a reply from the assistant)."""
    return front_end_texts.text("button_chosen", title=title)


async def first_turn(
    user: SimulatedUser,
    enter: Callable[[], Awaitable[object]],
    question: str = "ceritakan pengaduan",
    answer: str = STORY,
    next_question: str = "Di mana lokasinya",
) -> list[str]:
    """Everything the bot sent in answer to the entry point.

    The citizen enters the form, waits for the question, then answers it; the front end
    handles a citizen's messages in order, so every message before the answer's reply
    (the next question) belongs to the entry point's turn. No clock is involved.
    """
    before = len(user.replies())
    await enter()
    await reply_with(user, question)
    await user.send_text(answer)
    await reply_with(user, next_question)
    sent = [m.text for m in user.replies()[before:]]
    return sent[:-1]


@pytest.mark.parametrize(
    ("user_id", "opener"),
    [(7701, "saya mau lapor"), (7702, "pak saya mau ngadu"), (7703, "mau komplain")],
)
async def test_free_text_opener(
    api: LocalBotApi, frontend: TelegramFrontend, user_id: int, opener: str
) -> None:
    user = await consented_user(api, user_id)
    texts = await first_turn(user, lambda: user.send_text(opener))
    assert_only_the_first_question(texts)


async def test_lapor_command(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 7704)
    texts = await first_turn(user, lambda: user.send_command("/lapor"))
    assert_only_the_first_question(texts)


async def test_menu_button_buat_pengaduan(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 7705)
    texts = await first_turn(user, lambda: user.press("Buat pengaduan"))
    assert texts[0] == chosen("Buat pengaduan")
    assert_only_the_first_question(texts[1:])


async def test_mau_lapor_after_a_service_question(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 7706)
    await user.send_text("biaya SKCK berapa ya?")
    await reply_with(user, "Biaya")
    # The last message of that turn for a new citizen: the survey offer about the service.
    await reply_with(user, "Survei Kepuasan Masyarakat")
    texts = await first_turn(user, lambda: user.send_text("mau lapor"))
    assert_only_the_first_question(texts)


async def test_mau_lapor_after_a_fallback(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 7707)
    await user.send_text("asdkjh qwe zxcmnb")
    await reply_with(user, "belum memahami")
    texts = await first_turn(user, lambda: user.send_text("saya mau lapor"))
    assert_only_the_first_question(texts)


async def test_menu_button_after_two_fallbacks(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    user = await consented_user(api, 7708)
    await user.send_text("asdkjh qwe zxcmnb")
    await reply_with(user, "belum memahami")
    await user.send_text("qqq wwww eeee rrrr")
    await reply_with(user, "pilih salah satu menu")
    texts = await first_turn(user, lambda: user.press("Buat pengaduan"))
    assert texts[0] == chosen("Buat pengaduan")
    assert_only_the_first_question(texts[1:])


async def test_an_opener_with_the_whole_story(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    user = await consented_user(api, 7709)
    texts = await first_turn(
        user,
        lambda: user.send_text("saya mau lapor, " + STORY),
        question="Di mana lokasinya",
        answer="Gang Anggrek RT 04 RW 02, Kelurahan Sukamaju",
        next_question="kategori",
    )
    assert_only_the_first_question(texts, FIRST_QUESTION_AFTER_STORY)

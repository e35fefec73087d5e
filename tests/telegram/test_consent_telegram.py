"""The privacy consent on Telegram after the notice was shown: a refusal, then more messages
(tester d, D3b: the whole notice came back for every message), and a typed answer to the
notice's question (E3: only the buttons counted).

The real python-telegram-bot front end against our local Bot API server, real Rasa, action
server and database (fixtures in conftest.py). Each test is its own citizen (user ids
7801-7819).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.consent import ConsentRepository
from bot.store.db import get_engine
from bot.store.models import InboxMessage
from bot.telegram.app import TelegramFrontend
from bot.texts import text
from devtools.local_api import LocalBotApi, SimulatedUser
from tests.utils.telegram import reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
NOTICE = "Apakah Anda menyetujui"  # the question that ends the whole notice
REMINDER = "belum kami proses"
THANKS = "persetujuan Anda sudah kami catat"
BUTTONS = [text("consent_yes_button"), text("consent_no_button")]


def notices(user: SimulatedUser) -> int:
    """How many times the whole notice was sent to the citizen."""
    return sum(NOTICE in m.text for m in user.replies())


def consented(frontend: TelegramFrontend, user_id: int) -> bool:
    return ConsentRepository(get_engine(frontend.settings.database_url)).consented(str(user_id))


def inbox_of(frontend: TelegramFrontend, user_id: int) -> list[InboxMessage]:
    with Session(get_engine(frontend.settings.database_url)) as s:
        return list(
            s.scalars(
                select(InboxMessage)
                .where(InboxMessage.sender_id == str(user_id))
                .order_by(InboxMessage.id)
            )
        )


async def reminded(user: SimulatedUser) -> None:
    """The short reminder with the consent buttons, not the whole notice."""
    reminder = await reply_with(user, REMINDER)
    assert NOTICE not in reminder.text
    assert len(reminder.text.splitlines()) <= 2
    assert reminder.button_texts == BUTTONS


async def test_after_a_refusal_messages_get_a_reminder_and_a_typed_yes_answers_them(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """Ani (tester d, C3), in her words: refuses, writes twice, then types her consent."""
    user = api.user(user_id=7801, first_name="Ani")
    await user.send_command("/start")
    await reply_with(user, NOTICE)
    await user.press("Tidak setuju")
    await reply_with(user, "tidak akan memproses")
    await user.send_text("lho kok gitu")
    await reminded(user)
    await user.send_text("sy cm mau nanya syarat akta lahir anak")
    await reminded(user)
    assert notices(user) == 1
    assert not consented(frontend, 7801)
    await user.send_text("yaudah deh setuju")
    await reply_with(user, THANKS)
    answer = await reply_with(user, "Surat keterangan kelahiran")
    assert "KTP-el kedua orang tua" in answer.text
    assert consented(frontend, 7801)
    # The typed yes answered the notice; it was not a turn for Rasa.
    rows = inbox_of(frontend, 7801)
    typed = [r for r in rows if r.raw and "yaudah deh setuju" in str(r.raw)]
    assert [(r.status, r.kind) for r in typed] == [("done", "consent")]
    assert notices(user) == 1
    # From now on the conversation goes on as usual.
    await user.send_text("biayanya brp")
    await reply_with(user, "Gratis")


@pytest.mark.parametrize(
    ("user_id", "typed"),
    [
        (7802, "setuju"),
        (7803, "ok saya setuju"),
        (7804, "iya setuju kak"),
        (7805, "boleh"),
        (7806, "Baik, saya setuju."),
        (7807, "setujuuu"),
    ],
)
async def test_a_typed_yes_after_the_notice_is_consent(
    api: LocalBotApi, frontend: TelegramFrontend, user_id: int, typed: str
) -> None:
    """E3: the held question is answered exactly as after the button."""
    user = api.user(user_id=user_id, first_name=f"Warga{user_id}")
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, NOTICE)
    await user.send_text(typed)
    await reply_with(user, THANKS)
    await reply_with(user, "Biaya")
    assert consented(frontend, user_id)
    assert notices(user) == 1


@pytest.mark.parametrize(
    ("user_id", "typed"),
    [
        (7808, "ok, tapi data sy dipakai buat apa?"),
        (7809, "ok syarat ktp apa"),
        (7810, "setuju?"),
        (7811, "kalau setuju nanti data sy disebar ga"),
        (7812, "min"),
    ],
)
async def test_no_clear_yes_is_no_consent(
    api: LocalBotApi, frontend: TelegramFrontend, user_id: int, typed: str
) -> None:
    """A question or other words with "ok"/"setuju" in them are held with the reminder;
    the button then answers everything held, in order."""
    user = api.user(user_id=user_id, first_name=f"Warga{user_id}")
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, NOTICE)
    await user.send_text(typed)
    await reminded(user)
    assert not consented(frontend, user_id)
    await user.press(BUTTONS[0])
    await reply_with(user, THANKS)
    await reply_with(user, "Biaya")
    assert consented(frontend, user_id)
    assert notices(user) == 1


async def test_a_first_message_setuju_before_any_notice_is_no_consent(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """Consent is given to a notice the citizen saw: without one, the notice is shown."""
    user = api.user(user_id=7813, first_name="Rudi")
    await user.send_text("setuju")
    await reply_with(user, "setujui pemberitahuan privasi")
    await reply_with(user, NOTICE)
    assert not consented(frontend, 7813)


@pytest.mark.parametrize(
    ("user_id", "typed"),
    [(7814, "gak mau"), (7815, "tidak setuju"), (7816, "Nggak dulu deh, makasih")],
)
async def test_a_typed_no_after_the_notice_is_a_refusal(
    api: LocalBotApi, frontend: TelegramFrontend, user_id: int, typed: str
) -> None:
    """A typed no forgets the held messages and its own text, like the button; /start
    shows the whole notice again, a typed yes then consents, and "Tidak setuju" on the
    older notice no longer refuses."""
    user = api.user(user_id=user_id, first_name=f"Warga{user_id}")
    await user.send_text("nik saya 3174012345678901, berapa biaya SKCK?")
    await reply_with(user, NOTICE)
    await user.send_text(typed)
    declined = await reply_with(user, "tidak akan memproses")
    assert "sudah kami hapus" in declined.text
    rows = inbox_of(frontend, user_id)
    assert [r.status for r in rows] == ["declined", "declined"]
    assert all(r.payload is None and r.raw is None for r in rows)
    assert not consented(frontend, user_id)
    await user.send_command("/start")
    await reply_with(user, NOTICE)
    assert notices(user) == 2
    await user.send_text("ok setuju")
    await reply_with(user, THANKS)
    await reply_with(user, "Ada yang bisa saya bantu")
    assert consented(frontend, user_id)
    await asyncio.sleep(1.0)
    assert not [m for m in user.replies() if "Biaya" in m.text]
    first_notice = next(m for m in user.replies() if NOTICE in m.text)
    await user.press(BUTTONS[1], message_id=first_notice.message_id)
    await reply_with(user, "sudah tercatat")
    assert consented(frontend, user_id)

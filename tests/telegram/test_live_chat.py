"""The live chat with an officer on Telegram, end to end: the real front end on the local
Bot API server, real Rasa, action server and database. The officer's side is the domain
(bot.handoff.chats), as the console calls it. While a chat waits or is taken the citizen's
messages reach the officer and not Rasa; the officer's messages, the typing indicator and
the notices reach the citizen; after the hand back Rasa answers again; /selesai ends a chat;
a chat nobody takes is ended with the offer of a complaint or a call-back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.handoff.chats import LiveChats
from bot.officer.access import Viewer
from bot.store.db import get_engine
from bot.store.models import DraftAttachment, LiveChatMessage, OfficerRole, utcnow
from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi, SimulatedUser
from tests.utils.officer import add_officer, viewer
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
ALWAYS_OPEN = ("Unit Pengaduan Uji", "Senin–Minggu 00.00–24.00 WIB")
TAKE_TIMEOUT_S = 3600.0  # the timeout test backdates its chat instead of waiting


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def frontend(
    api: LocalBotApi, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TelegramFrontend]:
    """Our front end in long-polling mode, with a take timeout of an hour."""
    settings = servers.frontend_settings(
        api, tmp_path_factory.mktemp("var"), handoff_take_timeout_s=TAKE_TIMEOUT_S
    )
    app = TelegramFrontend(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def _officer(engine: Engine, username: str) -> Viewer:
    return viewer(engine, add_officer(engine, username, OfficerRole.OFFICER, ["disdukcapil"]))


def _open(engine: Engine, user: SimulatedUser, minutes_ago: float = 0) -> int:
    requested = LiveChats(engine).request(
        str(user.id),
        None,
        [],
        frozenset(),
        *ALWAYS_OPEN,
        now=utcnow() - timedelta(minutes=minutes_ago),
    )
    assert requested.opened
    return requested.chat_id


async def _stored(engine: Engine, chat_id: int, fragment: str) -> None:
    """Wait until the chat holds the citizen's message containing `fragment`."""

    def found() -> bool:
        with Session(engine) as s:
            texts = s.scalars(
                select(LiveChatMessage.text).where(
                    LiveChatMessage.live_chat_id == chat_id, LiveChatMessage.who == "warga"
                )
            )
            return any(fragment in t for t in texts)

    for _ in range(200):
        if await asyncio.to_thread(found):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{fragment!r} never reached the live chat")


async def test_take_chat_both_ways_and_hand_back(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    engine = get_engine(frontend.settings.database_url)
    user = await consented_user(api, 6301)
    officer = _officer(engine, "petugas6101")
    chats = LiveChats(engine)
    chat_id = _open(engine, user)

    # Waiting: the citizen's words are kept for the officer; the bot says nothing.
    before = len(user.replies())
    await user.send_text("halo, apakah ada petugas? KTP saya hilang")
    await _stored(engine, chat_id, "KTP saya hilang")
    chats.take(officer, chat_id)
    await reply_with(user, "sudah bergabung")
    assert all("bergabung" in m.text for m in user.replies()[before:])

    # Both ways: the officer's message arrives, the citizen's answer reaches the officer.
    chats.send(officer, chat_id, "Selamat siang, KTP Anda hilang di mana?")
    await reply_with(user, "hilang di mana")
    await user.send_text("di pasar, kemarin sore")
    await _stored(engine, chat_id, "di pasar")
    _, messages = chats.load(officer, chat_id)
    assert [m.who for m in messages] == ["warga", "petugas", "warga"]
    for _ in range(100):  # the outbox marks the officer's message as sent
        if chats.load(officer, chat_id)[1][1].delivery == "sent":
            break
        await asyncio.sleep(0.05)
    assert chats.load(officer, chat_id)[1][1].delivery == "sent"
    assert len(user.replies()) == before + 2  # "bergabung" and the officer's message only

    # The officer types: Telegram shows "typing…" in the citizen's chat.
    typing_before = len(api.calls_of("sendChatAction"))
    assert chats.typing(officer, chat_id)
    for _ in range(100):
        if len(api.calls_of("sendChatAction")) > typing_before:
            break
        await asyncio.sleep(0.05)
    call = api.calls_of("sendChatAction")[-1]
    assert call.params["action"] == "typing" and int(call.params["chat_id"]) == user.chat_id

    # Hand back: the citizen is told, and Rasa answers the next message again.
    chats.hand_back(officer, chat_id)
    await reply_with(user, "mengembalikan percakapan")
    await user.send_text("syarat bikin KTP apa saja?")
    answer = await reply_with(user, "KTP")
    assert "Syarat" in answer.text or "syarat" in answer.text


async def test_the_citizen_ends_the_chat_with_selesai(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    engine = get_engine(frontend.settings.database_url)
    user = await consented_user(api, 6302)
    chat_id = _open(engine, user)
    await user.send_command("/selesai")
    await reply_with(user, "sudah Anda akhiri")
    assert LiveChats(engine).active_for(str(user.id)) is None
    assert chat_id
    await user.send_command("/selesai")
    await reply_with(user, "tidak sedang mengobrol dengan petugas")


async def test_nobody_takes_it_in_time(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    engine = get_engine(frontend.settings.database_url)
    user = await consented_user(api, 6303)
    _open(engine, user, minutes_ago=TAKE_TIMEOUT_S / 60 + 1)
    told = await reply_with(user, "belum ada petugas")
    assert told.button_texts == ["Buat pengaduan", "Minta dihubungi nanti"]
    assert LiveChats(engine).active_for(str(user.id)) is None


async def test_media_and_commands_during_a_live_chat(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """Photos and documents become a note for the officer (the citizen is told the officer
    cannot open the file here), a location a map link; other commands get a polite notice;
    nothing reaches the complaint form's attachments or Rasa."""
    engine = get_engine(frontend.settings.database_url)
    user = await consented_user(api, 6304)
    chat_id = _open(engine, user)
    before = len(user.replies())
    await user.send_photo(b"\xff\xd8\xff\xe0fake jpeg", caption="antrean di loket 3")
    await _stored(engine, chat_id, "[foto] antrean di loket 3")
    await reply_with(user, "belum dapat membuka berkas")
    await user.send_document(b"%PDF-1.4 fake", file_name="surat.pdf")
    await _stored(engine, chat_id, "[dokumen surat.pdf]")
    await user.send_location(-6.2, 106.816666)
    await _stored(engine, chat_id, "https://www.google.com/maps?q=-6.2,106.816666")
    for command in ("/status", "/lapor", "/start"):
        await user.send_command(command)
        await reply_with(user, "sedang terhubung dengan petugas")
    # Two notes about files and three about commands: nothing else (the location is
    # silent, Rasa never answered).
    since = [m.text for m in user.replies()[before:]]
    assert len(since) == 5, since
    with Session(engine) as s:
        assert s.scalar(select(DraftAttachment.id)) is None
    # /privasi still answers; /selesai still ends the chat.
    await user.send_command("/privasi")
    await reply_with(user, "Kebijakan privasi")
    await user.send_command("/selesai")
    await reply_with(user, "sudah Anda akhiri")

"""Odd updates the fuzz test found mishandled, each pinned by name: the real front end on the
local Bot API server, real Rasa, action server and PostgreSQL (fixtures in conftest.py)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import InboxMessage
from bot.telegram.app import TelegramFrontend, bot_id_of
from devtools.local_api import LocalBotApi
from devtools.local_api.state import now
from tests.utils.hostile import describe, errors_logged, markup_problems, settle
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
USER_IDS = itertools.count(9400)  # a citizen of their own for each test


def inbox_row(frontend: TelegramFrontend, update_id: int) -> InboxMessage | None:
    with Session(get_engine(frontend.settings.database_url)) as s:
        return s.scalar(
            select(InboxMessage).where(
                InboxMessage.bot_id == bot_id_of(frontend.settings.telegram_bot_token),
                InboxMessage.update_id == update_id,
                InboxMessage.dedup_active.is_(True),
            )
        )


async def test_a_channel_post_gets_no_reply_in_the_channel(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """A bot added to a channel must not post there (the fuzz test saw "Maaf, jenis pesan
    ini belum bisa kami proses" published in the channel for every post)."""
    chat = api.state.add_group(-1009400, "Kanal Berita Kota", "channel", "kanalkota")
    post = {
        "message_id": 1,
        "date": now(),
        "chat": dict(chat.chat),
        "sender_chat": dict(chat.chat),
        "text": "Pengumuman: pelayanan KTP tutup besok.",
    }
    calls = len(api.calls)
    update = api.state.push_update("channel_post", post)
    assert update is not None
    await settle(api, frontend, update["update_id"])
    assert [c for c in api.calls[calls:] if c.method == "sendMessage"] == []
    row = inbox_row(frontend, update["update_id"])
    assert row is not None and row.status == "done"


@pytest.mark.parametrize("typed", ["/ restart", " /restart", "/ back", "/ session_start"])
async def test_text_that_looks_like_a_rasa_command_is_answered_and_blocks_nothing(
    api: LocalBotApi, frontend: TelegramFrontend, typed: str
) -> None:
    """Rasa strips a message and reads '/intent' as a command: '/ restart' (not a Telegram
    command: a space after the slash) restarted the conversation silently, the empty
    answer looked like an outage, and every later message of the citizen queued behind
    the one retried for ever."""
    user = await consented_user(api, next(USER_IDS))
    sent = await user.send_text(typed)
    update_id = next(
        u["update_id"]
        for u in reversed(api.pending_updates)
        if u.get("message", {}).get("message_id") == sent["message_id"]
    )
    await settle(api, frontend, update_id)
    row = inbox_row(frontend, update_id)
    assert row is not None and row.status == "done", row.status if row else None
    assert "sudah kami terima" not in user.replies()[-1].text  # not taken for an outage
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, "Biaya")


async def test_a_caption_that_looks_like_a_rasa_command_is_not_one(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """A photo's caption is the story when the form asks for it: the same rule as text."""
    from devtools.local_api import make_png

    user = await consented_user(api, next(USER_IDS))
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan")
    await user.send_photo(make_png(8, 8), caption="/ restart")
    await reply_with(user, "Foto diterima")
    await user.send_text(
        "Jalan berlubang besar di depan pasar sejak sebulan, sering ada yang jatuh."
    )
    await reply_with(user, "lokasinya")


@pytest.mark.parametrize("data", ["btn:²", "btn:٣", "btn:99999999999999999999", "btn:-1"])
async def test_a_forged_button_is_answered_politely(
    api: LocalBotApi, frontend: TelegramFrontend, data: str
) -> None:
    """Callback data the bot never issued: answered as a used button, nothing else.
    ('²' passes str.isdigit() but not int(): the handler failed and the press spun.)"""
    user = await consented_user(api, next(USER_IDS))
    await user.send_text("biaya SIM C berapa?")
    answer = await reply_with(user, "Biaya")
    with errors_logged() as errors:
        query = api.state.new_callback_query(user.chat, answer.raw, user.user, data)
        update = api.state.push_update("callback_query", query)
        assert update is not None
        reply = await user.wait_for_callback_answer(query["id"])
        await settle(api, frontend, update["update_id"])
    assert [describe(e) for e in errors] == []
    assert "sudah dipakai" in (reply.get("text") or "")


def _message(api: LocalBotApi, user_id: int, **changes: Any) -> dict[str, Any]:
    user = api.user(user_id=user_id, first_name=f"Warga{user_id}")
    message: dict[str, Any] = user.chat.new_message(user.user, {"text": "halo"})
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    return message


@pytest.mark.parametrize(
    "changes",
    [
        {"chat": None},
        {"date": None},
        {"from": None},
        {"chat": {"id": "bukan-angka", "type": "private"}},
        {"text": 12345},
    ],
    ids=["no-chat", "no-date", "no-from", "chat-id-text", "text-number"],
)
async def test_a_malformed_update_is_put_aside_and_polling_goes_on(
    api: LocalBotApi, frontend: TelegramFrontend, changes: dict[str, Any]
) -> None:
    """An update python-telegram-bot cannot read stopped the poller for good: it was never
    confirmed, so every getUpdates returned it again (and a restart too)."""
    user = await consented_user(api, next(USER_IDS))
    with errors_logged() as errors:
        update = api.state.push_update("message", _message(api, user.id, **changes))
        assert update is not None
        await settle(api, frontend, update["update_id"])
    assert [describe(e) for e in errors] == []
    calls = len(api.calls)
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, "Biaya")
    assert markup_problems(api.calls[calls:]) == []


async def test_a_press_telegram_no_longer_lets_us_answer_still_counts(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """answerCallbackQuery fails for a query Telegram forgot (older than its limit: a
    backlog after an outage) or never issued; the handler failed there, before the press
    took effect, and the recovery job failed the same way again."""
    user = await consented_user(api, next(USER_IDS))
    await user.send_text("biaya SIM C berapa?")
    answer = await reply_with(user, "Biaya")
    query = api.state.new_callback_query(user.chat, answer.raw, user.user, "btn:0")
    api.state.callback_queries.pop(query["id"])  # too old to answer
    with errors_logged() as errors:
        update = api.state.push_update("callback_query", query)
        assert update is not None
        await settle(api, frontend, update["update_id"])
    assert [describe(e) for e in errors] == []
    row = inbox_row(frontend, update["update_id"])
    assert row is not None and row.status == "done"
    await reply_with(user, "Pilihan:")  # the choice was made all the same


async def test_a_nul_character_is_dropped_at_the_door(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    """PostgreSQL's text columns refuse U+0000: a message held for consent (or kept while
    Rasa is down) and a display name carrying one failed to store, the handler failed and
    the citizen got nothing. The front end drops NUL from every text of an update."""
    newcomer = api.user(user_id=next(USER_IDS), first_name="Wa\x00rga")
    with errors_logged() as errors:
        await newcomer.send_text("syarat\x00 KTP apa saja?")
        await reply_with(newcomer, "Apakah Anda menyetujui")
        await newcomer.press("✅ Saya setuju")
        answer = await reply_with(newcomer, "Persyaratan")
    assert [describe(e) for e in errors] == []
    assert "KTP" in answer.text

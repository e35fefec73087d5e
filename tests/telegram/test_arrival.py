"""What storing an update answers (its inbox row, its sender's consent, a message of theirs
waiting, a live chat going on) is used while handling it, unless it may be stale (this
process changed a consent since, left a message waiting, or handled an earlier update of
the sender meanwhile): then it is read again."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Settings
from bot.handoff.chats import LiveChats
from bot.store.models import InboxMessage, LiveChatMessage
from bot.store.repository import Repository
from bot.telegram.app import TelegramFrontend
from bot.telegram.store import Arrival, AsyncStore, handling
from devtools.local_api import LocalBotApi


@pytest_asyncio.fixture
async def store(repo: Repository) -> AsyncIterator[AsyncStore]:
    facade = AsyncStore(repo.engine, repo, rasa_tracker_url="", bot_id=1)
    yield facade
    facade.close()


async def arrive(store: AsyncStore, update_id: int, sender: str = "42") -> Arrival:
    arrival = await store.store_update(
        update_id, {"update_id": update_id}, "message", sender, int(sender)
    )
    assert arrival is not None
    return arrival


async def test_an_arrival_answers_for_its_row_and_consent(store: AsyncStore) -> None:
    await store.record_consent("42", 42, "Warga")
    arrival = await arrive(store, 1)
    assert arrival.consented
    assert await store.consented("42", arrival)
    assert await store.inbox_id(1, arrival) == arrival.inbox_id == await store.inbox_id(1)
    assert await store.store_update(1, {"update_id": 1}, "message", "42", 42) is None


async def test_a_consent_given_after_the_message_was_stored_counts(store: AsyncStore) -> None:
    """The citizen pressed "Saya setuju" and typed at once: the text was stored before the
    press was handled. Handled after it, the text is not held (it would wait for a consent
    already given)."""
    text = await arrive(store, 2)
    assert not text.consented
    await store.record_consent("42", 42, "Warga")
    assert await store.consented("42", text)


async def test_a_consent_forgotten_after_the_message_was_stored_counts(
    store: AsyncStore,
) -> None:
    """/hapusdata confirmed, then a message that was already stored: nothing of it may
    reach Rasa, and its inbox row is gone with the citizen's other messages."""
    await store.record_consent("42", 42, "Warga")
    text = await arrive(store, 3)
    assert text.consented
    await store.forget_citizen("42")
    assert not await store.consented("42", text)
    assert await store.inbox_id(3, text) is None
    with Session(store.engine) as s:
        assert s.scalar(select(InboxMessage.id).where(InboxMessage.update_id == 3)) is None


async def test_other_citizens_consent_is_read_again_after_any_change(store: AsyncStore) -> None:
    """Changes are counted for the whole process: an arrival from before any change is
    re-read, and re-reading gives the same answer when nothing changed for its sender."""
    await store.record_consent("43", 43, "Warga")
    other = await arrive(store, 4, sender="43")
    await store.record_consent("42", 42, "Warga")
    assert await store.consented("43", other)
    assert await store.inbox_id(4, other) == other.inbox_id


async def test_an_arrival_answers_whether_a_message_of_its_sender_waits(
    store: AsyncStore,
) -> None:
    """Storing an update also tells whether its sender has a message waiting for Rasa, so
    forwarding it needs no other read; a message this process left waiting since (an
    earlier one of the citizen's queue, Rasa down) makes it read again, and so does an
    arrival that found one waiting (it may have been answered since)."""
    first = await arrive(store, 5)
    second = await arrive(store, 6)
    assert not first.pending and not second.pending
    assert not await store.has_pending("42", second)
    await store.mark_pending(first.inbox_id, "halo", "Rasa down", 0)
    assert await store.has_pending("42", second)  # read again: the first one waits now
    third = await arrive(store, 7)
    assert third.pending
    assert await store.has_pending("42", third)
    await store.queue_conversation(42, [("jawaban", [])], first.inbox_id)  # answered
    assert not await store.has_pending("42", third)
    other = await arrive(store, 8, sender="43")
    assert not other.pending and not await store.has_pending("43", other)


def _open_live_chat(engine: Engine, sender: str) -> int:
    requested = LiveChats(engine).request(
        sender, None, [], frozenset(), "Unit Pengaduan Uji", "Senin–Minggu 00.00–24.00 WIB"
    )
    assert requested.opened
    return requested.chat_id


def _live_messages(engine: Engine, chat_id: int) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(select(LiveChatMessage.text).where(LiveChatMessage.live_chat_id == chat_id))
        )


async def test_an_arrival_answers_whether_a_live_chat_goes_on(store: AsyncStore) -> None:
    """Storing an update tells whether its sender has a live chat with an officer going on;
    while it is handled that answer is used instead of another read (issue 12)."""
    quiet = await arrive(store, 9)
    assert quiet.live_chat is False and quiet.sender_id == "42"
    chat_id = _open_live_chat(store.engine, "44")
    talking = await arrive(store, 10, sender="44")
    assert talking.live_chat is True
    handling.set(talking)
    assert await store.live_add_citizen_message("44", "halo pak")
    assert _live_messages(store.engine, chat_id) == ["halo pak"]


async def test_the_live_chat_answer_is_used_once_then_read_again(store: AsyncStore) -> None:
    """The answer of the update's arrival serves its first check only: a later check in
    the same handling (after a turn that may have opened a chat) reads the database."""
    arrival = await arrive(store, 11)
    handling.set(arrival)
    chat_id = _open_live_chat(store.engine, "42")  # after the arrival was read
    assert not await store.live_active("42")  # the arrival's answer, once
    assert await store.live_active("42")
    assert await store.live_add_citizen_message("42", "saya masih di sini")
    assert _live_messages(store.engine, chat_id) == ["saya masih di sini"]


async def test_an_unknown_or_stale_live_chat_answer_is_read_again(store: AsyncStore) -> None:
    """Unknown (the front end saw an earlier update of the sender in handling), another
    sender's, or stale after a message was left waiting for Rasa: read again."""
    arrival = await arrive(store, 12)
    chat_id = _open_live_chat(store.engine, "42")
    for current in (
        dataclasses.replace(arrival, live_chat=None),
        dataclasses.replace(arrival, sender_id="43"),
    ):
        handling.set(current)
        assert await store.live_active("42")
    handling.set(arrival)
    await store.mark_pending(None, "halo", "Rasa down", 0)  # a message of this process waits
    assert await store.live_add_citizen_message("42", "halo")
    assert _live_messages(store.engine, chat_id) == ["halo"]


async def test_an_update_stored_while_an_earlier_one_is_handled_reads_the_live_chat(
    repo: Repository, database_url: str, tmp_path: Path
) -> None:
    """The citizen's first message opens a live chat (the turn that asks for an officer),
    and their second was stored while the first was still being handled: the second goes
    to the officer. Its arrival read no chat (none went on yet), so the front end has it
    read again when it is handled (issue 12's saved round trip must not skip this)."""
    async with LocalBotApi(bot_id=7190) as api:
        settings = Settings(
            app_env="test",
            database_url=database_url,
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
            telegram_api_file_url=api.base_file_url,
            var_dir=tmp_path,
        )
        frontend = TelegramFrontend(settings)
        first_handled, go_on = asyncio.Event(), asyncio.Event()
        went_to_officer: dict[int, bool] = {}

        async def handle(update: Update, _context: object) -> None:
            sender = str(update.effective_user.id) if update.effective_user else ""
            if update.update_id == 1:  # the turn that opens the chat, still running
                first_handled.set()
                await go_on.wait()
                _open_live_chat(repo.engine, sender)
            went_to_officer[update.update_id] = await frontend.store.live_add_citizen_message(
                sender, f"pesan {update.update_id}"
            )

        frontend.application.add_handler(TypeHandler(Update, handle))
        await frontend.application.initialize()
        try:

            def text_update(update_id: int) -> dict[str, object]:
                return {
                    "update_id": update_id,
                    "message": {
                        "message_id": update_id,
                        "date": 0,
                        "chat": {"id": 4242, "type": "private"},
                        "from": {"id": 4242, "is_bot": False, "first_name": "Warga"},
                        "text": f"pesan {update_id}",
                    },
                }

            assert await frontend.accept_raw(text_update(1))
            await asyncio.wait_for(first_handled.wait(), 10)
            assert await frontend.accept_raw(text_update(2))  # stored behind the first
            go_on.set()
            await frontend.queues.join()
            # The first went to Rasa (no chat when it was handled); the second to the officer.
            assert went_to_officer == {1: False, 2: True}
            # A third, stored with nothing else of the citizen under way, trusts its
            # arrival: a chat is going on, so it reaches the officer too.
            assert await frontend.accept_raw(text_update(3))
            await frontend.queues.join()
            assert went_to_officer[3]
        finally:
            await frontend.application.shutdown()
            await asyncio.to_thread(frontend.store.close)

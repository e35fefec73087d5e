"""What storing an update answers (its inbox row, its sender's consent) is used while
handling it, unless this process changed a consent since: then it is read again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import InboxMessage
from bot.store.repository import Repository
from bot.telegram.store import Arrival, AsyncStore


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

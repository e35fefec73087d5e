"""Per-chat rate limiting on the real front end, local Bot API server, Rasa, action server
and PostgreSQL: a flood of 100 messages from one chat gets one friendly notice and a few
answers, every word of it reaches the conversation once and in order, nothing is dropped,
and another citizen is answered while the flood is still being worked off."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import InboxMessage
from bot.telegram.app import TelegramFrontend
from bot.texts import text
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi
from tests.utils.hostile import settle
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
FLOOD = 100
NOTICE = text("throttled")
# A slower refill than shipped (CHAT_RATE_INTERVAL_S=1): on a loaded machine Rasa may take a
# second a turn, as slow as the shipped refill, and the flood would never have to wait. The
# shipped numbers are checked against a simulated clock in test_input_rules.py.
INTERVAL_S = 3.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def frontend(
    api: LocalBotApi, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TelegramFrontend]:
    """The front end with the shipped burst and a slower refill."""
    settings = servers.frontend_settings(
        api, tmp_path_factory.mktemp("var"), chat_rate_interval_s=INTERVAL_S
    )
    app = TelegramFrontend(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def user_texts(frontend: TelegramFrontend, sender: str) -> list[str]:
    """What Rasa received from `sender`, in order (its tracker, through the HTTP API)."""
    settings = frontend.settings
    tracker = httpx.get(
        f"{settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": settings.rasa_auth_token},
        timeout=30,
    ).json()
    return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "user"]


async def test_a_flood_is_throttled_politely_without_losing_a_word_or_slowing_others(
    api: LocalBotApi, frontend: TelegramFrontend
) -> None:
    flooder = await consented_user(api, 9600)
    other = await consented_user(api, 9601)
    before = len(flooder.replies())
    markers = [f"pesan ke-{i:03d}" for i in range(FLOOD)]
    for marker in markers:  # as fast as the client sends: well within 10 seconds
        await flooder.send_text(marker)
    last_update_id = api.pending_updates[-1]["update_id"]
    await other.send_text("berapa biaya SKCK?")
    answered = await reply_with(other, "Biaya")
    await settle(api, frontend, last_update_id, timeout=120)

    replies = [m.text for m in flooder.replies()[before:]]
    assert replies.count(NOTICE) == 1, replies
    assert len(replies) <= 30, f"{len(replies)} answers to a flood of {FLOOD}"
    # The other citizen did not wait for the flood: answered before its last answer.
    sent = [c for c in api.calls if c.method == "sendMessage" and c.ok]
    flooder_last = max(
        i for i, c in enumerate(sent) if str(c.params["chat_id"]) == str(flooder.chat_id)
    )
    other_index = next(
        i
        for i, c in enumerate(sent)
        if str(c.params["chat_id"]) == str(other.chat_id)
        and c.result["message_id"] == answered.raw["message_id"]
    )
    assert other_index < flooder_last
    # Every message reached the conversation exactly once, in order; every row is closed.
    received = "\n".join(user_texts(frontend, str(flooder.id)))
    positions = [received.find(m) for m in markers]
    assert all(p >= 0 for p in positions), [
        m for m, p in zip(markers, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions)
    assert all(received.count(m) == 1 for m in markers)
    with Session(get_engine(frontend.settings.database_url)) as s:
        rows = s.execute(
            select(InboxMessage.status, InboxMessage.kind).where(
                InboxMessage.sender_id == str(flooder.id),
                InboxMessage.kind.in_(["message", "coalesced"]),
            )
        ).all()
    assert len(rows) >= FLOOD and {status for status, _ in rows} == {"done"}
    assert ("done", "coalesced") in rows
    # A later message is answered as usual, with no second notice.
    await flooder.send_text("biaya SIM C berapa?")
    await reply_with(flooder, "Biaya")
    assert [m.text for m in flooder.replies()[before:]].count(NOTICE) == 1

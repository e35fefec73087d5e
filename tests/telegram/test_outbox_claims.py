"""The outbox worker of one front end gives up messages whose claim another front end took
over (its lease ran out while this one was slow): it neither sends nor touches them.
Real python-telegram-bot against the local Bot API server, a SQLite store."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from telegram import Bot

from bot.store.db import get_engine, prepare_database
from bot.store.models import OutboxMessage
from bot.store.repository import Repository
from bot.telegram.outbox import OutboxWorker
from bot.telegram.store import AsyncStore
from devtools.local_api import LocalBotApi

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _store(url: str, replica: str, lease_s: float) -> AsyncStore:
    engine = get_engine(url)
    return AsyncStore(
        engine,
        Repository(engine),
        "",
        bot_id=1,
        replica=replica,
        outbox_lease=timedelta(seconds=lease_s),
    )


async def test_a_slow_front_end_leaves_claims_another_took_over(
    api: LocalBotApi, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'layanan.db'}"
    await asyncio.to_thread(prepare_database, url, "never")
    user = api.user(user_id=6701, first_name="Sari")
    with Session(get_engine(url)) as s, s.begin():
        s.add_all(
            OutboxMessage(chat_id=user.chat_id, text=text, kind="reply")
            for text in ("Pesan pertama.", "Pesan kedua.")
        )
    slow, other = _store(url, "host-a:8090", 0.2), _store(url, "host-b:8090", 60)
    async with Bot(api.token, base_url=api.base_url) as bot:
        claimed = await slow.claim_due()
        assert len(claimed) == 2
        await asyncio.sleep(0.3)  # the slow front end's lease runs out
        taken = await other.claim_due()  # taken over, as after a crash
        assert [i.id for i in taken] == [i.id for i in claimed]
        worker = OutboxWorker(bot, slow)
        worker.renew_every_s = 0  # it checks its claims before the first message
        assert await worker.send(claimed) == 0
        assert user.replies() == []
        with Session(get_engine(url)) as s:
            rows = s.query(OutboxMessage).order_by(OutboxMessage.id).all()
            assert [(r.status, r.claimed_by) for r in rows] == [("sending", "host-b:8090")] * 2
        # The front end that took them over delivers them, once each, in order.
        assert await OutboxWorker(bot, other).send(taken) == 2
        assert [m.text for m in user.replies()] == ["Pesan pertama.", "Pesan kedua."]
    for store in (slow, other):
        store.close()

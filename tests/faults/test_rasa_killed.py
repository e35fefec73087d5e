"""The Rasa server killed (SIGKILL) mid-conversation: the supervisor of `make run` starts it
again, the front end keeps accepting and storing the citizens' messages meanwhile, and
every message is answered exactly once when Rasa is back."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import InboxMessage
from tests.faults.conftest import FaultStack
from tests.utils.citizens import (
    citizens,
    enqueue_outbox,
    outbox_problems,
    settle,
    until,
)
from tests.utils.supervised import is_rasa

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="package")]


def waiting_for_rasa(database_url: str, senders: list[str]) -> int:
    """Stored messages of these citizens that wait for Rasa."""
    with Session(get_engine(database_url)) as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    InboxMessage.sender_id.in_(senders), InboxMessage.status == "pending"
                )
            )
            or 0
        )


async def test_rasa_killed_mid_conversation(stack: FaultStack) -> None:
    people = await citizens(stack.api, [8101, 8102, 8103])
    senders = [c.sender_id for c in people]
    queued: list[tuple[int, int, str]] = []
    seen: dict[str, object] = {}

    async def fault() -> None:
        await until(lambda: people[0].sent >= 2, 60, "the first citizen's second question")
        seen["killed"] = stack.kill_rasa()
        # While Rasa is down the front end still takes messages and stores them.
        await until(
            lambda: waiting_for_rasa(stack.database_url, senders) > 0,
            60,
            "a message stored while Rasa is down",
        )
        seen["rasa_down_while_stored"] = not stack.up(stack.rasa_status_url)
        # Officers' replies keep flowing: the outbox does not need Rasa.
        for c in people[:2]:
            body = f"Balasan petugas untuk warga {c.sender_id} saat Rasa mati."
            queued.append(
                (enqueue_outbox(stack.database_url, c.user.chat_id, body), c.user.chat_id, body)
            )
        await stack.wait_up(stack.rasa_status_url, "Rasa, restarted by the supervisor")
        seen["restarted"] = stack.supervised.pid_of(is_rasa)

    await asyncio.gather(*(c.ask_all() for c in people), fault())
    await settle(people, stack.database_url, timeout=180)

    assert seen["restarted"] not in (None, seen["killed"])
    assert seen["rasa_down_while_stored"] is True
    assert [p for c in people for p in c.problems()] == []
    assert outbox_problems(stack.database_url, stack.api, queued) == []
    assert stack.supervised.running()

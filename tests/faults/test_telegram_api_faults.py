"""Telegram's API failing on sendMessage while citizens talk: 429 with retry_after, 500,
a dropped connection and a request that outlasts the client's timeout. Every answer and
every outbox message still arrives exactly once."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.conftest import FaultStack
from tests.utils.citizens import citizens, enqueue_outbox, outbox_problems, settle, until

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="package")]


async def test_send_message_failures(stack: FaultStack) -> None:
    people = await citizens(stack.api, [8301, 8302, 8303])
    a, b, c = (p.user.chat_id for p in people)
    api = stack.api
    # The next sendMessage calls to each chat fail: whatever they carry (an answer, a
    # notice, an officer's reply) must still arrive, once.
    api.inject_fault("sendMessage", "429", count=2, retry_after=1, chat_id=a)
    api.inject_fault("sendMessage", "500", count=2, chat_id=b)
    api.inject_fault("sendMessage", "timeout", count=1, hold=1, chat_id=c)  # dropped
    queued: list[tuple[int, int, str]] = []

    async def more_faults() -> None:
        await until(lambda: all(p.sent >= 2 for p in people), 120, "two questions each")
        # A request held longer than the client waits (python-telegram-bot: 5 s).
        api.inject_fault("sendMessage", "timeout", count=1, hold=7, chat_id=c)
        api.inject_fault("sendMessage", "429", count=1, retry_after=2, chat_id=b)
        api.inject_fault("sendMessage", "500", count=1, chat_id=a)
        for p in people:
            body = f"Balasan petugas untuk warga {p.sender_id} saat Telegram bermasalah."
            queued.append(
                (enqueue_outbox(stack.database_url, p.user.chat_id, body), p.user.chat_id, body)
            )

    await asyncio.gather(*(p.ask_all() for p in people), more_faults())
    await settle(people, stack.database_url, timeout=120)

    faulted = [call for call in api.calls_of("sendMessage") if call.fault]
    assert len(faulted) >= 6  # the faults were met
    assert [p for c in people for p in c.problems()] == []
    assert outbox_problems(stack.database_url, stack.api, queued) == []

"""The action server killed (SIGKILL) while a ticket is being filed, at the worst moment:
the ticket row is committed and Rasa has not yet heard back. The supervisor starts the
action server again; the complaint exists exactly once and its citizen is told its ticket
id exactly once, while the other citizens' questions are all answered exactly once."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.conftest import FaultStack
from tests.utils.chat import TICKET
from tests.utils.citizens import (
    citizens,
    consented,
    fill_complaint_form,
    settle,
    tickets_of,
    until,
)
from tests.utils.supervised import is_actions

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="package")]


async def test_action_server_killed_after_the_ticket_was_stored(stack: FaultStack) -> None:
    reporter = await consented(stack.api, 8201)
    people = await citizens(stack.api, [8202, 8203])
    await fill_complaint_form(reporter)
    seen: dict[str, object] = {}

    def kill() -> None:
        seen["killed"] = stack.kill_actions()

    stack.proxy.trap("action_submit_complaint", kill)

    async def file() -> None:
        await until(lambda: people[0].sent >= 1, 60, "the stream to start")
        await reporter.press("Ya, kirim")
        await asyncio.wait_for(stack.proxy.sprung.wait(), 60)
        await stack.wait_up(stack.actions_health_url, "the action server, restarted")
        seen["restarted"] = stack.supervised.pid_of(is_actions)

    await asyncio.gather(*(c.ask_all() for c in people), file())

    def told() -> bool:
        return any(TICKET.search(m.text) for m in reporter.replies())

    await settle(people, stack.database_url, timeout=180, also=told)

    assert seen["restarted"] not in (None, seen["killed"])
    filed = tickets_of(stack.database_url, "8201")
    assert len(filed) == 1, filed
    mentions = [m.text for m in reporter.replies() if filed[0] in m.text]
    assert len(mentions) == 1, [m.text for m in reporter.replies()]
    # Told as a first filing: the citizen confirmed once.
    assert "sudah kami terima dengan nomor tiket" in mentions[0]
    assert [p for c in people for p in c.problems()] == []

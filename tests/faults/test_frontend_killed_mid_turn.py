"""The front end killed (SIGKILL) in the middle of a turn: the citizen pressed "Ya, kirim",
the front end handed the press to Rasa and died while Rasa filed the complaint. Rasa
finishes the turn (the ticket exists, its answer goes to nobody). The supervisor starts the
front end again; the citizen is told the ticket id exactly once, soon, and the complaint
exists exactly once, while the other citizens' questions are all answered exactly once."""

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
from tests.utils.supervised import is_frontend

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="package")]

# From the kill to the answer: the restart, then a recovery well within a citizen's
# patience (not the inbox's former 10-minute lease).
TOLD_WITHIN_S = 120


async def test_front_end_killed_while_rasa_files_the_complaint(stack: FaultStack) -> None:
    reporter = await consented(stack.api, 8601)
    people = await citizens(stack.api, [8602, 8603])
    await fill_complaint_form(reporter)
    seen: dict[str, object] = {}

    def kill() -> None:
        seen["killed"] = stack.kill_frontend()

    # The action server files the ticket and answers Rasa; the front end dies first.
    stack.proxy.trap("action_submit_complaint", kill, answer=True)

    async def file() -> None:
        await until(lambda: people[0].sent >= 1, 60, "the stream to start")
        await reporter.press("Ya, kirim")
        await asyncio.wait_for(stack.proxy.sprung.wait(), 60)
        await stack.wait_up(stack.frontend_health_url, "the front end, restarted")
        seen["restarted"] = stack.supervised.pid_of(is_frontend)

    await asyncio.gather(*(c.ask_all() for c in people), file())

    def told() -> bool:
        return any(TICKET.search(m.text) for m in reporter.replies())

    await settle(people, stack.database_url, timeout=TOLD_WITHIN_S, also=told)

    assert seen["restarted"] not in (None, seen["killed"])
    filed = tickets_of(stack.database_url, "8601")
    assert len(filed) == 1, filed
    mentions = [m.text for m in reporter.replies() if filed[0] in m.text]
    assert len(mentions) == 1, [m.text for m in reporter.replies()]
    assert "sudah kami terima dengan nomor tiket" in mentions[0]
    assert [p for c in people for p in c.problems()] == []
    assert stack.supervised.running()

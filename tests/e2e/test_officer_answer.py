"""The citizen's answer to an officer's request for information, sent with one press.

Found by a black-box tester: after "Minta keterangan warga", the citizen wrote the answer
in plain words and was told to type it again as `/jawab ADU-XXXXXX ...`. Now the hint
under a message the assistant did not understand carries a button that sends that very
message to the waiting ticket (real Rasa and action servers, a real SQLite file).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.access import Viewer
from bot.store.models import Ticket, TicketEvent, TicketStatus
from bot.tickets.workflow import Workflow
from devtools.devstack import Servers
from tests.utils.chat import Chat
from tests.utils.officer import verify_routed

pytestmark = pytest.mark.rasa

ANSWER = "loket 3 pak, sekitar jam 10an. nomor antrean sy B-117 masih sy simpen"


def test_the_hint_sends_the_message_to_the_waiting_ticket(
    stack: Servers, engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    workflow, supervisor = officer
    chat = Chat(stack.rasa_url, "880101")
    public_id = chat.file(
        "Saya mau lapor, petugas loket Samsat membentak warga dan antrean tidak jalan "
        "selama dua jam kemarin pagi.",
        "Kantor Samsat, Jl. Pemuda No. 45",
        "public",
    )
    verify_routed(workflow, supervisor, engine, public_id)
    workflow.request_info(supervisor, public_id, "Di loket nomor berapa dan jam berapa?")

    replies = chat.say(ANSWER)
    buttons = [b for r in replies for b in r.get("buttons") or []]
    payloads = [b["payload"] for b in buttons]
    expected = "/answer_officer" + json.dumps({"ticket_id": public_id})
    assert expected in payloads, replies
    answered = chat.text(expected)
    assert public_id in answered and "kembali diproses" in answered
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None and ticket.status == TicketStatus.DIPROSES
        bodies = s.scalars(select(TicketEvent.body).where(TicketEvent.ticket_id == ticket.id))
        assert any(ANSWER in (body or "") for body in bodies)
    # Pressed again (an old button): nothing is recorded twice, nothing breaks.
    chat.say(expected)
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None
        bodies = list(s.scalars(select(TicketEvent.body).where(TicketEvent.ticket_id == ticket.id)))
        assert sum(ANSWER in (body or "") for body in bodies) == 1

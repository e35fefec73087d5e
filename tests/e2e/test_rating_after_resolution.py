"""A rating given after a resolution lands on that ticket (issue 7, section 3).

End to end: the citizen files two complaints through Rasa's REST channel (real Rasa server,
our action server, a real SQLite file), an officer resolves the first through the console's
workflow (which queues the resolution message naming the ticket), and the citizen's
"nilai 2, petugasnya lambat sekali" is stored against the resolved ticket, not against the
later, anonymous one the conversation filed last. With two resolved tickets the assistant
asks which one, with a button per ticket.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.access import Viewer
from bot.store.models import Citizen, OutboxMessage, Rating, Ticket
from bot.tickets.workflow import Workflow
from devtools.devstack import Servers
from tests.utils.chat import TICKET, Chat
from tests.utils.officer import verify_routed

pytestmark = pytest.mark.rasa


def resolve(officer: tuple[Workflow, Viewer], engine: Engine, public_id: str) -> None:
    """Verify (routing to the kelurahan first if no unit was found) and resolve."""
    workflow, supervisor = officer
    verify_routed(workflow, supervisor, engine, public_id)
    workflow.resolve(supervisor, public_id, "Loket rekam e-KTP ditambah dua petugas.")


def ratings_of(
    engine: Engine, sender: str, sender_tickets: list[str]
) -> list[tuple[str | None, Any, Any]]:
    """(ticket, score, comment) of the ratings on these tickets, or on none from this
    sender, oldest first (other modules' citizens share the database)."""
    with Session(engine) as s:
        ids = {
            t.id: t.public_id
            for t in s.scalars(select(Ticket).where(Ticket.public_id.in_(sender_tickets)))
        }
        rows = s.execute(
            select(Rating.ticket_id, Rating.score, Rating.comment)
            .outerjoin(Citizen, Citizen.id == Rating.citizen_id)
            .where(Rating.ticket_id.in_(ids) | (Citizen.sender_id == sender))
            .order_by(Rating.id)
        ).all()
    return [(ids.get(t) if t else None, sc, c) for t, sc, c in rows]


def test_a_rating_after_the_resolution_lands_on_the_resolved_ticket(
    stack: Servers, engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    chat = Chat(stack.rasa_url, "880001")
    resolved = chat.file(
        "Saya mau lapor, antrean rekam e-KTP di kecamatan sangat lama, saya menunggu empat "
        "jam dan loketnya cuma satu.",
        "Kantor Kecamatan Sukamaju",
        "public",
    )
    later = chat.file(
        "Saya mau lapor, lampu penerangan jalan depan rumah mati sudah tiga minggu "
        "dan malam hari gelap sekali.",
        "Gang Kenanga RT 03 RW 05",
        "anonymous",
    )
    resolve(officer, engine, resolved)
    with Session(engine) as s:
        message = s.scalar(
            select(OutboxMessage)
            .join(Ticket, Ticket.id == OutboxMessage.ticket_id)
            .where(Ticket.public_id == resolved)
            .order_by(OutboxMessage.id.desc())
        )
        assert message is not None and resolved in message.text
    reply = chat.text("nilai 2, petugasnya lambat sekali")
    assert resolved in reply and "2/5" in reply
    assert ratings_of(engine, chat.sender, [resolved, later]) == [
        (resolved, 2, "nilai 2, petugasnya lambat sekali")
    ]


def test_two_resolved_tickets_ask_which_one(
    stack: Servers, engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    chat = Chat(stack.rasa_url, "880002")
    first = chat.file(
        "Saya mau lapor, sampah di TPS dekat rumah tidak diangkut sudah seminggu dan "
        "baunya sampai ke rumah warga.",
        "TPS Pasar Sukamaju",
        "public",
    )
    second = chat.file(
        "Saya mau lapor, trotoar di depan sekolah retak dan berlubang, anak-anak "
        "sering tersandung.",
        "Jl. Melati depan SDN 3",
        "public",
    )
    resolve(officer, engine, first)
    resolve(officer, engine, second)
    question = chat.say("nilai 4, cukup memuaskan")
    buttons = [b for m in question for b in m.get("buttons", [])]
    assert [TICKET.findall(b["title"]) for b in buttons] == [[second], [first]]
    assert ratings_of(engine, chat.sender, [first, second]) == [
        (None, 4, "nilai 4, cukup memuaskan")
    ]
    reply = chat.text(buttons[1]["payload"])
    assert first in reply
    assert ratings_of(engine, chat.sender, [first, second]) == [
        (first, 4, "nilai 4, cukup memuaskan")
    ]

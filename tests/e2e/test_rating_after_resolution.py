"""A rating given after a resolution lands on that ticket (issue 7, section 3).

End to end: the citizen files two complaints through Rasa's REST channel (real Rasa server,
our action server, a real SQLite file), an officer resolves the first through the console's
workflow (which queues the resolution message naming the ticket), and the citizen's
"nilai 2, petugasnya lambat sekali" is stored against the resolved ticket, not against the
later, anonymous one the conversation filed last. With two resolved tickets the assistant
asks which one, with a button per ticket.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from devtools.devstack import (
    ROOT,
    ensure_model,
    free_port,
    start_action_server,
    start_rasa_server,
    stop,
    wait_http,
)
from bot.officer.access import Viewer, viewer_for
from bot.officer.accounts import create_account
from bot.tickets.deadlines import Deadlines, ResolutionPolicy
from bot.tickets.workflow import Workflow
from bot.store.models import Officer, OfficerRole, OutboxMessage, Rating, Ticket
from bot.tickets.workdays import HolidayCalendar

pytestmark = pytest.mark.rasa
TICKET = re.compile(r"ADU-[0-9A-HJKMNP-TV-Z]{6}")


class Chat:
    """One citizen talking to Rasa's REST channel."""

    def __init__(self, base_url: str, sender: str):
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, message: str) -> list[dict[str, Any]]:
        response = httpx.post(
            self.url, json={"sender": self.sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def text(self, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(message))

    def file(self, story: str, location: str, privacy: str) -> str:
        """A whole complaint: story, place, the suggested category, privacy, yes."""
        assert "lokasinya" in self.text(story)
        question = self.say(location)
        category = next(b["payload"] for m in question for b in m.get("buttons", []))
        self.say(category)
        self.say(f'/inform{{"complaint_privacy": "{privacy}"}}')
        filed = TICKET.search(self.text("/affirm"))
        assert filed, "no ticket id in the reply"
        return filed.group(0)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Action server + Rasa server on free ports, sharing a fresh SQLite database."""
    ensure_model()
    folder = tmp_path_factory.mktemp("rating")
    database_url = f"sqlite:///{folder / 'e2e.db'}"
    action_port, rasa_port = free_port(), free_port()
    actions = start_action_server(action_port, database_url, folder / "actions.log")
    rasa = start_rasa_server(rasa_port, action_port, folder / "rasa.log")
    try:
        wait_http(f"http://127.0.0.1:{action_port}/health", 60, actions)
        wait_http(f"http://127.0.0.1:{rasa_port}/status", 180, rasa)
        yield {"rasa": f"http://127.0.0.1:{rasa_port}", "database_url": database_url}
    except Exception:
        for log in ("actions.log", "rasa.log"):
            print(f"--- {log}\n" + (folder / log).read_text(errors="replace")[-4000:])
        raise
    finally:
        stop(rasa)
        stop(actions)


@pytest.fixture(scope="module")
def engine(stack: dict[str, str]) -> Iterator[Engine]:
    engine = create_engine(stack["database_url"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def officer(engine: Engine) -> tuple[Workflow, Viewer]:
    """The console's workflow and a supervisor who resolves tickets."""
    account = create_account(
        engine, "siti", "rahasia-uji-123", OfficerRole.SUPERVISOR, [], "Siti Rahma"
    )
    with Session(engine) as s:
        row = s.get(Officer, account)
        assert row is not None
        supervisor = viewer_for(s, row)
    calendar = HolidayCalendar.from_file(Path(ROOT / "data" / "holidays.yml"))
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Workflow(engine, Deadlines(calendar, policy, 3, 5)), supervisor


def resolve(officer: tuple[Workflow, Viewer], engine: Engine, public_id: str) -> None:
    """Verify (routing to the kelurahan first if no unit was found) and resolve."""
    workflow, supervisor = officer
    with Session(engine) as s:
        office = s.scalar(select(Ticket.office_id).where(Ticket.public_id == public_id))
    if office is None:
        workflow.forward(supervisor, public_id, "kelurahan", "Wilayah kelurahan.")
    workflow.verify(supervisor, public_id)
    workflow.resolve(supervisor, public_id, "Loket rekam e-KTP ditambah dua petugas.")


def ratings_of(engine: Engine, sender_tickets: list[str]) -> list[tuple[str | None, Any, Any]]:
    """(ticket, score, comment) of the ratings on these tickets or on none, oldest first."""
    with Session(engine) as s:
        ids = {
            t.id: t.public_id
            for t in s.scalars(select(Ticket).where(Ticket.public_id.in_(sender_tickets)))
        }
        rows = s.execute(
            select(Rating.ticket_id, Rating.score, Rating.comment).order_by(Rating.id)
        ).all()
    return [(ids.get(t) if t else None, sc, c) for t, sc, c in rows if t is None or t in ids]


def test_a_rating_after_the_resolution_lands_on_the_resolved_ticket(
    stack: dict[str, str], engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    chat = Chat(stack["rasa"], "880001")
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
    assert ratings_of(engine, [resolved, later]) == [
        (resolved, 2, "nilai 2, petugasnya lambat sekali")
    ]


def test_two_resolved_tickets_ask_which_one(
    stack: dict[str, str], engine: Engine, officer: tuple[Workflow, Viewer]
) -> None:
    chat = Chat(stack["rasa"], "880002")
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
    assert ratings_of(engine, [first, second]) == [(None, 4, "nilai 4, cukup memuaskan")]
    reply = chat.text(buttons[1]["payload"])
    assert first in reply
    assert ratings_of(engine, [first, second]) == [(first, 4, "nilai 4, cukup memuaskan")]

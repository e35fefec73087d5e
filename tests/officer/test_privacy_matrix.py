"""The privacy matrix: role × privacy level × every surface that shows ticket data.

One citizen files four complaints through the assistant's real filing action, with the
front end's inbox storing every message as it does in production: a public, an anonymous
and a confidential one for Disdukcapil, and a public one for Satpas. Every text carries a
marker word (and so does a rating of each), so a leak is a search. Each test below takes one
surface and asserts, for every role (officer of the unit, officer of another unit, assigned
officer, supervisor, admin, trainer) and every privacy level, exactly what is visible. The
trainers' NLU review inbox is a surface too: only trainers open it, and it shows citizens'
messages only masked.

This is the guard for every later feature that shows ticket data: a new page, export,
notice or message gets a surface here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from actions.file_complaint import ActionSubmitComplaint
from actions.ticket_status import ActionCheckStatus
from bot.officer.notices import queue_new_ticket_notices, set_unit_channel
from bot.store.consent import ConsentRepository
from bot.store.inbox import InboxRepository
from bot.store.models import OfficerRole, OutboxMessage, Privacy
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar
from bot.tickets.workflow import Workflow
from bot.training.inbox import collect
from tests.utils import ROOT
from tests.utils.officer import People, add_officer, viewer

Client = Callable[..., TestClient]

REPORTER_NAME = "Rina Kusumawardani"
REPORTER_TG = 7770001
REPORTER_USERNAME = "rinakusuma77"
OTHER_CITIZEN = "8880002"
GROUP_DUKCAPIL = -100111
GROUP_SATPAS = -100222
ROLES = (
    "unit_officer",
    "other_unit_officer",
    "assigned_officer",
    "supervisor",
    "admin",
    "trainer",
)
NO_TICKETS = ("admin", "trainer")  # roles that see no ticket at all
USERNAME = {
    "unit_officer": "budi",
    "other_unit_officer": "sari",
    "assigned_officer": "dewi",
    "supervisor": "siti",
    "admin": "admin",
    "trainer": "tina",
}


@dataclass(frozen=True)
class Filed:
    """One complaint of the scenario and its marker words."""

    key: str  # public | anonymous | confidential | satpas
    public_id: str
    desc: str  # marker in the complaint text
    chat: str  # marker in a message of its complaint form (transcript only)


COMPLAINTS = {
    # key: (privacy, service, category, description marker, chat marker)
    "public": (Privacy.PUBLIC, "ktp", "adminduk", "ZAITUNPUBLIK", "OBROLANZAITUN"),
    "anonymous": (Privacy.ANONYMOUS, "kk", "adminduk", "KENANGAANONIM", "OBROLANKENANGA"),
    "confidential": (
        Privacy.CONFIDENTIAL,
        "akta_kelahiran",
        "pungli",
        "MELATIRAHASIA",
        "OBROLANMELATI",
    ),
    "satpas": (Privacy.PUBLIC, "sim", "lainnya", "CEMARASATPAS", "OBROLANCEMARA"),
}
UNRELATED_CHAT = "OBROLANLAINLAIN"  # a service question before any complaint
GENERAL_FEEDBACK = "SARANUMUM"  # feedback not about a ticket


def _visible(role: str, key: str) -> bool:
    """Who may open which ticket: the rule the console promises."""
    if key == "satpas":
        return role in ("other_unit_officer", "supervisor")
    return {
        "unit_officer": key != "confidential",
        "other_unit_officer": False,
        "assigned_officer": True,
        "supervisor": True,
        "admin": False,
        "trainer": False,
    }[role]


def _identity() -> tuple[str, ...]:
    return (REPORTER_NAME, str(REPORTER_TG), REPORTER_USERNAME)


class Scenario:
    """The citizen, the four complaints, the accounts and the unit groups."""

    def __init__(self, engine: Engine, workflow: Workflow, people: People) -> None:
        self.engine = engine
        self.workflow = workflow
        self.people = people
        self.dewi = add_officer(
            engine, "dewi", OfficerRole.OFFICER, ["disdukcapil"], "Dewi Lestari"
        )
        self.trainer = add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")
        self.inbox = InboxRepository(engine, bot_id=1)
        ConsentRepository(engine).record(str(REPORTER_TG), REPORTER_TG, REPORTER_NAME)
        set_unit_channel(engine, "disdukcapil", GROUP_DUKCAPIL, people.admin)
        set_unit_channel(engine, "satpas", GROUP_SATPAS, people.admin)
        self.events: list[dict[str, Any]] = []
        self.update_id = 1000
        self.clock = 1_790_000_000.0
        self._user(f"syarat KTP apa saja {UNRELATED_CHAT}")
        self._bot("Syarat KTP-el: ...")
        self.filed: dict[str, Filed] = {}
        for key, (privacy, service, category, desc, chat) in COMPLAINTS.items():
            self.filed[key] = self._file(key, privacy, service, category, desc, chat)
        for key in ("public", "anonymous", "confidential"):
            workflow.assign(viewer(engine, people.supervisor), self.filed[key].public_id, self.dewi)
        queue_new_ticket_notices(engine)
        # Ratings: one per ticket (its comment carries a marker) and one general feedback.
        repo = Repository(engine, HolidayCalendar.from_file(ROOT / "data" / "holidays.yml"))
        self.rating_markers: dict[str, str] = {}
        for key, filed in self.filed.items():
            marker = f"NILAI{key.upper()}"
            repo.add_rating(str(REPORTER_TG), 2, f"petugas lambat {marker}", filed.public_id)
            self.rating_markers[key] = marker
        repo.add_rating(str(REPORTER_TG), 4, f"aplikasinya bagus {GENERAL_FEEDBACK}", None)

    def _user(self, text: str) -> None:
        """A citizen message: stored by the front end, then seen by Rasa."""
        self.update_id += 1
        self.clock += 30
        self.inbox.store_update(
            self.update_id,
            {
                "update_id": self.update_id,
                "message": {
                    "text": text,
                    "from": {
                        "id": REPORTER_TG,
                        "first_name": REPORTER_NAME,
                        "username": REPORTER_USERNAME,
                    },
                },
            },
            "text",
            str(REPORTER_TG),
            REPORTER_TG,
        )
        self.events.append({"event": "user", "text": text, "timestamp": self.clock})

    def _bot(self, text: str) -> None:
        self.clock += 1
        self.events.append({"event": "bot", "text": text, "timestamp": self.clock})

    def _file(
        self, key: str, privacy: Privacy, service: str, category: str, desc: str, chat: str
    ) -> Filed:
        description = f"Saya mau melaporkan masalah {desc} di kantor pelayanan, sudah lama sekali."
        self._user(f"mau lapor {chat}")
        self.events.append({"event": "active_loop", "name": "complaint_form"})
        self._bot("Ceritakan apa yang terjadi.")
        self._user(description)
        self._bot("Di mana lokasinya?")
        self._user(f"Jalan Kenari nomor 5 {chat}")
        self._bot("Ringkasan laporan Anda ... Kirim?")
        self._user("/affirm")
        self.events.append({"event": "active_loop", "name": None})
        slots = {
            "complaint_description": description,
            "complaint_location": "Jalan Kenari nomor 5",
            "complaint_category": category,
            "complaint_privacy": privacy.value,
            "complaint_confirmed": True,
            "complaint_service": service,
        }
        tracker = Tracker(
            sender_id=str(REPORTER_TG),
            slots=slots,
            latest_message={"text": "/affirm", "intent": {"name": "affirm"}, "entities": []},
            events=list(self.events),
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )
        dispatcher = CollectingDispatcher()
        events = ActionSubmitComplaint().run(dispatcher, tracker, {})
        public_id = next(e["value"] for e in events if e.get("name") == "last_ticket_id")
        self._bot(f"Laporan Anda tercatat dengan nomor {public_id}.")
        return Filed(key, public_id, desc, chat)

    def others(self, key: str) -> list[Filed]:
        """The citizen's other complaints."""
        return [f for k, f in self.filed.items() if k != key]


@pytest.fixture
def scenario(engine: Engine, workflow: Workflow, people: People) -> Scenario:
    """The filed complaints (logs captured by the test that wants them)."""
    return Scenario(engine, workflow, people)


@pytest.fixture
def as_role(app_client: Client, scenario: Scenario) -> Callable[[str], TestClient]:
    """A signed-in client per role (created once per test)."""
    clients: dict[str, TestClient] = {}

    def get(role: str) -> TestClient:
        if role not in clients:
            clients[role] = app_client(USERNAME[role])
        return clients[role]

    return get


def _results(html: str) -> str:
    """The queue table's rows (the search box echoes the query)."""
    start = html.find("<tbody")
    return html[start : html.find("</tbody>", start)] if start >= 0 else ""


def _leaks(text: str, markers: tuple[str, ...]) -> list[str]:
    return [m for m in markers if m in text]


# -- ticket page and transcript ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["public", "anonymous", "confidential", "satpas"])
def test_ticket_page(key: str, scenario: Scenario, as_role: Any) -> None:
    for role in ROLES:
        _check_ticket_page(role, key, scenario, as_role)


def _check_ticket_page(role: str, key: str, scenario: Scenario, as_role: Any) -> None:
    filed = scenario.filed[key]
    page = as_role(role).get(f"/tiket/{filed.public_id}")
    if not _visible(role, key):
        assert page.status_code in (403, 404), (role, key, page.status_code)
        assert not _leaks(
            page.text, (filed.desc, filed.chat, scenario.rating_markers[key], *_identity())
        ), (role, key)
        return
    assert page.status_code == 200, (role, key)
    assert filed.desc in page.text
    anonymous = key == "anonymous"
    # The reporter: shown unless anonymous; then nothing that identifies them, anywhere.
    if anonymous:
        assert not _leaks(page.text, _identity()), (role, key)
        assert filed.chat not in page.text  # no transcript: its wording could identify
    else:
        assert REPORTER_NAME in page.text and str(REPORTER_TG) in page.text
        assert filed.chat in page.text, "the ticket's own conversation is in its transcript"
    # Its citizens' rating is shown (never who gave it on an anonymous ticket).
    assert scenario.rating_markers[key] in page.text, (role, key)
    # Never another ticket's text, conversation or rating, nor chat from outside the form.
    others = tuple(
        m for f in scenario.others(key) for m in (f.desc, f.chat, scenario.rating_markers[f.key])
    )
    assert not _leaks(page.text, (*others, UNRELATED_CHAT, GENERAL_FEEDBACK)), (role, key)


def test_opening_a_confidential_ticket_is_in_its_history(
    scenario: Scenario, as_role: Any, engine: Engine
) -> None:
    from bot.store.models import Ticket, TicketEvent

    filed = scenario.filed["confidential"]
    for role in ("assigned_officer", "supervisor"):
        assert as_role(role).get(f"/tiket/{filed.public_id}").status_code == 200
    with Session(engine) as s:
        viewers = s.scalars(
            select(TicketEvent.actor_id)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.public_id == filed.public_id, TicketEvent.kind == "view")
        ).all()
    assert sorted(viewers) == sorted([str(scenario.dewi), str(scenario.people.supervisor)])


# -- queue and search -------------------------------------------------------------------------


def test_queue(scenario: Scenario, as_role: Any) -> None:
    for role in ROLES:
        _check_queue(role, scenario, as_role)


def _check_queue(role: str, scenario: Scenario, as_role: Any) -> None:
    page = as_role(role).get("/antrean?status=semua")
    if role in NO_TICKETS:
        assert page.status_code in (302, 303, 403), page.status_code
        assert not any(f.public_id in _results(page.text) for f in scenario.filed.values())
        return
    assert page.status_code == 200
    for key, filed in scenario.filed.items():
        listed = filed.public_id in page.text
        assert listed == _visible(role, key), (role, key)
        # Confidential text is read only on its ticket page (where opening it is logged).
        shows_text = _visible(role, key) and key != "confidential"
        assert (filed.desc in page.text) == shows_text, (role, key)
        assert filed.chat not in page.text
        assert scenario.rating_markers[key] not in page.text
    assert not _leaks(page.text, (*_identity(), GENERAL_FEEDBACK))


def test_search(scenario: Scenario, as_role: Any) -> None:
    for role in ROLES:
        for key in scenario.filed:
            _check_search(role, key, scenario, as_role)


def _check_search(role: str, key: str, scenario: Scenario, as_role: Any) -> None:
    filed = scenario.filed[key]
    client = as_role(role)
    for q in (filed.desc, filed.public_id):
        page = client.get("/antrean", params={"q": q, "status": "semua"})
        if role in NO_TICKETS:
            assert page.status_code in (302, 303, 403), (role, page.status_code)
            assert filed.public_id not in page.text
            continue
        assert page.status_code == 200
        assert (filed.public_id in _results(page.text)) == _visible(role, key), (role, key, q)
    if role not in NO_TICKETS:
        # The reporter's name finds nothing: names are not searchable, not even the public ones.
        page = client.get("/antrean", params={"q": REPORTER_NAME, "status": "semua"})
        assert not any(f.public_id in _results(page.text) for f in scenario.filed.values())


# -- CSV export and reports -------------------------------------------------------------------


def test_csv_export(scenario: Scenario, as_role: Any) -> None:
    for role in ROLES:
        _check_csv_export(role, scenario, as_role)


def _check_csv_export(role: str, scenario: Scenario, as_role: Any) -> None:
    response = as_role(role).get("/antrean.csv?status=semua")
    if role != "supervisor":
        assert response.status_code in (302, 303, 403), (role, response.status_code)
        assert not any(f.desc in response.text for f in scenario.filed.values())
        return
    assert response.status_code == 200
    text = response.text
    assert not _leaks(text, (*scenario.rating_markers.values(), GENERAL_FEEDBACK))
    for key, filed in scenario.filed.items():
        assert filed.public_id in text
        assert (filed.desc in text) == (key != "confidential"), key
        assert filed.chat not in text
    assert not _leaks(text, _identity())


def test_reports(scenario: Scenario, as_role: Any) -> None:
    for role in ROLES:
        _check_reports(role, scenario, as_role)


def _check_reports(role: str, scenario: Scenario, as_role: Any) -> None:
    page = as_role(role).get("/laporan")
    if role != "supervisor":
        assert page.status_code in (302, 303, 403), (role, page.status_code)
        return
    assert page.status_code == 200
    markers = tuple(
        m for f in scenario.filed.values() for m in (f.desc, f.chat, scenario.rating_markers[f.key])
    )
    assert not _leaks(page.text, (*markers, *_identity()))


# -- the trainers' NLU review inbox -----------------------------------------------------------

NIK_RAW = "3201234567890123"
PHONE_RAW = "0812-3456-7890"
EMAIL_RAW = "rina.kusuma77@gmail.com"
PLATE_RAW = "B 1234 KJU"
INBOX_MARKER = "TANYAKOTAKLATIH"


def _rasa_store(path: Path, sender: str, messages: list[str]) -> Engine:
    """A Rasa tracker store (the columns of Rasa 3.6's SQLTrackerStore) holding the
    citizen's doubtful messages."""
    engine = sa.create_engine(f"sqlite:///{path}")
    metadata = sa.MetaData()
    events = sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    metadata.create_all(engine)
    with engine.begin() as c:
        for n, text in enumerate(messages):
            parse = {
                "text": text,
                "intent": {"name": "check_status", "confidence": 0.31},
                "intent_ranking": [
                    {"name": "check_status", "confidence": 0.31},
                    {"name": "file_complaint", "confidence": 0.3},
                ],
                "entities": [],
            }
            data = {"event": "user", "timestamp": 1_000.0 + n, "text": text, "parse_data": parse}
            c.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name="user",
                    timestamp=1_000.0 + n,
                    intent_name="check_status",
                    data=json.dumps(data),
                )
            )
    return engine


def test_nlu_review_inbox(scenario: Scenario, as_role: Any, engine: Engine, tmp_path: Path) -> None:
    """Only trainers open the inbox (every other role gets 403 and nothing of it), and the
    inbox shows the citizen's words with their personal data masked, never who wrote them."""
    filed = scenario.filed["confidential"]
    messages = [
        f"NIK saya {NIK_RAW} hp {PHONE_RAW} gimana {INBOX_MARKER}",
        f"email {EMAIL_RAW} motor {PLATE_RAW} tiket {filed.public_id} {INBOX_MARKER}",
    ]
    tracker = _rasa_store(tmp_path / "rasa.db", str(REPORTER_TG), messages)
    report = collect(tracker, engine, 0.6, key="kunci-uji", now=1_000_000.0)
    assert report.stored == 2
    raw = (NIK_RAW, PHONE_RAW, EMAIL_RAW, PLATE_RAW, filed.public_id, *_identity())
    for role in ROLES:
        page = as_role(role).get("/latih")
        if role != "trainer":
            assert page.status_code == 403, (role, page.status_code)
            assert INBOX_MARKER not in page.text and not _leaks(page.text, raw), role
            continue
        assert page.status_code == 200
        assert INBOX_MARKER in page.text
        for placeholder in ("[NIK]", "[TELEPON]", "[EMAIL]", "[PLAT]", "ADU-XXXXXX"):
            assert placeholder in page.text, placeholder
        assert not _leaks(page.text, raw), role
        # Nor any ticket's text, conversation or rating.
        markers = tuple(
            m
            for f in scenario.filed.values()
            for m in (f.desc, f.chat, scenario.rating_markers[f.key])
        )
        assert not _leaks(page.text, (*markers, GENERAL_FEEDBACK))


# -- Telegram: unit group notices and what citizens are told ----------------------------------


def test_unit_group_notices(scenario: Scenario, engine: Engine) -> None:
    with Session(engine) as s:
        notices = s.execute(
            select(OutboxMessage.chat_id, OutboxMessage.text, OutboxMessage.ticket_id).where(
                OutboxMessage.kind == "unit_notice"
            )
        ).all()
    by_text = {
        f.key: [n for n in notices if f.public_id in n.text] for f in scenario.filed.values()
    }
    for key, filed in scenario.filed.items():
        assert len(by_text[key]) == 1, (key, by_text[key])
        chat_id, text, _ = by_text[key][0]
        assert chat_id == (GROUP_SATPAS if key == "satpas" else GROUP_DUKCAPIL)
        assert (filed.desc in text) == (key != "confidential"), key
        others = tuple(m for f in scenario.others(key) for m in (f.desc, f.chat))
        assert not _leaks(text, (filed.chat, *others, *_identity())), key


def test_citizen_facing_messages(scenario: Scenario, engine: Engine, people: People) -> None:
    """Status answers go to the reporter alone; another citizen learns nothing; officers'
    messages about a ticket reach only its reporter's chat."""

    def status(sender: str, public_id: str) -> str:
        dispatcher = CollectingDispatcher()
        tracker = Tracker(
            sender_id=sender,
            slots={},
            latest_message={
                "text": f"status {public_id}",
                "intent": {"name": "check_status"},
                "entities": [],
            },
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )
        ActionCheckStatus().run(dispatcher, tracker, {})
        return " ".join(str(m) for m in dispatcher.messages)

    for filed in scenario.filed.values():
        mine = status(str(REPORTER_TG), filed.public_id)
        theirs = status(OTHER_CITIZEN, filed.public_id)
        assert "utter_ticket_status" in mine
        assert "utter_ticket_status" not in theirs and "utter_ticket_not_found" in theirs
        assert filed.desc not in theirs
    supervisor = viewer(engine, people.supervisor)
    for filed in scenario.filed.values():
        scenario.workflow.reply(supervisor, filed.public_id, "Sedang kami tindak lanjuti.")
    with Session(engine) as s:
        replies = s.execute(
            select(OutboxMessage.chat_id).where(OutboxMessage.kind != "unit_notice")
        ).all()
    assert replies and {r.chat_id for r in replies} == {REPORTER_TG}


# -- logs -------------------------------------------------------------------------------------


def test_logs_at_info_hold_no_complaint_text_or_identity(
    engine: Engine, workflow: Workflow, people: People, app_client: Client, caplog: Any
) -> None:
    caplog.set_level(logging.INFO)
    scene = Scenario(engine, workflow, people)
    for username in USERNAME.values():
        client = app_client(username)
        for filed in scene.filed.values():
            client.get(f"/tiket/{filed.public_id}")
        client.get("/antrean?status=semua")
        client.get("/antrean.csv?status=semua")
    supervisor = viewer(engine, people.supervisor)
    for filed in scene.filed.values():
        workflow.verify(supervisor, filed.public_id)
        workflow.reply(supervisor, filed.public_id, "Terima kasih, sedang kami periksa.")
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.levelno >= logging.INFO
    )
    markers = tuple(m for f in scene.filed.values() for m in (f.desc, f.chat))
    assert not _leaks(logged, (*markers, UNRELATED_CHAT, *_identity()))

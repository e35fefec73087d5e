"""The privacy matrix: role × privacy level × every surface that shows ticket data.

One citizen files four complaints through the assistant's real filing action, with the
front end's inbox storing every message as it does in production: a public, an anonymous
and a confidential one for Disdukcapil, and a public one for Satpas. Every text carries a
marker word (and so does a rating of each), so a leak is a search. Each test below takes one
surface and asserts, for every role (officer of the unit, officer of another unit, assigned
officer, supervisor, admin, trainer) and every privacy level, exactly what is visible. The
trainers' NLU review inbox is a surface too: only trainers open it, and it shows citizens'
messages only masked. So is the trainers' complaint category page: masked texts of public
worked complaints only, the export to the classifier's data likewise. So is the public
transparency page, open to anyone: aggregates only.

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
from actions.privacy_answer import answer_privacy_question
from actions.ticket_status import ActionCheckStatus, say_welcome
from bot.officer.notices import queue_new_ticket_notices, set_unit_channel
from bot.store.consent import ConsentRepository
from bot.store.inbox import InboxRepository
from bot.store.models import OfficerRole, OutboxMessage, Privacy
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar
from bot.tickets.workflow import Workflow
from bot.training.inbox import collect
from tests.utils import ROOT
from tests.utils.actions import make_tracker
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


# -- the public transparency page (no account) -----------------------------------------------

PUBLIC_SURFACES = ("/transparansi", "/transparansi/data.json", "/transparansi/data.csv")


def test_public_transparency_page(scenario: Scenario, as_role: Any, app_client: Client) -> None:
    """Anyone, signed in or not, gets the same aggregates: no text, conversation, rating,
    reporter, place or ticket id of any complaint, and this month's four complaints only
    as suppressed counts."""
    markers = tuple(
        m
        for f in scenario.filed.values()
        for m in (f.desc, f.chat, scenario.rating_markers[f.key], f.public_id)
    )
    place = "Jalan Kenari"
    for path in PUBLIC_SURFACES:
        answers = {None: app_client().get(path)}
        answers.update({role: as_role(role).get(path) for role in ROLES})
        texts = set()
        for role, response in answers.items():
            assert response.status_code == 200, (path, role, response.status_code)
            found = _leaks(response.text, (*markers, *_identity(), place, UNRELATED_CHAT))
            assert not found, (path, role, found)
            assert GENERAL_FEEDBACK not in response.text
            texts.add(response.text)
        assert len(texts) == 1, f"{path} differs by who asks"
    data = app_client().get("/transparansi/data.json").json()
    this_month = data["per_bulan"][-1]
    # Four complaints this month (two units, three categories): every cell is "<5".
    assert this_month["diterima"] == "<5"
    counted = [
        row[key]
        for table in ("per_bulan", "per_unit", "per_kategori", "per_unit_kategori")
        for row in data[table]
        for key in ("diterima", "diverifikasi", "selesai", "terlambat")
    ]
    assert counted and set(counted) <= {0, "<5"}
    assert {r["unit_id"] for r in data["per_unit"]} == {"disdukcapil", "satpas"}
    assert all(r["median_hari_kerja_verifikasi"] is None for r in data["per_bulan"])


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


def test_model_lifecycle_pages(scenario: Scenario, as_role: Any) -> None:
    """The model pages (held-out set texts only) open for trainers and supervisors; every
    other role gets 403; none shows a ticket's text, conversation, rating or reporter."""
    markers = tuple(
        m
        for f in scenario.filed.values()
        for m in (f.desc, f.chat, scenario.rating_markers[f.key], f.public_id)
    )
    for role in ROLES:
        for path in ("/latih/model", "/latih/model/kemajuan"):
            page = as_role(role).get(path)
            expected = 200 if role in ("trainer", "supervisor") else 403
            assert page.status_code == expected, (role, path, page.status_code)
            assert not _leaks(page.text, (*markers, *_identity(), GENERAL_FEEDBACK)), role


def test_training_data_health_and_report_pages(
    scenario: Scenario, as_role: Any, engine: Engine, tmp_path: Path
) -> None:
    """The data health and NLU report pages (training data and held-out sets only) open for
    trainers alone, every other role gets 403; none shows a ticket or a reporter, nor the
    review inbox's messages (the health report reads them only to check lookup entries)."""
    tracker = _rasa_store(
        tmp_path / "rasa.db", str(REPORTER_TG), [f"NIK saya {NIK_RAW} ktp {INBOX_MARKER}"]
    )
    assert collect(tracker, engine, 0.6, key="kunci-uji", now=1_000_000.0).stored == 1
    markers = tuple(
        m
        for f in scenario.filed.values()
        for m in (f.desc, f.chat, scenario.rating_markers[f.key], f.public_id)
    )
    hidden = (*markers, *_identity(), GENERAL_FEEDBACK, INBOX_MARKER, NIK_RAW)
    for role in ROLES:
        for path in ("/latih/kesehatan-data", "/latih/laporan"):
            page = as_role(role).get(path)
            expected = 200 if role == "trainer" else 403
            assert page.status_code == expected, (role, path, page.status_code)
            assert not _leaks(page.text, hidden), (role, path)


def test_category_review_page(
    scenario: Scenario, as_role: Any, engine: Engine, tmp_path: Path
) -> None:
    """The trainers' complaint category page (/latih/kategori) opens for trainers alone
    (every other role gets the refusal /latih gives). It lists the masked text of a public
    complaint once officers work it, never the anonymous or the confidential one, never a
    rejected one, and never a ticket id, reporter, conversation or rating; its export writes
    only that text to the classifier's data, and the admin audit log gets counts only."""
    import shutil

    from bot.category_model import get_model
    from bot.officer.web.console import FLASH_COOKIE
    from bot.store.models import Category
    from bot.training.masking import mask
    from tests.utils.officer import csrf_of

    page_path = "/latih/kategori"
    data_dir = tmp_path / "categories"  # the export writes here, not to data/categories/
    data_dir.mkdir()
    shutil.copy(ROOT / "data" / "categories" / "complaints.yml", data_dir / "complaints.yml")
    trainer = as_role("trainer")
    trainer.app.state.category_data_dir = data_dir
    trainer.app.state.category_held_out = ROOT / "tests" / "categories" / "heldout.yml"
    filed = scenario.filed
    markers = tuple(
        m
        for f in filed.values()
        for m in (f.desc, f.chat, scenario.rating_markers[f.key], f.public_id)
    )
    never = (*_identity(), GENERAL_FEEDBACK, UNRELATED_CHAT, *markers)
    supervisor = viewer(engine, scenario.people.supervisor)

    def listed() -> str:
        response = trainer.get(page_path)
        assert response.status_code == 200
        return response.text

    # New complaints are not candidates yet: nothing of any ticket shows.
    assert not _leaks(listed(), never)
    for f in filed.values():
        scenario.workflow.verify(supervisor, f.public_id)
    model = get_model(data_dir)
    texts: dict[str, str] = {}
    with Session(engine) as s:
        from bot.store.models import Ticket

        for key, f in filed.items():
            found = s.scalar(select(Ticket.description).where(Ticket.public_id == f.public_id))
            assert found is not None
            texts[key] = found
    # Whether a public complaint is a candidate is the classifier's call (it disagrees with
    # the ticket's category); privacy decides for the others, whatever the classifier says.
    assert model.predict(mask(texts["public"])) is not Category.ADMINDUK
    # The anonymous and the confidential one would be listed, were they public.
    assert model.predict(mask(texts["anonymous"])) is not Category.ADMINDUK
    assert model.predict(mask(texts["confidential"])) is not Category.PUNGLI
    satpas_listed = model.predict(mask(texts["satpas"])) is not Category.LAINNYA
    for role in ROLES:
        response = as_role(role).get(page_path)
        if role != "trainer":
            refused = as_role(role).get("/latih")
            assert response.status_code == refused.status_code == 403, (role, response.status_code)
            assert "Akses ditolak" in response.text
            assert not _leaks(response.text, never), role
            continue
        text = response.text
        assert response.status_code == 200
        assert filed["public"].desc in text
        assert (filed["satpas"].desc in text) == satpas_listed
        hidden = [m for m in never if m not in (filed["public"].desc, filed["satpas"].desc)]
        assert not _leaks(text, tuple(hidden)), _leaks(text, tuple(hidden))

    token = csrf_of(trainer, "/latih/laporan")
    key = trainer.get(page_path).text
    key = key[key.find('data-candidate="') + 16 :][:20]

    def post(path: str, **data: Any) -> str:
        r = trainer.post(path, data={"csrf_token": token, **data})
        assert r.status_code == 303, r.text
        flash: dict[str, Any] = trainer.app.state.console.flash_signer.loads(
            r.cookies[FLASH_COOKIE]
        )
        return str(flash["m"])

    # Rejected: off the list at once; a decision taken before it is not exported.
    assert "1 kandidat diterima." in post(f"{page_path}/keputusan", aksi="terima", kunci=key)
    scenario.workflow.reject(supervisor, filed["public"].public_id, "bukan_kewenangan", "Bukan.")
    assert filed["public"].desc not in listed()
    assert "0 contoh ditambahkan." in post(f"{page_path}/ekspor")
    assert not (data_dir / "reviewed.yml").exists()
    scenario.workflow.reopen(supervisor, filed["public"].public_id, "Ternyata wewenang kami.")
    scenario.workflow.verify(supervisor, filed["public"].public_id)
    assert "1 contoh ditambahkan." in post(f"{page_path}/ekspor")
    written = (data_dir / "reviewed.yml").read_text(encoding="utf-8")
    assert filed["public"].desc in written
    hidden = [m for m in never if m != filed["public"].desc]
    assert not _leaks(written, tuple(hidden)), _leaks(written, tuple(hidden))
    audit = as_role("admin").get("/admin/audit").text
    assert "category_export" in audit and not _leaks(audit, never)


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

    def privacy_answer(sender: str, public_id: str) -> str:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            "identitas sy aman kan?", "inform", slots={"last_ticket_id": public_id}, sender=sender
        )
        assert answer_privacy_question(dispatcher, tracker)
        return " ".join(str(m.get("text")) for m in dispatcher.messages)

    for filed in scenario.filed.values():
        # "Is my identity safe?" describes the asker's own ticket only (D24).
        assert filed.public_id in privacy_answer(str(REPORTER_TG), filed.public_id)
        theirs_privacy = privacy_answer(OTHER_CITIZEN, filed.public_id)
        assert filed.public_id not in theirs_privacy and filed.desc not in theirs_privacy
        mine = status(str(REPORTER_TG), filed.public_id)
        theirs = status(OTHER_CITIZEN, filed.public_id)
        assert filed.public_id in mine and "Status:" in mine
        assert "Status:" not in theirs and "utter_ticket_not_found" in theirs
        assert filed.desc not in theirs
    supervisor = viewer(engine, people.supervisor)
    for filed in scenario.filed.values():
        scenario.workflow.reply(supervisor, filed.public_id, "Sedang kami tindak lanjuti.")
        scenario.workflow.verify(supervisor, filed.public_id)
        scenario.workflow.start(supervisor, filed.public_id, "Cek lokasi bersama lurah.")
    with Session(engine) as s:
        replies = s.execute(
            select(OutboxMessage.chat_id, OutboxMessage.kind, OutboxMessage.text).where(
                OutboxMessage.kind != "unit_notice"
            )
        ).all()
    assert replies and {r.chat_id for r in replies} == {REPORTER_TG}
    plans = [r for r in replies if r.kind == "followup_plan"]
    assert len(plans) == len(scenario.filed)
    assert not [r for r in plans if REPORTER_NAME in r.text or REPORTER_USERNAME in r.text]
    # An officer's question waits for the reporter alone: another citizen's plain message
    # or reply naming the id never reaches the ticket (bot/telegram/answers.py, E9).
    repo = Repository(engine)
    for filed in scenario.filed.values():
        scenario.workflow.request_info(supervisor, filed.public_id, "Jam berapa kejadiannya?")
    assert set(repo.awaiting_answer(str(REPORTER_TG))) == {
        f.public_id for f in scenario.filed.values()
    }
    assert repo.awaiting_answer(OTHER_CITIZEN) == []
    for filed in scenario.filed.values():
        assert repo.answer_info_request(OTHER_CITIZEN, filed.public_id, "x") == (None, False)
        assert not repo.answered_recently(OTHER_CITIZEN, filed.public_id)
        repo.answer_info_request(str(REPORTER_TG), filed.public_id, "Jam 9 pagi.")
        resolution = f"Sudah ditangani {filed.public_id}"
        scenario.workflow.resolve(supervisor, filed.public_id, resolution)
        # A closed ticket's status shows its resolution (E19) to its reporter only.
        assert resolution in status(str(REPORTER_TG), filed.public_id)
        theirs = status(OTHER_CITIZEN, filed.public_id)
        assert resolution not in theirs and filed.desc not in theirs
    # Thanks offer the stars for the citizen's own resolved tickets only (E16).
    welcome = CollectingDispatcher()
    say_welcome(welcome, OTHER_CITIZEN)
    assert not [m for m in welcome.messages if m.get("buttons")]
    assert not any(f.public_id in str(welcome.messages) for f in scenario.filed.values())


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


# -- the satisfaction survey (SKM) -----------------------------------------------------------

SKM_COMMENT = "KOMENTARSKMRAHASIA"
SKM_SURFACES = ("/laporan/skm", "/laporan/skm.csv", "/laporan/skm?layanan=ktp")


def test_skm_reports_show_anonymous_aggregates_only(
    scenario: Scenario, as_role: Any, engine: Engine
) -> None:
    """The reporter answers the survey about KTP (with a comment) and five others do:
    supervisors see the IKM and counts, never a comment, a respondent key, a Telegram id or
    a name; every other role is refused; the public page shows none of it either."""
    from bot.config import get_settings
    from bot.store.models import Citizen, SkmResponse
    from bot.store.models import utcnow as now
    from bot.store.skm import SkmStore

    store = SkmStore(engine, get_settings().secret_key)
    senders = [str(REPORTER_TG), *(str(7_700_000 + n) for n in range(5))]
    for sender in senders[1:]:
        with Session(engine) as s, s.begin():
            s.add(Citizen(sender_id=sender, consent_at=now()))
    for sender in senders:
        survey, _ = store.start(sender, "ktp")
        assert survey is not None
        for position in range(9):
            store.answer(sender, survey.id, position, 3)
        store.finish(sender, survey.id, f"loket lambat {SKM_COMMENT} {sender}")
    with Session(engine) as s:
        keys = tuple(s.scalars(select(SkmResponse.respondent_key)))
    assert len(keys) == len(senders)
    secrets = (SKM_COMMENT, *keys, *senders, *_identity())
    for role in ROLES:
        for path in SKM_SURFACES:
            response = as_role(role).get(path)
            if role != "supervisor":
                assert response.status_code in (302, 303, 403), (role, path)
                continue
            assert response.status_code == 200, path
            assert not _leaks(response.text, secrets), (path, _leaks(response.text, secrets))
        if role == "supervisor":
            assert "75,00" in as_role(role).get("/laporan/skm?layanan=ktp").text
    for path in PUBLIC_SURFACES:
        assert not _leaks(as_role("admin").get(path).text, secrets), path
    # The public page publishes the IKM itself (six respondents: counted as 5), nothing else.
    public = as_role("admin").get("/transparansi/data.json").json()["ikm"]
    ktp = next(r for r in public["per_unit_layanan"] if r["layanan_id"] == "ktp")
    assert (ktp["ikm"], ktp["responden"]) == (75.0, 5)
    assert "75,00" in as_role("admin").get("/transparansi").text


# -- the live chat with an officer (bot.handoff) ----------------------------------------------


def test_live_chat_surfaces(scenario: Scenario, as_role: Any, engine: Engine) -> None:
    """The citizen who filed the four complaints asks for a person about KTP. The live queue
    and the chat page open for ticket workers only; before the chat is taken nobody sees
    what was said; the officer who takes it sees the citizen's name (consent given) and
    their chat with the assistant, but no complaint form, rating or ticket of theirs, not
    even of the public complaint; another officer of the unit sees nothing of it once taken;
    the report page shows counts only."""
    from datetime import datetime, timezone

    from actions.human import conversation_before
    from bot.handoff.chats import LiveChats

    now = datetime(2026, 9, 22, 2, 30, tzinfo=timezone.utc)  # a Tuesday, 09.30 WIB
    history = conversation_before(scenario.events, now)
    chats = LiveChats(engine)
    requested = chats.request(
        str(REPORTER_TG), "ktp", history, frozenset(), "Unit Pengaduan", None, now=now
    )
    assert requested.opened
    chat = requested.chat_id
    markers = tuple(
        m
        for f in scenario.filed.values()
        for m in (f.desc, f.chat, scenario.rating_markers[f.key], f.public_id)
    )
    hidden = (*markers, GENERAL_FEEDBACK, *_identity())
    for role in ROLES:
        queue, page = as_role(role).get("/obrolan"), as_role(role).get(f"/obrolan/{chat}")
        if role in NO_TICKETS:
            assert queue.status_code == 403 and page.status_code == 403, role
        elif role == "other_unit_officer":
            assert queue.status_code == 200 and f"/obrolan/{chat}/" not in queue.text
            assert page.status_code == 404
        else:
            assert queue.status_code == 200 and page.status_code == 200, role
        for response in (queue, page):
            assert not _leaks(response.text, (*hidden, UNRELATED_CHAT)), role
    chats.take(viewer(engine, scenario.dewi), chat, now)
    chats.send(viewer(engine, scenario.dewi), chat, "Selamat pagi", now)
    with Session(engine) as s:  # the citizen reads "Petugas <unit>", never the officer's name
        told = list(
            s.scalars(select(OutboxMessage.text).where(OutboxMessage.chat_id == REPORTER_TG))
        )
    assert sum("Petugas Dinas Kependudukan" in t for t in told) == 2
    assert not _leaks("\n".join(told), ("Dewi", "dewi"))
    for role in ROLES:
        page = as_role(role).get(f"/obrolan/{chat}")
        if role == "assigned_officer":  # Dewi took it
            assert page.status_code == 200
            assert UNRELATED_CHAT in page.text and REPORTER_NAME in page.text
            assert not _leaks(page.text, (*markers, GENERAL_FEEDBACK, str(REPORTER_TG)))
        elif role == "supervisor":
            assert page.status_code == 200 and not _leaks(page.text, markers)
        else:
            assert page.status_code in (403, 404), role
            assert not _leaks(page.text, (*hidden, UNRELATED_CHAT)), role
    report = as_role("supervisor").get("/obrolan/laporan")
    assert report.status_code == 200
    assert not _leaks(report.text, (*hidden, UNRELATED_CHAT))

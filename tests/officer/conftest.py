"""Officer console fixtures: accounts of every role, tickets filed through the assistant's
repository, and HTTP clients signed in through the real login form."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.config import Settings, get_settings
from bot.officer.web import create_app
from bot.store.consent import ConsentRepository
from bot.store.db import get_engine
from bot.store.models import Category, OfficerRole, Privacy, Ticket
from bot.store.repository import ComplaintDraft, Repository
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy
from bot.tickets.workflow import Workflow
from tests.utils import ROOT
from tests.utils.officer import People, TicketMaker, add_officer, login


@pytest.fixture
def console_settings(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings on the test database, with a private copy of the holiday calendar and
    attachments under tmp_path."""
    holidays = tmp_path / "holidays.yml"
    shutil.copy(ROOT / "data" / "holidays.yml", holidays)
    monkeypatch.setenv("HOLIDAYS_PATH", str(holidays))
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CONSOLE_BASE_URL", "https://konsol.example.go.id")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def engine(console_settings: Settings) -> Engine:
    """The test database's engine."""
    return get_engine(console_settings.database_url)


@pytest.fixture
def people(engine: Engine) -> People:
    """Accounts: two officers in different units, a supervisor, an admin (password
    PASSWORD, hashed once per session)."""
    return People(
        officer=add_officer(engine, "budi", OfficerRole.OFFICER, ["disdukcapil"], "Budi Santoso"),
        officer2=add_officer(engine, "sari", OfficerRole.OFFICER, ["satpas"], "Sari"),
        supervisor=add_officer(engine, "siti", OfficerRole.SUPERVISOR, [], "Siti Supervisor"),
        admin=add_officer(engine, "admin", OfficerRole.ADMIN, [], "Admin"),
    )


@pytest.fixture
def calendar_() -> HolidayCalendar:
    """The shipped calendar."""
    return HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")


@pytest.fixture
def workflow(engine: Engine, calendar_: HolidayCalendar) -> Workflow:
    """Ticket actions on the shipped calendar and resolution policy."""
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Workflow(engine, Deadlines(calendar_, policy, 3, 5))


@pytest.fixture
def make_ticket(engine: Engine, calendar_: HolidayCalendar) -> TicketMaker:
    """File a complaint the way the assistant does; returns its public id."""
    repo = Repository(engine, calendar_)
    consent = ConsentRepository(engine)
    counter = iter(range(10_000, 99_999))

    def make(
        description: str = "Antrean KTP di kecamatan sangat lama, sudah tiga jam menunggu.",
        privacy: Privacy = Privacy.PUBLIC,
        service_id: str | None = "ktp",
        category: Category = Category.ADMINDUK,
        sender: str | None = None,
        name: str | None = "Andi Wijaya",
        location: str | None = "Kecamatan Sukamaju",
        conversation: tuple[tuple[datetime, str, str], ...] = (),
        **changes: Any,
    ) -> str:
        sender = sender or str(next(counter) * 1000 + 7)
        consent.record(sender, int(sender), name)
        view, _ = repo.file_ticket(
            sender,
            ComplaintDraft(
                description,
                location,
                category,
                privacy,
                service_id=service_id,
                conversation=conversation,
            ),
        )
        if changes:
            with Session(engine) as s, s.begin():
                s.execute(
                    update(Ticket).where(Ticket.public_id == view.public_id).values(**changes)
                )
        return view.public_id

    return make


@pytest.fixture
def app_client(console_settings: Settings, engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """Clients of the console app; `client(username)` is signed in as that account."""
    app = create_app(console_settings, engine)
    clients: list[TestClient] = []

    def client(username: str | None = None) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        clients.append(c)
        if username:
            login(c, username)
        return c

    yield client
    for c in clients:
        c.close()

"""Shared fixtures: real SQLite files and a real PostgreSQL database per test run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.store import Repository, prepare_database
from bot.store.db import dispose_engines, get_engine
from bot.store.models import (
    Attachment,
    CannedReply,
    Citizen,
    ConsoleAuditLog,
    DraftAttachment,
    Holiday,
    InboxMessage,
    Officer,
    OfficerSession,
    OfficerUnit,
    OutboxMessage,
    Rating,
    SentKeyboard,
    ServiceQuestion,
    Ticket,
    TicketEvent,
    TicketMessage,
    UnitChannel,
    UnitTicketNotice,
)
from bot.tickets.holidays import read_holidays
from bot.tickets.workdays import HolidayCalendar

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
SEED_HOLIDAYS = [
    {"day": h.date, "name": h.name, "kind": h.kind, "provisional": h.provisional}
    for h in read_holidays(ROOT / "data" / "holidays.yml")
]
os.environ.setdefault("PTB_TIMEDELTA", "1")  # retry_after as timedelta, as PTB 23 will


def _postgres_admin():  # type: ignore[no-untyped-def]
    import psycopg

    url = make_url(ADMIN_PG_URL)
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        dbname=url.database,
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end.

    Skips with a visible reason when no server is reachable, except in CI (CI=true),
    where an unreachable PostgreSQL fails the run.
    """
    try:
        admin = _postgres_admin()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {ADMIN_PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_PG_URL} ({exc}); set TEST_POSTGRES_URL")
    name = f"layanan_test_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = str(make_url(ADMIN_PG_URL).set(database=name, drivername="postgresql+psycopg"))
    try:
        yield url
    finally:
        dispose_engines()
        with _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file for this test run."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'layanan.db'}"


@pytest.fixture(scope="session")
def prepared_urls() -> set[str]:
    """Databases already migrated and seeded in this run."""
    return set()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    prepared_urls: set[str],
) -> Iterator[str]:
    """Each test that uses it runs twice: on SQLite and on PostgreSQL.

    The database is migrated and seeded with the catalogue once per run; the tables the
    test writes to are emptied before each test. DATABASE_URL points at it, so code that
    reads the settings (the actions) uses it too.
    """
    url = request.getfixturevalue(f"{request.param}_url")
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    if url not in prepared_urls:
        prepare_database(url, seed="always")
        prepared_urls.add(url)
    with Session(get_engine(url)) as s, s.begin():
        for model in (
            TicketMessage,
            TicketEvent,
            Attachment,
            UnitTicketNotice,
            OutboxMessage,
            Rating,
            Ticket,
            ServiceQuestion,
            Citizen,
            InboxMessage,
            SentKeyboard,
            DraftAttachment,
            # officer console
            OfficerSession,
            OfficerUnit,
            CannedReply,
            ConsoleAuditLog,
            UnitChannel,
            Officer,
        ):
            s.execute(delete(model))
        # The seeded calendar again: a holiday one test adds must not move another's deadlines.
        s.execute(delete(Holiday))
        s.execute(insert(Holiday), SEED_HOLIDAYS)
    yield url
    get_settings.cache_clear()


@pytest.fixture
def calendar() -> HolidayCalendar:
    """The shipped holiday calendar."""
    return HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")


@pytest.fixture
def repo(database_url: str, calendar: HolidayCalendar) -> Repository:
    """A repository on the test database."""
    return Repository(get_engine(database_url), calendar)

"""Shared fixtures: real SQLite files and a real PostgreSQL database per test run
(helpers in tests/utils/db.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.store.db import dispose_engines, get_engine, prepare_database
from bot.store.models import Holiday
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar
from bot.tickets.holidays import read_holidays
from tests.utils import ROOT
from tests.utils.db import ADMIN_PG_URL, IN_CI, postgres_admin, truncate

SEED_HOLIDAYS = [
    {"day": h.date, "name": h.name, "kind": h.kind, "provisional": h.provisional}
    for h in read_holidays(ROOT / "data" / "holidays.yml")
]
os.environ.setdefault("PTB_TIMEDELTA", "1")  # retry_after as timedelta, as PTB 23 will


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end.

    Skips with a visible reason when no server is reachable, except in CI (CI=true),
    where an unreachable PostgreSQL fails the run.
    """
    try:
        admin = postgres_admin()
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
        with postgres_admin() as admin:
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

    The database is migrated and seeded with the catalogue once per run; every other table
    is emptied before each test (the holidays then seeded again). DATABASE_URL points at
    it, so code that reads the settings (the actions) uses it too.
    """
    url = request.getfixturevalue(f"{request.param}_url")
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    if url not in prepared_urls:
        prepare_database(url, seed="always")
        prepared_urls.add(url)
    truncate(get_engine(url))
    with Session(get_engine(url)) as s, s.begin():
        # The seeded calendar again: a holiday one test adds must not move another's deadlines.
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

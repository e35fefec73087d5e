"""The stack the hostile-input tests attack: real Rasa and action servers and our Telegram
front end on the local Bot API server, on a throwaway PostgreSQL database (production's
store, which refuses some text SQLite takes), started once for the folder. Helpers in
tests/utils/security.py."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.config import Settings, get_settings
from bot.officer.web import create_app
from bot.store.db import dispose_engines, get_engine, prepare_database
from bot.store.models import OfficerRole
from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi
from tests.utils.db import ADMIN_PG_URL, IN_CI, postgres_admin
from tests.utils.officer import People, add_officer, login
from tests.utils.stack import rasa_stack

RASA_TOKEN = "security-rasa-api-token"
BOT_IDS = itertools.count(7201)  # tests/telegram counts from 7101


@pytest.fixture(scope="session")
def security_database() -> Iterator[str]:
    """A PostgreSQL database of its own (the folder's stack writes to it from other
    processes, so it never shares the suite's truncated test database)."""
    try:
        admin = postgres_admin()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {ADMIN_PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_PG_URL} ({exc}); set TEST_POSTGRES_URL")
    name = f"layanan_security_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = str(make_url(ADMIN_PG_URL).set(database=name, drivername="postgresql+psycopg"))
    try:
        prepare_database(url, seed="always")
        yield url
    finally:
        dispose_engines()
        with postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def servers(security_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa (its HTTP API behind a token, as in production) and the action server."""
    folder = tmp_path_factory.mktemp("security")
    with rasa_stack(folder, RASA_TOKEN, security_database) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api() -> AsyncIterator[LocalBotApi]:
    """The local Telegram Bot API server, a bot of its own per module (update ids are
    deduplicated per bot in the shared database)."""
    async with LocalBotApi(bot_id=next(BOT_IDS)) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def frontend(
    api: LocalBotApi, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TelegramFrontend]:
    """Our front end in long-polling mode with the shipped settings (rate limits too)."""
    app = TelegramFrontend(servers.frontend_settings(api, tmp_path_factory.mktemp("var")))
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


# -- the officer console on the suite's test database (tests/conftest.py's database_url) ----


@pytest.fixture
def console_settings(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Console settings on the test database, runtime files under tmp_path."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def engine(console_settings: Settings) -> Engine:
    return get_engine(console_settings.database_url)


@pytest.fixture
def people(engine: Engine) -> People:
    """An officer of disdukcapil, one of satpas, a supervisor and an admin, plus a trainer."""
    add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")
    return People(
        officer=add_officer(engine, "budi", OfficerRole.OFFICER, ["disdukcapil"], "Budi"),
        officer2=add_officer(engine, "sari", OfficerRole.OFFICER, ["satpas"], "Sari"),
        supervisor=add_officer(engine, "siti", OfficerRole.SUPERVISOR, [], "Siti"),
        admin=add_officer(engine, "admin", OfficerRole.ADMIN, [], "Admin"),
    )


@pytest.fixture
def console(console_settings: Settings, engine: Engine) -> Iterator[Callable[[str], TestClient]]:
    """`console(username)`: a client of the console app signed in as that account."""
    app = create_app(console_settings, engine)
    clients: list[TestClient] = []

    def client(username: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        clients.append(c)
        login(c, username)
        return c

    yield client
    for c in clients:
        c.close()

"""The whole stack for the Telegram tests: local Bot API server, our front end, real Rasa
and action servers, and a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from bot.store import prepare_database
from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers, ensure_model
from devtools.local_api import LocalBotApi

RASA_TOKEN = "telegram-e2e-rasa-api-token"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa and the action server on one fresh SQLite database."""
    ensure_model()
    folder = tmp_path_factory.mktemp("telegram")
    database_url = f"sqlite:///{folder / 'telegram.db'}"
    prepare_database(database_url, seed="always")
    # Rasa's HTTP API needs a token, as in production: the front end must send it.
    running = Servers(folder, database_url, rasa_auth_token=RASA_TOKEN)
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    except Exception:
        for log in ("actions.log", "rasa.log"):
            path = folder / log
            if path.exists():
                print(f"--- {log}\n" + path.read_text(errors="replace")[-4000:])
        raise
    finally:
        running.stop_all()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api() -> AsyncIterator[LocalBotApi]:
    """The local Telegram Bot API server."""
    async with LocalBotApi() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def frontend(
    api: LocalBotApi, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TelegramFrontend]:
    """Our front end in long-polling mode."""
    settings = servers.frontend_settings(api, tmp_path_factory.mktemp("var"))
    app = TelegramFrontend(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()

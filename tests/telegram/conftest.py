"""The whole stack for the Telegram tests: local Bot API server, our front end, real Rasa
and action servers, and a real SQLite database (helpers in tests/utils/)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi
from tests.utils.stack import rasa_stack

RASA_TOKEN = "telegram-e2e-rasa-api-token"
BOT_IDS = itertools.count(7101)  # 7001-7003: the bots of single tests


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa and the action server on one fresh SQLite database, started once for the
    folder. Rasa's HTTP API needs a token, as in production: the front end must send it.
    Tests keep apart by using their own Telegram user ids."""
    with rasa_stack(tmp_path_factory.mktemp("telegram"), rasa_auth_token=RASA_TOKEN) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api() -> AsyncIterator[LocalBotApi]:
    """The local Telegram Bot API server, with a bot of its own for each module: the
    modules share the stack's database, where update ids are deduplicated per bot, and
    every server counts them from 1."""
    async with LocalBotApi(bot_id=next(BOT_IDS)) as server:
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

"""The whole stack for the Telegram tests: local Bot API server, our front end, real Rasa
and action servers, and a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.devstack import Servers, ensure_model, free_port
from bot.store import prepare_database
from bot.telegram.app import TelegramFrontend
from bot.telegram.local_api import LocalBotApi


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa and the action server on one fresh SQLite database."""
    ensure_model()
    folder = tmp_path_factory.mktemp("telegram")
    database_url = f"sqlite:///{folder / 'telegram.db'}"
    prepare_database(database_url, seed="always")
    running = Servers(folder, database_url)
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


def frontend_settings(api: LocalBotApi, servers: Servers, var_dir: Path, **extra: Any) -> Settings:
    """Settings pointing the front end at the local Bot API server and our servers."""
    return Settings(
        app_env="test",
        database_url=servers.database_url,
        telegram_bot_token=api.token,
        telegram_api_base_url=api.base_url,
        telegram_api_file_url=api.base_file_url,
        rasa_url=servers.rasa_url,
        action_endpoint_url=servers.action_url,
        var_dir=var_dir,
        frontend_port=free_port(),
        outbox_poll_s=0.2,
        rasa_timeout_s=20,
        rasa_retry_max_delay_s=2,
        **extra,
    )


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
    settings = frontend_settings(api, servers, tmp_path_factory.mktemp("var"))
    app = TelegramFrontend(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()

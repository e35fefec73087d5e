"""The whole stack for the Telegram tests: local Bot API server, our front end, real Rasa
and action servers, and a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from rasa_engine import (
    ensure_model,
    free_port,
    start_action_server,
    start_rasa_server,
    stop,
    wait_http,
)

from bot.config import Settings
from bot.store import prepare_database
from bot.telegram.app import TelegramFrontend
from bot.telegram.local_api import LocalBotApi


class Servers:
    """Rasa and action server subprocesses, restartable (for the outage test)."""

    def __init__(self, folder: Path, database_url: str):
        self.folder = folder
        self.database_url = database_url
        self.action_port = free_port()
        self.rasa_port = free_port()
        self.actions: Any = None
        self.rasa: Any = None

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    def start_actions(self) -> None:
        self.actions = start_action_server(
            self.action_port, self.database_url, self.folder / "actions.log"
        )
        wait_http(f"http://127.0.0.1:{self.action_port}/health", 60, self.actions)

    def start_rasa(self) -> None:
        self.rasa = start_rasa_server(self.rasa_port, self.action_port, self.folder / "rasa.log")
        wait_http(f"{self.rasa_url}/status", 180, self.rasa)

    def stop_rasa(self) -> None:
        stop(self.rasa)

    def stop_all(self) -> None:
        for process in (self.rasa, self.actions):
            if process is not None:
                stop(process)


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

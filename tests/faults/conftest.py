"""One stack for the whole fault folder, started as `make run` starts it: honcho on
Procfile.local (actions, rasa, telegram; every line under scripts/respawn.sh), with the
local Telegram Bot API server in this process (so that its faults can be injected and its
citizens simulated) and a proxy between Rasa and the action server (to kill the action
server at an exact moment).

Like `make run`'s var/, the database, Rasa's conversations and the runtime files share one
folder: a small tmpfs when this process may mount one (root), so that the disk can be
filled; otherwise a plain folder, and the disk test skips with the reason.

Tests keep apart by their own Telegram user ids; each restarts only the process it tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import pytest_asyncio

from bot.store.db import dispose_engines, prepare_database
from devtools.devstack import ensure_model
from devtools.local_api import LocalBotApi
from tests.utils.action_proxy import ActionProxy
from tests.utils.supervised import (
    Ports,
    Supervised,
    answers,
    is_actions,
    is_frontend,
    is_rasa,
    new_ports,
    stack_env,
    wait_until,
)

RASA_TOKEN = "faults-rasa-api-token"
TMPFS_SIZE = "64m"
START_TIMEOUT_S = 240  # Rasa loads its model in 20-60 s on a busy 2-core machine


@dataclass
class VarDir:
    path: Path
    tmpfs: bool  # a mount of its own: the disk can be filled
    reason: str = ""


def _mount_tmpfs(path: Path) -> str:
    """Mount a small tmpfs on `path`; the reason when that is not possible, else ''."""
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0755", "tmpfs", str(path)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"mount not possible: {exc}"
    if done.returncode != 0:
        return f"mount -t tmpfs refused: {done.stderr.strip() or done.returncode}"
    return ""


@pytest.fixture(scope="package")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VarDir]:
    path = tmp_path_factory.mktemp("faults") / "var"
    path.mkdir()
    reason = _mount_tmpfs(path)
    try:
        yield VarDir(path, tmpfs=not reason, reason=reason)
    finally:
        dispose_engines()
        if not reason:
            subprocess.run(["umount", "-l", str(path)], check=False, timeout=20)


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(bot_id=7301) as server:
        yield server


@dataclass
class FaultStack:
    """The running stack and what the tests do to it."""

    supervised: Supervised
    api: LocalBotApi
    proxy: ActionProxy
    ports: Ports
    var: VarDir

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.var.path / 'layanan.db'}"

    @property
    def rasa_status_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}/status?token={RASA_TOKEN}"

    @property
    def actions_health_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}/health"

    @property
    def frontend_health_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.frontend}/healthz"

    def up(self, url: str) -> bool:
        try:
            return answers(url)
        except Exception:
            return False

    async def wait_up(self, url: str, what: str, timeout: float = START_TIMEOUT_S) -> None:
        await asyncio.to_thread(
            wait_until,
            lambda: answers(url),
            timeout,
            f"{what} did not answer",
            self.supervised.tail(),
        )

    def kill_rasa(self) -> int:
        return self.supervised.kill(is_rasa)

    def kill_actions(self) -> int:
        return self.supervised.kill(is_actions)

    def kill_frontend(self) -> int:
        return self.supervised.kill(is_frontend)

    def frontend_pid(self) -> int | None:
        return self.supervised.pid_of(is_frontend)


Stack = TypeVar("Stack", bound=FaultStack)


@contextlib.asynccontextmanager
async def started(
    api: LocalBotApi,
    var: VarDir,
    make: Callable[[Supervised, LocalBotApi, ActionProxy, Ports, VarDir], Stack],
    **env_extra: str,
) -> AsyncIterator[Stack]:
    """The stack on `var` (the database on DATABASE_URL, by default a SQLite file there,
    migrated and seeded), every process answering its health check; stopped on exit."""
    await asyncio.to_thread(ensure_model)
    ports = new_ports()
    proxy = await ActionProxy(f"http://127.0.0.1:{ports.actions}").start()
    env = stack_env(
        ports,
        var.path,
        api.token,
        api.base_url,
        api.base_file_url,
        RASA_TOKEN,
        action_endpoint_url=f"{proxy.url}/webhook",
    )
    env.update(env_extra)
    await asyncio.to_thread(prepare_database, env["DATABASE_URL"], "always")
    supervised = Supervised(var.path.parent, env)
    running = make(supervised, api, proxy, ports, var)
    supervised.start()
    try:
        for url, what in (
            (running.actions_health_url, "the action server"),
            (running.rasa_status_url, "Rasa"),
            (running.frontend_health_url, "the front end (healthz 200: everything reachable)"),
        ):
            await running.wait_up(url, what)
        yield running
    finally:
        await asyncio.to_thread(supervised.stop)
        await proxy.stop()
        print(f"--- honcho log (tail)\n{supervised.tail(3000)}")


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def stack(api: LocalBotApi, var_dir: VarDir) -> AsyncIterator[FaultStack]:
    async with started(api, var_dir, FaultStack) as running:
        yield running

"""`make run`'s processes as `make run` starts them: honcho on Procfile.local, each line
wrapped in scripts/respawn.sh, with ports, database and Telegram stand-in chosen by the
test. The fault tests kill one process (SIGKILL, as the OOM killer does) and watch the
supervisor start it again."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from devtools.devstack import ROOT, engine_env, free_port, start_honcho
from devtools.devstack import processes as _processes

SHELLS = {"sh", "bash", "dash"}


@dataclass(frozen=True)
class Ports:
    rasa: int
    actions: int
    frontend: int


class Supervised:
    """honcho running `processes` of Procfile.local (each under scripts/respawn.sh)."""

    def __init__(
        self,
        folder: Path,
        env: dict[str, str],
        processes: Sequence[str] = ("actions", "rasa", "telegram"),
        procfile: Path = ROOT / "Procfile.local",
    ):
        self.folder = folder
        self.env = env
        self.processes = list(processes)
        self.procfile = procfile
        self.log = folder / "honcho.log"
        self.honcho: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start honcho in a session of its own (so that nothing is left behind)."""
        self.honcho = start_honcho(self.procfile, self.folder, self.env, self.processes, self.log)

    def stop(self) -> None:
        """Stop honcho as Ctrl-C does (it stops its processes), then anything left over."""
        if self.honcho is None:
            return
        started = self.descendants()  # once honcho is gone, they are nobody's children
        if self.honcho.poll() is None:
            self.honcho.send_signal(signal.SIGINT)
            try:
                self.honcho.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.honcho.kill()
                self.honcho.wait()
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def descendants(self) -> list[int]:
        """Every process below honcho."""
        if self.honcho is None:
            return []
        table = _processes()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _argv) in table.items():
            children.setdefault(ppid, []).append(pid)
        found: list[int] = []
        todo = [self.honcho.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def pid_of(self, matches: Callable[[list[str]], bool]) -> int | None:
        """The program (not a shell or the respawn wrapper) below honcho whose argv
        matches."""
        table = _processes()
        for pid in self.descendants():
            argv = table.get(pid, (0, []))[1]
            if not argv or Path(argv[0]).name in SHELLS:
                continue
            if matches(argv):
                return pid
        return None

    def kill(self, matches: Callable[[list[str]], bool]) -> int:
        """SIGKILL the program whose argv matches; its pid."""
        pid = self.pid_of(matches)
        assert pid is not None, f"no such process under honcho; log:\n{self.tail()}"
        os.kill(pid, signal.SIGKILL)
        return pid

    def running(self) -> bool:
        return self.honcho is not None and self.honcho.poll() is None

    def tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def is_rasa(argv: list[str]) -> bool:
    return any(Path(a).name == "rasa" for a in argv) and "run" in argv


def is_actions(argv: list[str]) -> bool:
    return "bot" in argv and "actions" in argv


def is_frontend(argv: list[str]) -> bool:
    return "bot" in argv and "telegram" in argv


def stack_env(
    ports: Ports,
    var_dir: Path,
    telegram_token: str,
    telegram_base_url: str,
    telegram_file_url: str,
    rasa_token: str,
    action_endpoint_url: str | None = None,
) -> dict[str, str]:
    """The environment `make run` gives its processes (scripts/dev-env.sh), with this
    test's ports, database, var folder and local Bot API server."""
    return engine_env(
        APP_ENV="test",
        PYTHONPATH=str(ROOT),
        VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'layanan.db'}",
        RASA_TRACKER_URL=f"sqlite:///{var_dir / 'rasa_tracker.db'}",
        RASA_PORT=str(ports.rasa),
        RASA_URL=f"http://127.0.0.1:{ports.rasa}",
        RASA_AUTH_TOKEN=rasa_token,
        ACTION_SERVER_PORT=str(ports.actions),
        ACTION_ENDPOINT_URL=action_endpoint_url or f"http://127.0.0.1:{ports.actions}/webhook",
        FRONTEND_PORT=str(ports.frontend),
        TELEGRAM_BOT_TOKEN=telegram_token,
        TELEGRAM_API_BASE_URL=telegram_base_url,
        TELEGRAM_API_FILE_URL=telegram_file_url,
        TELEGRAM_WEBHOOK_URL="",
        OUTBOX_POLL_S="0.2",
        RASA_TIMEOUT_S="20",
        # A front end killed mid-turn: its update is handled again after 30 s, not 60.
        INBOX_CLAIM_LEASE_S="30",
        RASA_RETRY_MAX_DELAY_S="2",
        PTB_TIMEDELTA="1",
        LOG_LEVEL="INFO",
    )


def new_ports() -> Ports:
    return Ports(free_port(), free_port(), free_port())


def wait_until(check: Callable[[], bool], timeout: float, what: str, log: str = "") -> None:
    """Poll `check` until it is true; TimeoutError naming `what` (and a log tail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{what} within {timeout:g} s\n{log}")


def answers(url: str) -> bool:
    """True when `url` answers 200."""
    return httpx.get(url, timeout=2).status_code == 200

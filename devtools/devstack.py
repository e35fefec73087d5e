"""Running the Rasa engine (.venv-rasa) and our action server as subprocesses.

Used by the tests and the benchmarks: training, evaluation, starting and stopping servers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "models" / "layanan-aduan.tar.gz"
REPORTS = ROOT / "var" / "reports"
# The Rasa training data: every file in this folder (`make train` passes the folder itself to
# Rasa, so a new file needs no edit anywhere).
TRAINING_DATA = ROOT / "data" / "rasa"
# endpoints.yml's lock store besides its type: empty for the in-memory lock store (Rasa
# refuses an unset variable), REDIS_URL in pieces for Redis (bot/production.py).
LOCK_STORE_PARTS = tuple(
    f"RASA_LOCK_STORE_{part}" for part in ("HOST", "PORT", "DB", "USERNAME", "PASSWORD", "PREFIX")
)


def engine_env(**extra: str) -> dict[str, str]:
    """Environment for Rasa processes: quiet, offline, no telemetry."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        ACTION_ENDPOINT_URL=env.get("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook"),
        RASA_TRACKER_URL=env.get(
            "RASA_TRACKER_URL", f"sqlite:///{ROOT / 'var' / 'rasa_tracker.db'}"
        ),
        # Rasa's conversation locks (endpoints.yml): in memory for one server.
        RASA_LOCK_STORE=env.get("RASA_LOCK_STORE", "in_memory"),
        **{name: env.get(name, "") for name in LOCK_STORE_PARTS},
    )
    env.update(extra)
    return env


def ensure_model() -> Path:
    """Train the model unless it is up to date (`make train`, `python -m bot model train`,
    decides)."""
    if not RASA.exists():
        raise RuntimeError("the Rasa engine is not installed: run `make install` (.venv-rasa)")
    subprocess.run(
        [sys.executable, "-m", "bot", "model", "train"], check=True, cwd=ROOT, env=engine_env()
    )
    return MODEL


def run_rasa(args: Sequence[str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run a rasa CLI command to completion, output captured."""
    return subprocess.run(
        [str(RASA), *args],
        cwd=ROOT,
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until `url` answers 200, failing early if `process` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} was up")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up within {timeout} s")


def start_action_server(
    port: int, database_url: str, log: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Our action server (python -m bot actions) on `port`; `extra_env` e.g. pins its
    service-hours clock (APP_ENV=test, TEST_FIXED_NOW)."""
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "actions", "--port", str(port)],
        cwd=ROOT,
        env=engine_env(
            DATABASE_URL=database_url, ACTION_SERVER_PORT=str(port), **(extra_env or {})
        ),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def start_rasa_server(
    port: int,
    action_port: int,
    log: Path,
    tracker_url: str | None = None,
    auth_token: str = "",
) -> subprocess.Popen[bytes]:
    """`rasa run` with the REST channel and the HTTP API on `port`.

    Conversations go to `tracker_url` (default: a SQLite file beside the log). With
    `auth_token` the HTTP API needs `?token=` (as in production).
    """
    tracker_url = tracker_url or f"sqlite:///{log.parent / 'rasa_tracker.db'}"
    handle = log.open("wb")
    return subprocess.Popen(
        [
            str(RASA),
            "run",
            "--enable-api",
            "--model",
            str(MODEL),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
            *(["--auth-token", auth_token] if auth_token else []),
        ],
        cwd=ROOT,
        env=engine_env(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            RASA_TRACKER_URL=tracker_url,
        ),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server process and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Servers:
    """Rasa and action server subprocesses on free ports, restartable (outage tests)."""

    def __init__(
        self,
        folder: Path,
        database_url: str,
        rasa_auth_token: str = "",
        action_env: dict[str, str] | None = None,
    ):
        self.folder = folder
        self.database_url = database_url
        self.rasa_auth_token = rasa_auth_token
        self.action_env = action_env or {}
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
            self.action_port, self.database_url, self.folder / "actions.log", self.action_env
        )
        wait_http(f"http://127.0.0.1:{self.action_port}/health", 60, self.actions)

    @property
    def tracker_url(self) -> str:
        return f"sqlite:///{self.folder / 'rasa_tracker.db'}"

    def start_rasa(self) -> None:
        self.rasa = start_rasa_server(
            self.rasa_port,
            self.action_port,
            self.folder / "rasa.log",
            self.tracker_url,
            self.rasa_auth_token,
        )
        token = f"?token={self.rasa_auth_token}" if self.rasa_auth_token else ""
        wait_http(f"{self.rasa_url}/status{token}", 180, self.rasa)

    def stop_actions(self) -> None:
        stop(self.actions)

    def stop_rasa(self) -> None:
        stop(self.rasa)

    def stop_all(self) -> None:
        for process in (self.rasa, self.actions):
            if process is not None:
                stop(process)

    def frontend_settings(self, api: Any, var_dir: Path, **extra: Any) -> Settings:
        """Front-end settings pointing at a local Bot API server and these servers."""
        values: dict[str, Any] = {
            "app_env": "test",
            "database_url": self.database_url,
            "telegram_bot_token": api.token,
            "telegram_api_base_url": api.base_url,
            "telegram_api_file_url": api.base_file_url,
            "rasa_url": self.rasa_url,
            "rasa_auth_token": self.rasa_auth_token,
            "rasa_tracker_url": self.tracker_url,
            "action_endpoint_url": self.action_url,
            "var_dir": var_dir,
            "frontend_port": free_port(),
            "outbox_poll_s": 0.2,
            "rasa_timeout_s": 20,
            "rasa_retry_max_delay_s": 2,
        }
        values.update(extra)
        return Settings(**values)


def processes() -> dict[int, tuple[int, list[str]]]:
    """pid -> (parent pid, argv) of every process visible in /proc."""
    found: dict[int, tuple[int, list[str]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # The command name in stat may hold spaces and parentheses: the fields after it
        # start behind the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        found[int(entry.name)] = (ppid, [a.decode(errors="replace") for a in argv if a])
    return found


HONCHO = ROOT / ".venv" / "bin" / "honcho"


def start_honcho(
    procfile: Path, folder: Path, env: dict[str, str], processes: Sequence[str], log: Path
) -> subprocess.Popen[bytes]:
    """honcho on `procfile` (only `processes`), as `make run` starts it, in a session of its
    own (so that nothing is left behind), its output appended to `log`. No .env is read:
    `env` is the whole environment."""
    empty_env_file = folder / "empty.env"
    empty_env_file.write_text("")
    with log.open("ab") as handle:
        return subprocess.Popen(
            [
                str(HONCHO),
                "-f",
                str(procfile),
                "-d",
                str(ROOT),
                "-e",
                str(empty_env_file),
                "start",
                "--no-colour",
                *processes,
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

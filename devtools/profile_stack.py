"""The production profile's Rasa tier as `make run PROFILE=production` starts it, for tests
and benchmarks: honcho on Procfile.production (every line under scripts/respawn.sh) running
haproxy, the Rasa replicas and the action servers, on free ports, with the environment
bot/production.py derives (Redis lock store, RASA_URLS, PostgreSQL pools). The databases
are the caller's (`throwaway_databases` makes two on a PostgreSQL server); Rasa's locks get a
key prefix of their own on the shared Redis, so stacks never see each other's locks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bot import production
from devtools.devstack import ROOT, engine_env, free_port

HONCHO = ROOT / ".venv" / "bin" / "honcho"
PROCFILE = ROOT / "Procfile.production"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"


def haproxy_path() -> str | None:
    """Debian's haproxy (scripts/ensure-proxy.sh installs it), or None."""
    found = os.environ.get("HAPROXY_PATH") or shutil.which("haproxy")
    if found:
        return found
    return "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None


@contextlib.contextmanager
def throwaway_databases(server_url: str, *purposes: str) -> Iterator[list[str]]:
    """One fresh database per purpose on the PostgreSQL server of `server_url` (its
    maintenance database), as postgresql:// URLs; dropped at the end."""
    import psycopg

    admin = make_url(server_url)
    tag = uuid.uuid4().hex[:8]
    names = [f"profile_{purpose}_{tag}" for purpose in purposes]

    def connect() -> Any:
        return psycopg.connect(
            host=admin.host,
            port=admin.port or 5432,
            user=admin.username,
            password=admin.password,
            dbname=admin.database or "postgres",
            autocommit=True,
            connect_timeout=3,
        )

    with connect() as c:
        for name in names:
            c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [
            admin.set(database=name, drivername="postgresql").render_as_string(hide_password=False)
            for name in names
        ]
    finally:
        from bot.store.db import dispose_engines

        dispose_engines()
        with connect() as c:
            for name in names:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ProfileStack:
    """haproxy, Rasa replicas and action servers of Procfile.production under honcho.

    `processes` chooses which run: the default is the profile's 2 + 2; leaving `rasa2` out
    measures one replica behind the same proxy (its health check keeps the missing one out
    of the rotation)."""

    RASA_TIER = ("proxy", "rasa1", "rasa2", "actions1", "actions2")

    def __init__(
        self,
        folder: Path,
        database_url: str,
        tracker_url: str,
        redis_url: str = DEFAULT_REDIS_URL,
        processes: Sequence[str] = RASA_TIER,
        extra_env: dict[str, str] | None = None,
    ):
        self.folder = folder
        self.processes = list(processes)
        self.token = uuid.uuid4().hex
        ports = {name: str(free_port()) for name in production.DEFAULT_PORTS}
        base = {
            "DATABASE_URL": database_url,
            "RASA_TRACKER_URL": tracker_url,
            "REDIS_URL": redis_url,
            "RASA_AUTH_TOKEN": self.token,
            **ports,
        }
        derived = production.environment(base)
        self.lock_prefix = "t" + uuid.uuid4().hex[:12]
        self.env = engine_env(
            **{
                **base,
                **derived,
                "RASA_LOCK_STORE_PREFIX": self.lock_prefix,
                "HAPROXY_PATH": haproxy_path() or "haproxy",
                "HAPROXY_STATS_PORT": str(free_port()),
                "PYTHONPATH": str(ROOT),
                "VAR_DIR": str(folder / "var"),
                "LOG_LEVEL": "INFO",
                **(extra_env or {}),
            }
        )
        self.log = folder / "honcho.log"
        self.honcho: subprocess.Popen[bytes] | None = None

    # -- addresses ------------------------------------------------------------------------

    @property
    def rasa_url(self) -> str:
        """Rasa behind the proxy, as the front end reaches it."""
        return self.env["RASA_URL"]

    @property
    def replica_urls(self) -> list[str]:
        """Every Rasa replica of the profile (RASA_URLS), running or not."""
        return self.env["RASA_URLS"].split(",")

    @property
    def action_url(self) -> str:
        return self.env["ACTION_ENDPOINT_URL"]

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.env['HAPROXY_STATS_PORT']}"

    def redis_lock_key(self, sender_id: str) -> str:
        """The key of one conversation's lock (Rasa's RedisLockStore with our prefix)."""
        return f"{self.lock_prefix}:lock:{sender_id}"

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 600) -> None:
        """Start honcho in a session of its own and wait until every started Rasa replica
        serves its model and the proxy forwards to Rasa and to the action servers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        empty_env_file = self.folder / "empty.env"
        empty_env_file.write_text("")
        with self.log.open("ab") as handle:
            self.honcho = subprocess.Popen(
                [
                    str(HONCHO),
                    "-f",
                    str(PROCFILE),
                    "-d",
                    str(ROOT),
                    "-e",
                    str(empty_env_file),
                    "start",
                    "--no-colour",
                    *self.processes,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        token = {"token": self.token}
        checks = [
            (f"{url}/status", token)
            for name, url in zip(("rasa1", "rasa2"), self.replica_urls, strict=True)
            if name in self.processes
        ]
        checks.append((f"{self.rasa_url}/status", token))
        checks.append((self.action_url.removesuffix("/webhook") + "/health", {}))
        deadline = time.monotonic() + timeout
        for url, params in checks:
            while True:
                if self.honcho.poll() is not None:
                    raise RuntimeError(f"honcho stopped before {url} answered:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, params=params, timeout=3).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer within {timeout:g} s\n{self.tail()}")
                time.sleep(0.5)
        # A replica answering is not yet in the proxy's rotation: its health check may have
        # marked it down while it loaded, and it comes back at the next check (2 s).
        started = {name for name in self.processes if name != "proxy"}
        while (down := started - self.in_rotation()) and time.monotonic() < deadline:
            time.sleep(0.5)
        if down:
            raise TimeoutError(f"the proxy does not forward to {sorted(down)}\n{self.tail()}")

    def in_rotation(self) -> set[str]:
        """The replicas the proxy sends requests to (UP in its statistics)."""
        with contextlib.suppress(httpx.HTTPError):
            rows = httpx.get(f"{self.stats_url}/stats;csv", timeout=3).text.splitlines()
            header = rows[0].lstrip("# ").split(",")
            cells = [dict(zip(header, row.split(","), strict=False)) for row in rows[1:]]
            return {c["svname"] for c in cells if c.get("status", "").startswith("UP")}
        return set()

    def stop(self) -> None:
        """Stop honcho as Ctrl-C does (it stops its processes), then anything left over
        (honcho starts each process in a session of its own)."""
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

    def tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def descendants(self) -> list[int]:
        """Every process below honcho."""
        if self.honcho is None:
            return []
        children: dict[int, list[int]] = {}
        for pid, (ppid, _args) in _processes().items():
            children.setdefault(ppid, []).append(pid)
        found: list[int] = []
        todo = [self.honcho.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return found

    def pids(self) -> dict[str, int]:
        """Each running program of the stack (not its shell or respawn wrapper), by
        Procfile name: for CPU figures and fault tests."""
        table = _processes()
        found: dict[str, int] = {}
        for pid in self.descendants():
            args = table.get(pid, (0, []))[1]
            if not args or Path(args[0]).name in ("sh", "bash", "dash", "sleep"):
                continue
            name = _procfile_name(args, self.env)
            if name:
                found[name] = pid
        return found


def _processes() -> dict[int, tuple[int, list[str]]]:
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
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        found[int(entry.name)] = (ppid, [a.decode(errors="replace") for a in argv if a])
    return found


def _procfile_name(args: list[str], env: dict[str, str]) -> str | None:
    """Which Procfile.production line started the program with these arguments."""
    joined = " ".join(args)
    if "haproxy" in Path(args[0]).name:
        return "proxy"
    port = args[args.index("--port") + 1] if "--port" in args else ""
    for name, variable in (
        ("rasa1", "RASA_1_PORT"),
        ("rasa2", "RASA_2_PORT"),
        ("actions1", "ACTIONS_1_PORT"),
        ("actions2", "ACTIONS_2_PORT"),
    ):
        if port == env[variable] and ("rasa" in joined or "bot" in joined):
            return name
    return None

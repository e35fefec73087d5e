"""The production profile as `make run PROFILE=production` starts it, for tests and
benchmarks: honcho on Procfile.production (every line under scripts/respawn.sh) running
haproxy, the Rasa replicas and the action servers (the Rasa tier), and on request the
Telegram front ends in webhook mode with the local Bot API stand-in as Telegram, on free
ports, with the environment bot/production.py derives (Redis lock store, RASA_URLS,
PostgreSQL pools, the stand-in's webhook URL and secret). The databases are the caller's
(`throwaway_databases` makes two on a PostgreSQL server); Rasa's locks get a key prefix of
their own on the shared Redis, so stacks never see each other's locks.
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
from devtools.devstack import ROOT, engine_env, free_port, processes, start_honcho

PROCFILE = ROOT / "Procfile.production"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
# What scripts/dev-env.sh gives the front ends without TELEGRAM_BOT_TOKEN (the stand-in).
LOCAL_BOT_TOKEN = "1000001:local-development-token"
# The servers of deploy/haproxy.cfg: each Procfile line of that name is one.
PROXIED = ("rasa1", "rasa2", "actions1", "actions2", "telegram1", "telegram2")


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
    """haproxy, Rasa replicas, action servers and front ends of Procfile.production under
    honcho.

    `processes` chooses which run: the default is the profile's Rasa tier, 2 + 2; leaving
    `rasa2` out measures one replica behind the same proxy (its health check keeps the
    missing one out of the rotation). WITH_FRONT_ENDS adds the two Telegram front ends and
    the local Bot API stand-in they take updates from (`local_api_url`, its chat page's
    endpoints for citizens), as `make run PROFILE=production` runs them without a token."""

    RASA_TIER = ("proxy", "rasa1", "rasa2", "actions1", "actions2")
    WITH_FRONT_ENDS = (*RASA_TIER, "botapi", "telegram1", "telegram2")

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
            "VAR_DIR": str(folder / "var"),
            **ports,
        }
        # No TELEGRAM_BOT_TOKEN in `base`: the stand-in's webhook URL and secret (in VAR_DIR).
        derived = production.environment(base)
        local_api_port = str(free_port())
        self.lock_prefix = "t" + uuid.uuid4().hex[:12]
        self.env = engine_env(
            **{
                **base,
                **derived,
                "RASA_LOCK_STORE_PREFIX": self.lock_prefix,
                "HAPROXY_PATH": haproxy_path() or "haproxy",
                "HAPROXY_STATS_PORT": str(free_port()),
                "PYTHONPATH": str(ROOT),
                "LOG_LEVEL": "INFO",
                # The local stand-in, as scripts/dev-env.sh sets it up without a token.
                "LOCAL_BOT_API_PORT": local_api_port,
                "TELEGRAM_BOT_TOKEN": LOCAL_BOT_TOKEN,
                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{local_api_port}/bot",
                "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{local_api_port}/file/bot",
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

    @property
    def local_api_url(self) -> str:
        """The local Bot API stand-in (`botapi`): its chat page and Bot API."""
        return f"http://127.0.0.1:{self.env['LOCAL_BOT_API_PORT']}"

    @property
    def webhook_url(self) -> str:
        """Where updates are posted: the proxy in front of the front ends."""
        return self.env["TELEGRAM_WEBHOOK_URL"]

    def redis_lock_key(self, sender_id: str) -> str:
        """The key of one conversation's lock (Rasa's RedisLockStore with our prefix)."""
        return f"{self.lock_prefix}:lock:{sender_id}"

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 600) -> None:
        """Start honcho in a session of its own and wait until every started Rasa replica
        serves its model, the proxy forwards to every started replica (Rasa, action
        servers, front ends) and, with the stand-in, a front end has set its webhook."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.honcho = start_honcho(PROCFILE, self.folder, self.env, self.processes, self.log)
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
        started = {name for name in self.processes if name in PROXIED}
        while (down := started - self.in_rotation()) and time.monotonic() < deadline:
            time.sleep(0.5)
        if down:
            raise TimeoutError(f"the proxy does not forward to {sorted(down)}\n{self.tail()}")
        if "botapi" in self.processes and started & {"telegram1", "telegram2"}:
            while self.webhook_at_stand_in() != self.webhook_url:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no front end set the webhook\n{self.tail()}")
                time.sleep(0.5)

    def webhook_at_stand_in(self) -> str:
        """The webhook URL the local Bot API stand-in posts to ("": none, or no answer)."""
        url = f"{self.local_api_url}/bot{self.env['TELEGRAM_BOT_TOKEN']}/getWebhookInfo"
        with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
            return str(httpx.get(url, timeout=3).json()["result"]["url"])
        return ""

    def in_rotation(self) -> set[str]:
        """The replicas the proxy sends requests to (UP in its statistics)."""
        with contextlib.suppress(httpx.HTTPError):
            return {c["svname"] for c in self.statistics() if c.get("status", "").startswith("UP")}
        return set()

    def requests_per_server(self, backend: str) -> dict[str, int]:
        """Requests the proxy has sent to each server of `backend` (rasa_replicas,
        action_servers, telegram_frontends) so far."""
        return {
            c["svname"]: int(c.get("stot") or 0)
            for c in self.statistics()
            if c.get("pxname") == backend and c.get("svname") not in ("FRONTEND", "BACKEND")
        }

    def statistics(self) -> list[dict[str, str]]:
        """The proxy's statistics, one row per frontend, backend and server (its CSV)."""
        rows = httpx.get(f"{self.stats_url}/stats;csv", timeout=10).text.splitlines()
        header = rows[0].lstrip("# ").split(",")
        return [dict(zip(header, row.split(","), strict=False)) for row in rows[1:]]

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
        for pid, (ppid, _args) in processes().items():
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
        table = processes()
        found: dict[str, int] = {}
        for pid in self.descendants():
            args = table.get(pid, (0, []))[1]
            if not args or Path(args[0]).name in ("sh", "bash", "dash", "sleep"):
                continue
            name = _procfile_name(pid, args, self.env)
            if name:
                found[name] = pid
        return found


def _procfile_name(pid: int, args: list[str], env: dict[str, str]) -> str | None:
    """Which Procfile.production line started the program with these arguments."""
    joined = " ".join(args)
    if "haproxy" in Path(args[0]).name:
        return "proxy"
    if "devtools.local_api" in args:
        return "botapi"
    if args[-3:] == ["-m", "bot", "telegram"]:  # the front ends differ by FRONTEND_PORT
        port = _environ(pid).get("FRONTEND_PORT")
        for name in ("telegram1", "telegram2"):
            if port == env[f"FRONTEND_{name[-1]}_PORT"]:
                return name
        return None
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


def _environ(pid: int) -> dict[str, str]:
    """The environment a process started with ({} when it is gone)."""
    try:
        raw = (Path("/proc") / str(pid) / "environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}

"""The production profile (`make run PROFILE=production`): what it needs from the environment
and what it derives for the processes of Procfile.production.

The profile runs 2 Rasa servers, 2 action servers and 2 Telegram front ends in webhook mode
behind haproxy (deploy/haproxy.cfg), our store and Rasa's tracker store on PostgreSQL and
Rasa's conversation locks in Redis, so that either Rasa server can take any message of any
conversation and either front end any update. It is a topology, not a mode of the code:
APP_ENV stays what it is (production for a real deployment; the tests run the profile with
APP_ENV=test).

Required (refused when missing, when a store points elsewhere than PostgreSQL, or when the
Rasa token is a placeholder):
  DATABASE_URL      our store, postgresql://...
  RASA_TRACKER_URL  Rasa's tracker store (endpoints.yml), postgresql://...
  REDIS_URL         redis://[user:password@]host:port/db, Rasa's lock store
  RASA_AUTH_TOKEN   the token of Rasa's HTTP API (no development token is generated here)
With TELEGRAM_BOT_TOKEN (real Telegram) also:
  TELEGRAM_WEBHOOK_URL     the public https:// address that Telegram posts updates to,
      ending in /telegram/webhook; the TLS terminator forwards it to FRONTEND_PORT (haproxy)
  TELEGRAM_WEBHOOK_SECRET  the webhook's secret token (32 or more of A-Z a-z 0-9 _ -)
Without TELEGRAM_BOT_TOKEN the local Bot API stand-in plays Telegram (scripts/dev-env.sh);
APP_ENV=production is refused then.

Derived (each kept when already set):
  RASA_LOCK_STORE (rasa_addons.lock_store.AtomicRedisLockStore: Rasa 3.6's RedisLockStore
      with atomic lock changes, see there why) and RASA_LOCK_STORE_HOST|PORT|DB|USERNAME|
      PASSWORD: REDIS_URL in the pieces it takes (endpoints.yml substitutes whole values);
  RASA_1_PORT, RASA_2_PORT (5011, 5012): the Rasa replicas, behind RASA_PORT (5005, haproxy);
  ACTIONS_1_PORT, ACTIONS_2_PORT (5061, 5062): the action servers, behind
      ACTION_SERVER_PORT (5055, haproxy), which ACTION_ENDPOINT_URL names;
  RASA_URLS: every replica, where `python -m bot model load` and the console's activation
      load a model (RASA_URL, the proxy, reaches only one of them per request);
  SQL_POOL_SIZE=5, SQL_MAX_OVERFLOW=5: each Rasa replica's PostgreSQL pool (Rasa's own
      variables; its defaults, 50 + 100 per replica, exceed a default max_connections of 100);
  FRONTEND_1_PORT, FRONTEND_2_PORT (8091, 8092): the Telegram front ends (each started with
      FRONTEND_PORT set to its own), behind FRONTEND_PORT (8090, haproxy), where the webhook
      requests arrive (the front ends' /healthz and /livez answer there too, from either);
  TELEGRAM_OVERALL_MAX_RATE (12.5): each front end's share of the bot's one Telegram send
      limit (bot.config's 25 per second, below Telegram's ~30): the limiter is per process,
      and two front ends at 25 each would send up to 50 per second and be answered 429;
  Without TELEGRAM_BOT_TOKEN: TELEGRAM_WEBHOOK_URL (http://127.0.0.1:FRONTEND_PORT/
      telegram/webhook, where the stand-in posts) and TELEGRAM_WEBHOOK_SECRET (generated once
      and kept, owner-only, in VAR_DIR/telegram_webhook_secret, as `make run` keeps its
      development Rasa token).

`python -m bot.production` prints the derived environment as shell `export` lines
(scripts/dev-env.sh evaluates them) or the refusals on stderr with exit status 1.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.config import (
    MIN_PRODUCTION_WEBHOOK_SECRET,
    PLACEHOLDER_MARKERS,
    PROJECT_ROOT,
    WEBHOOK_SECRET_RE,
    Settings,
)

REPLICAS = 2
LOCK_STORE = "rasa_addons.lock_store.AtomicRedisLockStore"
DEFAULT_PORTS = {
    "RASA_PORT": "5005",
    "RASA_1_PORT": "5011",
    "RASA_2_PORT": "5012",
    "ACTION_SERVER_PORT": "5055",
    "ACTIONS_1_PORT": "5061",
    "ACTIONS_2_PORT": "5062",
    "FRONTEND_PORT": "8090",
    "FRONTEND_1_PORT": "8091",
    "FRONTEND_2_PORT": "8092",
}
RASA_SQL_POOL = {"SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "5"}
# The bot's whole Telegram send rate: bot.config's default for a single front end.
TELEGRAM_BOT_MAX_RATE: float = Settings.model_fields["telegram_overall_max_rate"].default
MIN_TOKEN_CHARS = 16
# bot.telegram.app.WEBHOOK_PATH, not imported from there: that loads python-telegram-bot,
# seconds for every `make` target that sources scripts/dev-env.sh.
WEBHOOK_PATH = "/telegram/webhook"
# The local stand-in's webhook secret (no TELEGRAM_BOT_TOKEN), under VAR_DIR.
LOCAL_WEBHOOK_SECRET_FILE = "telegram_webhook_secret"
GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


class ProfileRefused(ValueError):
    """The environment cannot run the production profile; `problems` says why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _is_postgresql(url: str) -> bool:
    return urlsplit(url).scheme.split("+", 1)[0] in ("postgresql", "postgres")


def lock_store_environment(redis_url: str) -> dict[str, str]:
    """REDIS_URL as the pieces endpoints.yml hands to Rasa's RedisLockStore."""
    parts = urlsplit(redis_url)
    if parts.scheme != "redis":
        raise ProfileRefused(
            [
                f"REDIS_URL must be redis://host:port/db (got scheme {parts.scheme!r}; "
                "TLS to Redis is not configured by this profile)"
            ]
        )
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise ProfileRefused([f"REDIS_URL's database must be a number (got {db!r})"])
    return {
        "RASA_LOCK_STORE": LOCK_STORE,
        "RASA_LOCK_STORE_HOST": parts.hostname or "127.0.0.1",
        "RASA_LOCK_STORE_PORT": str(parts.port or 6379),
        "RASA_LOCK_STORE_DB": db,
        "RASA_LOCK_STORE_USERNAME": unquote(parts.username or ""),
        "RASA_LOCK_STORE_PASSWORD": unquote(parts.password or ""),
    }


def webhook_problems(env: Mapping[str, str]) -> list[str]:
    """What keeps the front ends from Telegram's webhook with a real bot token."""
    problems = []
    url = env.get("TELEGRAM_WEBHOOK_URL", "")
    parts = urlsplit(url)
    if not url:
        problems.append(
            "TELEGRAM_WEBHOOK_URL must be set with TELEGRAM_BOT_TOKEN: the public https:// "
            f"address of ...{WEBHOOK_PATH} that the TLS terminator forwards to FRONTEND_PORT "
            "(the proxy in front of the front ends)"
        )
    elif parts.scheme != "https" or not parts.hostname:
        problems.append("TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram posts only there)")
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "")
    if not secret:
        problems.append(
            f"TELEGRAM_WEBHOOK_SECRET must be set with TELEGRAM_BOT_TOKEN; generate one: "
            f"{GENERATE_SECRET}"
        )
    elif any(marker in secret.lower() for marker in PLACEHOLDER_MARKERS):
        problems.append("TELEGRAM_WEBHOOK_SECRET holds a placeholder")
    elif not WEBHOOK_SECRET_RE.fullmatch(secret):
        problems.append(
            "TELEGRAM_WEBHOOK_SECRET: Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and -"
        )
    elif len(secret) < MIN_PRODUCTION_WEBHOOK_SECRET:
        problems.append(
            f"TELEGRAM_WEBHOOK_SECRET must have at least {MIN_PRODUCTION_WEBHOOK_SECRET} "
            f"characters; generate one: {GENERATE_SECRET}"
        )
    return problems


def local_webhook_secret(var_dir: Path) -> str:
    """The local stand-in's webhook secret: the one kept in `var_dir`, else a new one kept
    there (owner-only), so that every process of this and later runs shares it."""
    path = var_dir / LOCAL_WEBHOOK_SECRET_FILE
    try:
        kept = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        kept = ""
    if WEBHOOK_SECRET_RE.fullmatch(kept):
        return kept
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(secret + "\n")
    return secret


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables the profile adds to `env`; ProfileRefused listing every problem.
    Without TELEGRAM_BOT_TOKEN, the local stand-in's webhook secret may be written to
    VAR_DIR (local_webhook_secret)."""
    problems = []
    for name in ("DATABASE_URL", "RASA_TRACKER_URL"):
        value = env.get(name, "")
        if not value:
            problems.append(f"{name} must be set (postgresql://...)")
        elif not _is_postgresql(value):
            problems.append(f"{name} must point at PostgreSQL (postgresql://...)")
    token = env.get("RASA_AUTH_TOKEN", "")
    if not token:
        problems.append("RASA_AUTH_TOKEN must be set (the token of Rasa's HTTP API)")
    elif any(marker in token.lower() for marker in PLACEHOLDER_MARKERS):
        problems.append("RASA_AUTH_TOKEN holds a placeholder")
    elif len(token) < MIN_TOKEN_CHARS:
        problems.append(f"RASA_AUTH_TOKEN must have at least {MIN_TOKEN_CHARS} characters")
    local_telegram = not env.get("TELEGRAM_BOT_TOKEN")
    if not local_telegram:
        problems.extend(webhook_problems(env))
    elif env.get("APP_ENV") == "production":
        problems.append(
            "APP_ENV=production needs TELEGRAM_BOT_TOKEN (without it the local Bot API "
            "stand-in plays Telegram, for trying the profile)"
        )
    elif env.get("TELEGRAM_WEBHOOK_SECRET") and not WEBHOOK_SECRET_RE.fullmatch(
        env["TELEGRAM_WEBHOOK_SECRET"]
    ):
        problems.append(
            "TELEGRAM_WEBHOOK_SECRET: Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and -"
        )
    derived: dict[str, str] = {}
    redis_url = env.get("REDIS_URL", "")
    if not redis_url:
        problems.append("REDIS_URL must be set (redis://host:port/db, Rasa's lock store)")
    else:
        try:
            derived.update(lock_store_environment(redis_url))
        except ProfileRefused as refused:
            problems.extend(refused.problems)
    ports = {name: env.get(name) or default for name, default in DEFAULT_PORTS.items()}
    for name, value in ports.items():
        if not value.isdigit():
            problems.append(f"{name} must be a port number (got {value!r})")
    if len(set(ports.values())) != len(ports):
        problems.append(f"the profile's ports must differ: {ports}")
    if problems:
        raise ProfileRefused(problems)
    derived.update(ports)
    derived["RASA_URL"] = env.get("RASA_URL") or f"http://127.0.0.1:{ports['RASA_PORT']}"
    derived["RASA_URLS"] = env.get("RASA_URLS") or ",".join(
        f"http://127.0.0.1:{ports[f'RASA_{i}_PORT']}" for i in range(1, REPLICAS + 1)
    )
    derived["ACTION_ENDPOINT_URL"] = (
        env.get("ACTION_ENDPOINT_URL") or f"http://127.0.0.1:{ports['ACTION_SERVER_PORT']}/webhook"
    )
    for name, default in RASA_SQL_POOL.items():
        derived[name] = env.get(name) or default
    derived["TELEGRAM_OVERALL_MAX_RATE"] = env.get("TELEGRAM_OVERALL_MAX_RATE") or str(
        TELEGRAM_BOT_MAX_RATE / REPLICAS
    )
    if local_telegram:
        derived["TELEGRAM_WEBHOOK_URL"] = (
            env.get("TELEGRAM_WEBHOOK_URL")
            or f"http://127.0.0.1:{ports['FRONTEND_PORT']}{WEBHOOK_PATH}"
        )
        derived["TELEGRAM_WEBHOOK_SECRET"] = env.get(
            "TELEGRAM_WEBHOOK_SECRET"
        ) or local_webhook_secret(Path(env.get("VAR_DIR") or PROJECT_ROOT / "var"))
    return derived


def main(argv: list[str] | None = None) -> int:
    """Print the derived environment as `export` lines, or the refusals."""
    try:
        derived = environment(os.environ)
    except ProfileRefused as refused:
        print("The production profile cannot start:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    for name, value in derived.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

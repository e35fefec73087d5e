"""Service configuration, read from the environment (and an optional `.env` file)."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values that must never reach production: the ones shipped in .env.example.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "your-", "xxx")
# The token of Rasa's HTTP API that `make run` generates in development when RASA_AUTH_TOKEN
# is empty, kept here by scripts/dev-env.sh for the commands run from another terminal.
DEV_RASA_TOKEN_FILE = PROJECT_ROOT / "var" / "rasa_auth_token"
# Telegram's rule for setWebhook's secret_token, and production's minimum length.
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
MIN_PRODUCTION_WEBHOOK_SECRET = 32


class Settings(BaseSettings):
    """All settings of the service. Every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    app_env: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'layanan.db'}"
    # Each process's connection pool per PostgreSQL database (SQLAlchemy's QueuePool: kept
    # open, and opened beyond it under load); docs/deployment.md sums them per deployment.
    # SQLite ignores them.
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    catalogue_path: Path = PROJECT_ROOT / "data" / "services.yml"
    # A catalogue fact checked longer ago than this is listed on the console's
    # /admin/layanan/perlu-diperiksa (bot.officer.catalogue_admin).
    fact_max_age_days: int = Field(default=180, ge=1, le=3650)
    holidays_path: Path = PROJECT_ROOT / "data" / "holidays.yml"
    var_dir: Path = PROJECT_ROOT / "var"
    # Empty or unset: the Rasa server on RASA_PORT of this machine (as `make run` starts it).
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_port: int = 5005
    # Every Rasa replica, comma-separated (the production profile: behind RASA_URL's proxy,
    # which reaches one per request): where a model is loaded (`python -m bot model load`,
    # the console's activation). Empty: RASA_URL alone.
    rasa_urls: str = ""
    # The models folder Rasa serves from (relative to the project or absolute), shared by
    # every replica at the same path. Empty: models/.
    models_dir: str = ""
    # Token of Rasa's HTTP API (`rasa run --auth-token`), sent as `?token=`. Required in
    # production: without it anyone reaching Rasa's port reads every conversation. Empty in
    # development: the one `make run` generated (DEV_RASA_TOKEN_FILE), if there is one.
    rasa_auth_token: str = ""
    # Rasa's conversation store (endpoints.yml); the front end deletes a citizen's
    # conversation there when they ask for their data to be deleted.
    rasa_tracker_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa_tracker.db'}"
    action_server_port: int = 5055
    action_endpoint_url: str = "http://127.0.0.1:5055/webhook"
    timezone: str = "Asia/Jakarta"
    verification_working_days: int = Field(default=3, ge=1)
    followup_working_days: int = Field(default=5, ge=1)
    citizen_reply_working_days: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    secret_key: str = "change-me-dev-only"
    telegram_bot_token: str = ""
    # python-telegram-bot's form: the token is appended. Point both at a local Bot API
    # server (ours: `python -m devtools.local_api`, or Telegram's telegram-bot-api).
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str = ""  # empty: long polling
    # Webhook mode only, required there: Telegram sends it in X-Telegram-Bot-Api-Secret-Token
    # with every update; a request without it is refused (bot.telegram.app).
    telegram_webhook_secret: str = ""
    # How many webhook requests Telegram keeps open at once (its default, 40; 1-100).
    telegram_webhook_max_connections: int = Field(default=40, ge=1, le=100)
    frontend_host: str = "127.0.0.1"
    frontend_port: int = 8090  # health endpoint, and the webhook receiver in webhook mode
    rasa_timeout_s: float = Field(default=15.0, gt=0)
    rasa_retry_max_delay_s: float = Field(default=60.0, gt=0)
    max_photo_bytes: int = 10 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024
    telegram_overall_max_rate: float = 25.0  # messages per second, all chats
    telegram_group_max_rate: float = 18.0  # messages per minute, per group
    outbox_poll_s: float = Field(default=1.0, gt=0)
    # Per-chat rate limit of the front end (bot.telegram.throttle): this many updates of
    # one sender at once, then one every CHAT_RATE_INTERVAL_S; texts over it are coalesced
    # into one turn, nothing is dropped. An interval of 0 turns the limit off.
    chat_rate_burst: int = Field(default=10, ge=1)
    chat_rate_interval_s: float = Field(default=1.0, ge=0)
    outbox_max_attempts: int = 8
    # A front end's claim on an outbox message it is sending (bot.store.outbox): when it
    # dies, another front end sends the message once this has passed.
    outbox_lease_s: float = Field(default=60.0, gt=0)
    # Inbox deduplication and retention (README, "Retention").
    inbox_dedup_hours: float = Field(default=48.0, gt=0)
    # An update stored but not finished within this many seconds was abandoned (its front
    # end died) and is handled again (bot.store.inbox): longer than one Rasa call.
    inbox_claim_lease_s: float = Field(default=60.0, ge=5, le=3600)
    inbox_raw_retention_days: float = Field(default=7.0, gt=0)
    inbox_retention_days: float = Field(default=30.0, gt=0)
    outbox_retention_days: float = Field(default=30.0, gt=0)
    # Officer console (bot/officer).
    console_host: str = "127.0.0.1"
    console_port: int = 8080
    console_base_url: str = ""  # public address for links in unit notices; default host:port
    console_session_hours: float = Field(default=10.0, gt=0)
    console_cookie_secure: bool | None = None  # default: True in production
    console_page_size: int = Field(default=50, ge=5, le=500)
    console_notify_poll_s: float = Field(default=10.0, gt=0)
    # Live chat with an officer (bot.handoff): a chat nobody takes within this ends honestly.
    handoff_take_timeout_s: float = Field(default=180.0, gt=0)
    # Ended live chats lose their messages' text and whom they were with after this
    # (bot.store.retention; README, "Retention").
    live_chat_retention_days: float = Field(default=30.0, gt=0)
    # The test stack only (APP_ENV=test): the "now" of the live chat's service-hours check
    # (bot.handoff.hours.service_now), so conversations about asking for a person do not
    # depend on the time the suite runs. Refused in any other environment.
    test_fixed_now: datetime | None = None
    resolution_days_path: Path = PROJECT_ROOT / "data" / "resolution_days.yml"
    # Trainers' NLU review inbox (bot.training.inbox; README, "Retention").
    nlu_review_threshold: float = Field(default=0.6, ge=0, le=1)
    nlu_review_retention_days: float = Field(default=90.0, gt=0)
    nlu_review_poll_s: float = Field(default=60.0, gt=0)
    # The public transparency page (bot.transparency): how long its figures are kept.
    transparency_cache_s: float = Field(default=300.0, gt=0)
    # Model lifecycle (bot.training.activation): a new model whose intent accuracy or entity
    # F1 on a held-out set is more than this below the served model's is not activated
    # unless a supervisor overrides with a reason.
    model_activation_margin: float = Field(default=0.01, ge=0, le=1)

    @property
    def rasa_replica_urls(self) -> list[str]:
        """Every Rasa replica a model is loaded into: RASA_URLS, else RASA_URL."""
        return [u.strip() for u in self.rasa_urls.split(",") if u.strip()] or [self.rasa_url]

    @property
    def attachments_dir(self) -> Path:
        """Where photos and documents sent with complaints are stored."""
        return self.var_dir / "attachments"

    @property
    def console_url(self) -> str:
        """Where the officer console is reached (links in unit group notices)."""
        return (self.console_base_url or f"http://{self.console_host}:{self.console_port}").rstrip(
            "/"
        )

    @property
    def console_secure_cookies(self) -> bool:
        """Session cookies carry `Secure` in production unless explicitly configured."""
        if self.console_cookie_secure is not None:
            return self.console_cookie_secure
        return self.app_env == "production"

    @property
    def failed_submissions_path(self) -> Path:
        """Where submissions that could not be stored are kept so nothing is lost."""
        return self.var_dir / "failed_submissions.jsonl"

    @model_validator(mode="after")
    def _retention_keeps_what_deduplication_needs(self) -> Settings:
        if self.inbox_claim_lease_s <= self.rasa_timeout_s:
            raise ValueError(
                "INBOX_CLAIM_LEASE_S must be longer than RASA_TIMEOUT_S: a live turn would be "
                "taken for abandoned and handled twice"
            )
        if self.inbox_retention_days * 24 < self.inbox_dedup_hours:
            raise ValueError(
                "INBOX_RETENTION_DAYS must cover INBOX_DEDUP_HOURS: deleting inbox rows "
                "earlier would let a redelivered update through twice"
            )
        if self.inbox_raw_retention_days > self.inbox_retention_days:
            raise ValueError("INBOX_RAW_RETENTION_DAYS cannot exceed INBOX_RETENTION_DAYS")
        return self

    @model_validator(mode="after")
    def _the_rasa_of_make_run(self) -> Settings:
        """Find `make run`'s Rasa as scripts/dev-env.sh shows it to the processes it starts,
        so that a command run from another terminal (`make train`, `python -m bot nlu
        activate`) reaches it without that script: the server on RASA_PORT unless RASA_URL
        says otherwise, and in development without RASA_AUTH_TOKEN the token it generated."""
        if not self.rasa_url or "rasa_url" not in self.model_fields_set:
            self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        if not self.rasa_auth_token and self.app_env == "development":
            with contextlib.suppress(OSError):  # none yet: no `make run` has started Rasa
                self.rasa_auth_token = DEV_RASA_TOKEN_FILE.read_text(encoding="utf-8").strip()
        return self

    @model_validator(mode="after")
    def _fixed_clock_only_in_tests(self) -> Settings:
        if self.test_fixed_now is not None and self.app_env != "test":
            raise ValueError("TEST_FIXED_NOW is for the test stack only (APP_ENV=test)")
        if self.test_fixed_now is not None and self.test_fixed_now.tzinfo is None:
            raise ValueError("TEST_FIXED_NOW needs a time zone, e.g. 2026-12-01T09:30:00+07:00")
        return self

    @model_validator(mode="after")
    def _webhook_needs_its_secret(self) -> Settings:
        """Webhook mode needs a secret token in every environment: without one, anyone who
        reaches the front end's port can post updates as any citizen. Telegram accepts
        1-256 characters A-Z, a-z, 0-9, _ and -; production asks for 32 or more (what
        `secrets.token_urlsafe(32)` gives is 43) and an HTTPS URL (Telegram's rule)."""
        if not self.telegram_webhook_url:
            return self
        secret = self.telegram_webhook_secret
        if not secret:
            raise ValueError(
                "TELEGRAM_WEBHOOK_URL is set (webhook mode) but TELEGRAM_WEBHOOK_SECRET is "
                "empty; generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if not WEBHOOK_SECRET_RE.fullmatch(secret):
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET: Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and -"
            )
        if self.app_env == "production":
            if len(secret) < MIN_PRODUCTION_WEBHOOK_SECRET:
                raise ValueError(
                    f"TELEGRAM_WEBHOOK_SECRET is too short for production "
                    f"({len(secret)} < {MIN_PRODUCTION_WEBHOOK_SECRET} characters)"
                )
            if not self.telegram_webhook_url.startswith("https://"):
                raise ValueError("TELEGRAM_WEBHOOK_URL must be an https:// URL in production")
        return self

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.app_env != "production":
            return self
        secrets = {
            "SECRET_KEY": self.secret_key,
            "TELEGRAM_BOT_TOKEN": self.telegram_bot_token,
            "RASA_AUTH_TOKEN": self.rasa_auth_token,
        }
        if self.telegram_webhook_url:
            secrets["TELEGRAM_WEBHOOK_SECRET"] = self.telegram_webhook_secret
        bad = [
            name
            for name, value in secrets.items()
            if not value or any(marker in value.lower() for marker in PLACEHOLDER_MARKERS)
        ]
        if bad:
            raise ValueError(
                "refusing to start in production with missing or placeholder secrets: "
                + ", ".join(bad)
            )
        if self.database_url.startswith("sqlite"):
            raise ValueError("production needs DATABASE_URL pointing at PostgreSQL")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

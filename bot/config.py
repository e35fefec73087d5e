"""Service configuration, read from the environment (and an optional `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values that must never reach production: the ones shipped in .env.example.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "your-", "xxx")


class Settings(BaseSettings):
    """All settings of the service. Every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    app_env: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'layanan.db'}"
    catalogue_path: Path = PROJECT_ROOT / "data" / "services.yml"
    holidays_path: Path = PROJECT_ROOT / "data" / "holidays.yml"
    var_dir: Path = PROJECT_ROOT / "var"
    rasa_url: str = "http://127.0.0.1:5005"
    # Token of Rasa's HTTP API (`rasa run --auth-token`), sent as `?token=`. Required in
    # production: without it anyone reaching Rasa's port reads every conversation.
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
    telegram_webhook_secret: str = ""
    frontend_host: str = "127.0.0.1"
    frontend_port: int = 8090  # health endpoint, and the webhook receiver in webhook mode
    rasa_timeout_s: float = Field(default=15.0, gt=0)
    rasa_retry_max_delay_s: float = Field(default=60.0, gt=0)
    max_photo_bytes: int = 10 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024
    telegram_overall_max_rate: float = 25.0  # messages per second, all chats
    telegram_group_max_rate: float = 18.0  # messages per minute, per group
    outbox_poll_s: float = Field(default=1.0, gt=0)
    outbox_max_attempts: int = 8
    # Inbox deduplication and retention (README, "Retention").
    inbox_dedup_hours: float = Field(default=48.0, gt=0)
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
    resolution_days_path: Path = PROJECT_ROOT / "data" / "resolution_days.yml"
    # Trainers' NLU review inbox (bot.training.inbox; README, "Retention").
    nlu_review_threshold: float = Field(default=0.6, ge=0, le=1)
    nlu_review_retention_days: float = Field(default=90.0, gt=0)
    nlu_review_poll_s: float = Field(default=60.0, gt=0)

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
        if self.inbox_retention_days * 24 < self.inbox_dedup_hours:
            raise ValueError(
                "INBOX_RETENTION_DAYS must cover INBOX_DEDUP_HOURS: deleting inbox rows "
                "earlier would let a redelivered update through twice"
            )
        if self.inbox_raw_retention_days > self.inbox_retention_days:
            raise ValueError("INBOX_RAW_RETENTION_DAYS cannot exceed INBOX_RETENTION_DAYS")
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

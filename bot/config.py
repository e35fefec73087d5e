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
    action_server_port: int = 5055
    timezone: str = "Asia/Jakarta"
    verification_working_days: int = Field(default=3, ge=1)
    followup_working_days: int = Field(default=5, ge=1)
    log_level: str = "INFO"
    secret_key: str = "change-me-dev-only"
    telegram_bot_token: str = ""

    @property
    def failed_submissions_path(self) -> Path:
        """Where submissions that could not be stored are kept so nothing is lost."""
        return self.var_dir / "failed_submissions.jsonl"

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.app_env != "production":
            return self
        secrets = {"SECRET_KEY": self.secret_key, "TELEGRAM_BOT_TOKEN": self.telegram_bot_token}
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

"""Settings: production refuses placeholder secrets and SQLite."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings

GOOD = {
    "app_env": "production",
    "secret_key": "k8Jr2mX0qv7Lw9pT4nZc1sYb6hGd3fEa",
    "telegram_bot_token": "123456789:AAH3kq8ZbX2mN7pR1sT5vW9yC4dF6gJ0lQe",
    "database_url": "postgresql://layanan:pw@db:5432/layanan",
}


def test_production_with_real_secrets_starts() -> None:
    assert Settings(**GOOD).app_env == "production"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("secret_key", "change-me-to-a-long-random-string"),
        ("secret_key", ""),
        ("telegram_bot_token", ""),
        ("database_url", "sqlite:///var/layanan.db"),
    ],
)
def test_production_refuses_placeholders(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match="production"):
        Settings(**{**GOOD, field: value})


def test_webhook_mode_in_production_needs_a_secret() -> None:
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(**GOOD, telegram_webhook_url="https://aduan.example.go.id/telegram/webhook")


def test_development_accepts_the_defaults() -> None:
    assert Settings(app_env="development").secret_key

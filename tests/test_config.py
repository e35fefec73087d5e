"""Settings: production refuses placeholder secrets and SQLite; retention periods are
consistent with deduplication."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from honcho.environ import parse_procfile
from pydantic import ValidationError

from bot import config
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent

GOOD = {
    "app_env": "production",
    "secret_key": "k8Jr2mX0qv7Lw9pT4nZc1sYb6hGd3fEa",
    "telegram_bot_token": "123456789:AAH3kq8ZbX2mN7pR1sT5vW9yC4dF6gJ0lQe",
    "database_url": "postgresql://layanan:pw@db:5432/layanan",
    "rasa_auth_token": "Zq4vN8cR2wX6mT0pL5sK9dJ3hF7gB1yA",
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
        ("rasa_auth_token", ""),
        ("rasa_auth_token", "change-me-rasa-token"),
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


def test_production_names_the_missing_rasa_token() -> None:
    with pytest.raises(ValidationError, match="RASA_AUTH_TOKEN"):
        Settings(**{**GOOD, "rasa_auth_token": ""})


def test_development_runs_without_a_rasa_token_and_uses_one_when_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "DEV_RASA_TOKEN_FILE", tmp_path / "none")  # no make run yet
    assert Settings(app_env="development", rasa_auth_token="").rasa_auth_token == ""
    assert Settings(app_env="development", rasa_auth_token="t0k").rasa_auth_token == "t0k"


def test_development_finds_the_token_make_run_generated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without RASA_AUTH_TOKEN, `make run` generates one (scripts/dev-env.sh); a command in
    another terminal uses it to reach that Rasa, in development only."""
    token_file = tmp_path / "rasa_auth_token"
    token_file.write_text("generated-by-make-run\n")
    monkeypatch.setattr(config, "DEV_RASA_TOKEN_FILE", token_file)
    assert Settings(app_env="development", rasa_auth_token="").rasa_auth_token == (
        "generated-by-make-run"
    )
    assert Settings(app_env="development", rasa_auth_token="t0k").rasa_auth_token == "t0k"
    assert Settings(app_env="test", rasa_auth_token="").rasa_auth_token == ""
    with pytest.raises(ValidationError, match="RASA_AUTH_TOKEN"):
        Settings(**{**GOOD, "rasa_auth_token": ""})


def test_rasa_url_follows_rasa_port_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """As scripts/dev-env.sh derives it for the processes of `make run`."""
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.delenv("RASA_PORT", raising=False)
    assert Settings(_env_file=None).rasa_url == "http://127.0.0.1:5005"
    assert Settings(_env_file=None, rasa_port=15005).rasa_url == "http://127.0.0.1:15005"
    assert Settings(_env_file=None, rasa_port=15005, rasa_url="").rasa_url == (
        "http://127.0.0.1:15005"
    )
    assert Settings(_env_file=None, rasa_port=15005, rasa_url="http://rasa:5005").rasa_url == (
        "http://rasa:5005"
    )


def test_retention_defaults() -> None:
    settings = Settings(app_env="development")
    assert settings.inbox_dedup_hours == 48
    assert settings.inbox_raw_retention_days == 7
    assert settings.inbox_retention_days == 30
    assert settings.outbox_retention_days == 30


def test_inbox_rows_are_kept_at_least_as_long_as_the_dedup_window() -> None:
    with pytest.raises(ValidationError, match="INBOX_DEDUP_HOURS"):
        Settings(app_env="development", inbox_dedup_hours=72, inbox_retention_days=2)


def test_raw_updates_are_not_kept_longer_than_their_rows() -> None:
    with pytest.raises(ValidationError, match="INBOX_RAW_RETENTION_DAYS"):
        Settings(app_env="development", inbox_raw_retention_days=40, inbox_retention_days=30)


def test_log_format_is_text_or_json() -> None:
    assert Settings(app_env="development").log_format == "text"
    assert Settings(app_env="development", log_format="json").log_format == "json"
    with pytest.raises(ValidationError):
        Settings(app_env="development", log_format="xml")


def rasa_arguments(procfile: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The arguments the Procfile's `rasa` line passes, as the shell expands them (printed
    instead of starting Rasa)."""
    command = parse_procfile((ROOT / procfile).read_text()).processes["rasa"]
    environment = {k: v for k, v in os.environ.items() if k != "RASA_AUTH_TOKEN"} | env
    return subprocess.run(
        ["sh", "-c", "printf '%s\\n' " + command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.local"])
def test_rasa_is_started_with_the_api_token(procfile: str) -> None:
    started = rasa_arguments(procfile, RASA_AUTH_TOKEN="Zq4vN8cR2wX6mT0pL5sK9dJ3hF7gB1yA")
    assert started.returncode == 0, started.stderr
    arguments = started.stdout.splitlines()
    assert "--enable-api" in arguments
    assert arguments[arguments.index("--auth-token") + 1] == "Zq4vN8cR2wX6mT0pL5sK9dJ3hF7gB1yA"


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.local"])
def test_rasa_refuses_to_start_without_the_api_token(procfile: str) -> None:
    refused = rasa_arguments(procfile)
    assert refused.returncode != 0
    assert refused.stdout == ""  # nothing was started
    assert "RASA_AUTH_TOKEN" in refused.stderr


def test_the_inbox_claim_outlasts_one_rasa_call() -> None:
    """A claim shorter than a Rasa call would hand a live turn to another worker."""
    assert Settings(inbox_claim_lease_s=30, rasa_timeout_s=20).inbox_claim_lease_s == 30
    with pytest.raises(ValidationError, match="INBOX_CLAIM_LEASE_S"):
        Settings(inbox_claim_lease_s=15, rasa_timeout_s=15)

"""Logs: quiet by default (no scheduler or migration chatter), verbose with LOG_LEVEL=DEBUG,
JSON with LOG_FORMAT=json, and no secrets in any line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.logging_config import CHATTY_LOGGERS, configure_logging
from devtools.devstack import free_port, start_action_server, stop, wait_http

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Give the root logger and the chatty loggers back as they were."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in CHATTY_LOGGERS}
    yield
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` on a fresh SQLite database, output captured."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'layanan.db'}",
        "APP_ENV": "development",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_cli_call_prints_no_migration_chatter(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert "alembic" not in result.stderr, result.stderr
    assert result.stderr.strip() == ""
    assert result.stdout.strip() == "database is up to date"


def test_debug_shows_the_migration_steps(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr
    assert "Running upgrade" in result.stderr


def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", LOG_LEVEL="DEBUG", LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert lines
    upgrade = next(line for line in lines if "Running upgrade" in line["message"])
    assert upgrade["level"] == "INFO"
    assert upgrade["logger"].startswith("alembic")
    assert upgrade["time"]


async def test_scheduled_jobs_run_without_a_log_line(restore_logging: None) -> None:
    """The front end's jobs run every second: apscheduler must not narrate each run."""
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    scheduler = AsyncIOScheduler()
    ran = asyncio.Event()
    scheduler.add_job(ran.set)
    scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=30)
        logging.getLogger("bot.telegram.app").info("webhook mode: a meaningful event")
    finally:
        scheduler.shutdown(wait=False)
    assert stream.getvalue().splitlines() == [
        line for line in stream.getvalue().splitlines() if "meaningful event" in line
    ]
    assert "meaningful event" in stream.getvalue()


async def test_debug_lets_the_scheduler_speak(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream)
    scheduler = AsyncIOScheduler()
    ran = asyncio.Event()
    scheduler.add_job(ran.set)
    scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=30)
    finally:
        scheduler.shutdown(wait=False)
    assert "apscheduler" in stream.getvalue()


def test_tokens_never_reach_the_log(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    log = logging.getLogger("bot.test")
    log.warning(
        "getUpdates failed: %s",
        "POST http://127.0.0.1:8081/bot123456:AAH3kq8ZbX2mN7pR1sT5v/getUpdates",
    )
    log.warning("Rasa: GET http://127.0.0.1:5005/status?token=s3cr3t-rasa&x=1 401")
    try:
        raise RuntimeError("file at /file/bot123456:AAH3kq8ZbX2mN7pR1sT5v/photos/1.jpg")
    except RuntimeError:
        log.exception("download failed")
    output = stream.getvalue()
    assert "AAH3kq8ZbX2mN7pR1sT5v" not in output and "s3cr3t-rasa" not in output
    assert "bot123456:***" in output and "token=***" in output


def test_the_action_server_logs_no_line_per_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa calls the action server on every turn: no access line per call, and no list
    of every registered action at start."""
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    monkeypatch.setenv("LOG_FORMAT", "text")
    port = free_port()
    log = tmp_path / "actions.log"
    server = start_action_server(port, f"sqlite:///{tmp_path / 'layanan.db'}", log)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 120, server)
        for _ in range(3):
            wait_http(f"http://127.0.0.1:{port}/actions", 10, server)
    finally:
        stop(server)
    output = log.read_text()
    assert "Action endpoint is up and running" in output  # the meaningful line stays
    assert "sanic.access" not in output, output
    assert "Registered function" not in output, output

"""Rasa and our action server as subprocesses on free ports, sharing one fresh SQLite
database: the stack the end-to-end and Telegram tests talk to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.store.db import prepare_database
from devtools.devstack import Servers, ensure_model


@contextmanager
def rasa_stack(
    folder: Path, rasa_auth_token: str = "", database_url: str = ""
) -> Iterator[Servers]:
    """Train the model if needed, start both servers on `folder/stack.db` (migrated and
    seeded) or on `database_url` (prepared by the caller), stop them on exit. With
    `rasa_auth_token` Rasa's HTTP API needs the token, as in production. If a server does
    not come up, the tails of its log are printed."""
    ensure_model()
    if not database_url:
        database_url = f"sqlite:///{folder / 'stack.db'}"
        prepare_database(database_url, seed="always")
    running = Servers(folder, database_url, rasa_auth_token=rasa_auth_token)
    try:
        running.start_actions()
        running.start_rasa()
    except Exception:
        running.stop_all()
        for log in ("actions.log", "rasa.log"):
            path = folder / log
            if path.exists():
                print(f"--- {log}\n" + path.read_text(errors="replace")[-4000:])
        raise
    try:
        yield running
    finally:
        running.stop_all()

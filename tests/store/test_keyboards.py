"""Sent keyboards (bot.store.inbox: what a pressed button means) on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.store.inbox import KeyboardRepository
from bot.store.repository import Repository


def test_a_keyboard_can_be_used_once(repo: Repository) -> None:
    m = KeyboardRepository(repo.engine)
    m.remember(42, 900, ["Ya", "Batal"], ["/affirm", "/cancel"])
    assert m.use_button(42, 900, 1) == ("Batal", "/cancel")
    assert m.use_button(42, 900, 0) is None
    assert m.use_button(42, 901, 0) is None

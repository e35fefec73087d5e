"""Consent to the privacy notice on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.consent import NOTICE_REMEMBERED, ConsentRepository
from bot.store.inbox import InboxRepository
from bot.store.models import Citizen, InboxMessage, utcnow
from bot.store.repository import Repository


def test_consent_is_recorded_once_given(repo: Repository) -> None:
    consent = ConsentRepository(repo.engine)
    assert not consent.consented("42")
    consent.record("42", 42, "Siti Aminah")
    assert consent.consented("42")
    with Session(repo.engine) as s:
        citizen = s.scalar(select(Citizen).where(Citizen.sender_id == "42"))
    assert citizen is not None and citizen.display_name == "Siti Aminah"


def test_asked_while_a_message_waits_for_the_notice_or_was_refused(repo: Repository) -> None:
    """D3b: whether the notice was shown lately without consent (a reminder then, not the
    whole notice): a message held for it or refused with it, of the last day only."""
    consent = ConsentRepository(repo.engine)
    inbox = InboxRepository(repo.engine, 1)

    def message(update_id: int, sender: str) -> int:
        stored = inbox.store_update(update_id, {"update_id": update_id}, "message", sender, 1)
        assert stored is not None
        return stored.inbox_id

    message(1, "42")
    assert not consent.asked("42")  # received, not held: no notice yet
    inbox.hold(message(2, "42"), "syarat ktp")
    assert consent.asked("42")
    assert not consent.asked("43")
    inbox.decline_held("42")
    assert consent.asked("42")
    with Session(repo.engine) as s, s.begin():
        s.execute(
            update(InboxMessage)
            .where(InboxMessage.sender_id == "42")
            .values(created_at=utcnow() - NOTICE_REMEMBERED - timedelta(minutes=1))
        )
    assert not consent.asked("42")  # a day later the whole notice again

"""Consent to the privacy notice on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.consent import ConsentRepository
from bot.store.models import Citizen
from bot.store.repository import Repository


def test_consent_is_recorded_once_given(repo: Repository) -> None:
    consent = ConsentRepository(repo.engine)
    assert not consent.consented("42")
    consent.record("42", 42, "Siti Aminah")
    assert consent.consented("42")
    with Session(repo.engine) as s:
        citizen = s.scalar(select(Citizen).where(Citizen.sender_id == "42"))
    assert citizen is not None and citizen.display_name == "Siti Aminah"

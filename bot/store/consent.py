"""The citizen's consent to the privacy notice (nothing reaches Rasa before it)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, InboxMessage, utcnow

# How long a notice left unanswered or refused is remembered: a citizen who writes again
# within it is reminded in a line; after it, they see the whole notice again.
NOTICE_REMEMBERED = timedelta(hours=24)


class ConsentRepository:
    """Who agreed to the privacy notice, and when."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def consented(self, sender_id: str) -> bool:
        """True once the citizen agreed to the privacy notice."""
        with Session(self.engine) as s:
            consent = s.scalar(select(Citizen.consent_at).where(Citizen.sender_id == sender_id))
            return consent is not None

    def asked(self, sender_id: str, within: timedelta = NOTICE_REMEMBERED) -> bool:
        """True when the citizen was shown the privacy notice lately and did not agree: a
        message of theirs from within `within` is held for it or was refused with it
        (every notice is sent with a held message, bot.telegram.deps)."""
        with Session(self.engine) as s:
            found = s.scalar(
                select(InboxMessage.id)
                .where(
                    InboxMessage.sender_id == sender_id,
                    InboxMessage.status.in_(("held", "declined")),
                    InboxMessage.created_at >= utcnow() - within,
                )
                .limit(1)
            )
            return found is not None

    def record(self, sender_id: str, telegram_user_id: int, name: str | None) -> None:
        """Create or update the citizen with their consent time."""
        with Session(self.engine) as s, s.begin():
            citizen = s.scalar(select(Citizen).where(Citizen.sender_id == sender_id))
            if citizen is None:
                citizen = Citizen(sender_id=sender_id, telegram_user_id=telegram_user_id)
                s.add(citizen)
            citizen.display_name = name
            citizen.consent_at = utcnow()
            citizen.blocked_bot = False

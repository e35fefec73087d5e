"""UU PDP deletion: the citizen's personal data removed from every table of our store.

(Rasa's conversation store is cleared separately, `bot.store.rasa_tracker`; the
trainers' review items, masked, are found by the keyed hash of the sender id.)
"""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.handoff.chats import forget_sender as forget_live_chats
from bot.store.models import (
    Citizen,
    DraftAttachment,
    InboxMessage,
    NluReviewItem,
    OutboxMessage,
    Rating,
    SentKeyboard,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from bot.store.skm import forget_respondent
from bot.training.masking import sender_hash

BLANKED = "[dihapus]"


class DeletionRepository:
    """Forgets a citizen on request."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def forget_citizen(self, sender_id: str) -> int:
        """Remove the person, keep their tickets' content for officers.

        The citizen row is anonymised (no Telegram id, name or consent), the tickets are
        detached from it, and the stored chat messages and pending attachments are deleted.
        Returns the number of tickets kept without the person.
        """
        with Session(self.engine) as s, s.begin():
            # Live chats with officers: messages deleted (before the outbox rows they name).
            forget_live_chats(s, sender_id)
            citizen = s.scalar(select(Citizen).where(Citizen.sender_id == sender_id))
            kept = 0
            if citizen is not None:
                kept = len(
                    s.scalars(select(Ticket.id).where(Ticket.citizen_id == citizen.id)).all()
                )
                # The transcripts of their complaints are their chat messages: deleted too.
                s.execute(
                    delete(TicketMessage).where(
                        TicketMessage.ticket_id.in_(
                            select(Ticket.id).where(Ticket.citizen_id == citizen.id)
                        )
                    )
                )
                s.execute(
                    update(Ticket).where(Ticket.citizen_id == citizen.id).values(citizen_id=None)
                )
                s.execute(
                    update(Rating).where(Rating.citizen_id == citizen.id).values(citizen_id=None)
                )
                s.execute(
                    update(TicketEvent)
                    .where(
                        TicketEvent.actor_type == "citizen", TicketEvent.actor_id == str(citizen.id)
                    )
                    .values(actor_id=None)
                )
                chat_id = citizen.telegram_user_id
                citizen.sender_id = f"deleted-{uuid.uuid4().hex}"
                citizen.telegram_user_id = None
                citizen.display_name = None
                citizen.consent_at = None
                if chat_id is not None:
                    s.execute(
                        delete(OutboxMessage).where(
                            OutboxMessage.chat_id == chat_id, OutboxMessage.status != "sent"
                        )
                    )
                    s.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.chat_id == chat_id)
                        .values(text=BLANKED)
                    )
                    s.execute(delete(SentKeyboard).where(SentKeyboard.chat_id == chat_id))
            s.execute(delete(InboxMessage).where(InboxMessage.sender_id == sender_id))
            s.execute(delete(DraftAttachment).where(DraftAttachment.sender_id == sender_id))
            secret_key = get_settings().secret_key
            # Their messages kept (masked) for the trainers' review (bot.training.inbox).
            s.execute(
                delete(NluReviewItem).where(
                    NluReviewItem.sender_hash == sender_hash(sender_id, secret_key)
                )
            )
            # Their satisfaction survey rows, found by the respondent key (bot.store.skm).
            forget_respondent(s, sender_id, secret_key)
            return kept

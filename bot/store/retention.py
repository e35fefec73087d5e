"""Retention of the Telegram channel's tables (README, "Retention")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, null, or_, update
from sqlalchemy.orm import Session

from bot.store.deletion import BLANKED
from bot.store.models import InboxMessage, OutboxMessage, utcnow

# Inbox rows that still need their text: waiting for Rasa, for consent, or to be handled.
OPEN_INBOX = ("pending", "held", "received")
FINISHED_OUTBOX = ("sent", "failed", "blocked")


@dataclass(frozen=True)
class PurgeReport:
    """What one retention run removed."""

    inbox_blanked: int  # raw updates (and handled texts) blanked
    inbox_deleted: int
    outbox_blanked: int


def purge(
    engine: Engine,
    raw_after: timedelta,
    delete_after: timedelta,
    outbox_after: timedelta | None = None,
    now: datetime | None = None,
) -> PurgeReport:
    """Apply the retention periods, for every bot.

    Inbox: after `raw_after` the raw update is blanked, and so is the text of handled
    messages; after `delete_after` the row is deleted, except a message still waiting for
    Rasa. Outbox: after `outbox_after`, finished unit-group notices and messages without a
    ticket lose their text (a message to a citizen about a ticket is part of the ticket's
    record, kept with it; the delivery state stays for its history).
    """
    now = now or utcnow()
    with Session(engine) as s, s.begin():
        old_raw = InboxMessage.created_at < now - raw_after
        blanked = s.execute(
            update(InboxMessage).where(old_raw, InboxMessage.raw.is_not(None)).values(raw=null())
        ).rowcount  # type: ignore[attr-defined]
        s.execute(
            update(InboxMessage)
            .where(
                old_raw,
                InboxMessage.payload.is_not(None),
                InboxMessage.status.not_in(OPEN_INBOX),
            )
            .values(payload=None)
        )
        deleted = s.execute(
            delete(InboxMessage).where(
                InboxMessage.created_at < now - delete_after,
                InboxMessage.status != "pending",
            )
        ).rowcount  # type: ignore[attr-defined]
        outbox_blanked = 0
        if outbox_after is not None:
            outbox_blanked = s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.created_at < now - outbox_after,
                    OutboxMessage.status.in_(FINISHED_OUTBOX),
                    or_(
                        OutboxMessage.kind == "unit_notice",
                        OutboxMessage.ticket_id.is_(None),
                    ),
                    OutboxMessage.text != BLANKED,
                )
                .values(text=BLANKED)
            ).rowcount  # type: ignore[attr-defined]
    return PurgeReport(int(blanked or 0), int(deleted or 0), int(outbox_blanked or 0))
